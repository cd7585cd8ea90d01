// `fs status [fs]`: per filesystem its ranks (state, activity, cache counts), standby-replays and
// pools, then the standby MDSs and the MDS versions; a table per part, or Ceph's JSON document.
import { bold, colorize, Color, formatBytes, formatDimless } from "../_lib/units.ts";
import { renderTable, type Column } from "../_lib/table.ts";
import { rate, type StatusReader } from "./counters.ts";

/** fs_map's filesystems as Ceph dumps them (the SDK types them `unknown`: a capture had none). */
interface MdsInfo {
  name: string;
  state: string;
  rank: number;
  laggy_since?: string;
}
interface Filesystem {
  mdsmap: {
    fs_name: string;
    in: number[];
    up: Record<string, number>;
    info: Record<string, MdsInfo>;
    metadata_pool: number;
    data_pools: number[];
  };
}

export class FilesystemNotFound extends Error {
  override name = "FilesystemNotFound";
  constructor(readonly fs: string) {
    super(`Invalid filesystem: ${fs}`);
  }
}

const pad = (names: string[]): Column[] => names.map((name) => ({ name }));
const RANKS = pad(["RANK", "STATE", "MDS", "ACTIVITY", "DNS", "INOS", "DIRS", "CAPS"]);
const POOLS = pad(["POOL", "TYPE", "USED", "AVAIL"]);

/** What the plain and JSON forms are built from, in Ceph's order. */
class FsReport {
  text = "";
  /** Ceph's defaultdict(list): a key exists once something was added under it */
  json: Record<string, unknown> = {};
  /** version → daemon names, in the order met (a missing version is Python's None) */
  versions = new Map<string | null, string[]>();

  constructor(
    readonly r: StatusReader,
    readonly asJson: boolean,
  ) {}

  add(key: string, item: unknown): void {
    ((this.json[key] ??= []) as unknown[]).push(item);
  }
  counts(name: string) {
    const c = (path: string) => this.r.getLatest("mds", name, path);
    return { dns: c("mds_mem.dn"), inos: c("mds_mem.ino"), dirs: c("mds_mem.dir"), caps: c("mds_mem.cap") };
  }
  noteVersion(name: string): void {
    const v = this.r.getMetadata("mds", name, null)?.ceph_version ?? null;
    const list = this.versions.get(v) ?? [];
    list.push(name);
    this.versions.set(v, list);
  }
}

const dimless = (n: number) => formatDimless(n, 5);

// long: one pass over a filesystem's ranks as Ceph's does, its plain and JSON rows side by side
function addFilesystem(rep: FsReport, fs: Filesystem): void {
  const { r } = rep;
  const map = fs.mdsmap;
  const rows: unknown[][] = [];
  let clients = 0;
  let lastRank: number | undefined;
  for (const rank of map.in) {
    lastRank = rank;
    const gid = map.up[`mds_${rank}`];
    const info = gid === undefined ? undefined : map.info[`gid_${gid}`];
    if (!info) {
      if (rep.asJson) rep.add("mdsmap", { rank, state: "failed" });
      else rows.push([rank, "failed", "", "", "", "", "", ""]);
      continue;
    }
    const c = rep.counts(info.name);
    // rank 0 knows the clients; if it is down, another rank's session map gives an idea
    if (rank === 0 || clients === 0) clients = r.getLatest("mds", info.name, "mds_sessions.session_count");
    const laggy = info.laggy_since !== undefined;
    const state = (info.state.split(":")[1] ?? "") + (laggy ? "(laggy)" : "");
    const reqs = state === "active" ? rate(r, "mds", info.name, "mds_server.handle_client_request") : 0;
    rep.noteVersion(info.name);
    if (rep.asJson) {
      rep.add("mdsmap", { rank, name: info.name, state, rate: state === "active" ? reqs : "0", ...c });
      continue;
    }
    const colored = colorize(state, state === "active" && !laggy ? Color.GREEN : Color.YELLOW);
    const activity = state === "active" ? `Reqs: ${dimless(reqs)}/s` : "";
    rows.push([
      bold(String(rank)),
      colored,
      info.name,
      activity,
      dimless(c.dns),
      dimless(c.inos),
      dimless(c.dirs),
      dimless(c.caps),
    ]);
  }
  for (const info of Object.values(map.info)) {
    if (info.state !== "up:standby-replay") continue;
    const c = rep.counts(info.name);
    const events = rate(r, "mds", info.name, "mds_log.replayed");
    rep.noteVersion(info.name);
    // Ceph's JSON names the last active rank and prints 5 for every count here: kept as it is
    if (rep.asJson)
      rep.add("mdsmap", {
        rank: lastRank,
        name: info.name,
        state: "standby-replay",
        events,
        dns: 5,
        inos: 5,
        dirs: 5,
        caps: 5,
      });
    else
      rows.push([
        `${info.rank}-s`,
        "standby-replay",
        info.name,
        `Evts: ${dimless(events)}/s`,
        dimless(c.dns),
        dimless(c.inos),
        dimless(c.dirs),
        dimless(c.caps),
      ]);
  }
  const pools = addPools(rep, fs);
  if (rep.asJson) return rep.add("clients", { fs: map.fs_name, clients });
  rep.text += `${map.fs_name} - ${clients} clients\n${"=".repeat(map.fs_name.length)}\n`;
  rep.text += renderTable(RANKS, rows) + "\n" + renderTable(POOLS, pools) + "\n";
}

function addPools(rep: FsReport, fs: Filesystem): unknown[][] {
  const stats = new Map(rep.r.get("df").pools.map((p) => [p.id, p.stats]));
  const names = new Map(rep.r.get("osd_map").pools.map((p) => [p.pool, p.pool_name]));
  const meta = fs.mdsmap.metadata_pool;
  const rows: unknown[][] = [];
  for (const id of [meta, ...fs.mdsmap.data_pools]) {
    const type = id === meta ? "metadata" : "data";
    const s = stats.get(id);
    const used = s?.bytes_used ?? 0;
    const avail = s?.max_avail ?? 0;
    if (rep.asJson) rep.add("pools", { id, name: names.get(id), type, used, avail });
    else rows.push([names.get(id), type, formatBytes(used, 5), formatBytes(avail, 5)]);
  }
  return rows;
}

function addStandbysAndVersions(rep: FsReport): void {
  const standbys: unknown[][] = [];
  for (const s of rep.r.get("fs_map").standbys) {
    rep.noteVersion(s.name);
    if (rep.asJson) rep.add("mdsmap", { name: s.name, state: "standby" });
    else standbys.push([s.name]);
  }
  if (!rep.asJson) rep.text += "\n" + renderTable(pad(["STANDBY MDS"]), standbys) + "\n";
  if (rep.versions.size === 1) {
    const [only] = rep.versions.keys();
    if (rep.asJson) rep.json.mds_version = only;
    else rep.text += `MDS version: ${only ?? "None"}`;
    return;
  }
  const rows = [...rep.versions].map(([version, daemons]) => [version, daemons.join(", ")]);
  if (rep.asJson) for (const [version, daemons] of rep.versions) rep.add("mds_version", { version, daemons });
  else rep.text += renderTable(pad(["VERSION", "DAEMONS"]), rows) + "\n";
}

/** Ceph's answer: the text, or for `-f json` the document (a plain object to dump with sorted keys). */
export function fsStatus(
  r: StatusReader,
  fsName: string | undefined,
  asJson: boolean,
): { text: string } | { json: Record<string, unknown> } {
  const rep = new FsReport(r, asJson);
  for (const fs of r.get("fs_map").filesystems as unknown as Filesystem[]) {
    if (fsName !== undefined && fsName !== "" && fs.mdsmap.fs_name !== fsName) continue;
    addFilesystem(rep, fs);
  }
  if (fsName !== undefined && rep.text === "" && Object.keys(rep.json).length === 0)
    throw new FilesystemNotFound(fsName);
  addStandbysAndVersions(rep);
  return asJson ? { json: rep.json } : { text: rep.text };
}
