// Where a module's sendCommand() goes and what it may send there: the target grammar
// ("osd.0", "mon", "mon.a", "mds.a", "mgr"), each daemon type's real descriptors (Ceph 16.2.15),
// and the grants of mgr.json's allow.commands, which name a target as "TYPE[.ID]:WHAT".
import { CommandTable, loadCorpus, type CorpusEntry } from "../commands/index.ts";
import type { DaemonTarget } from "../cluster/index.ts";

/** A parsed target; `mon` with id "" is the mon cluster (an untargeted mon command). */
export type Target = DaemonTarget;

const TARGET = /^(osd|mon|mds|mgr)(?:\.([A-Za-z0-9_-][A-Za-z0-9_.-]*))?$/;

/** "osd.0" → {type: "osd", id: "0"}; RangeError for anything Ceph would not name a daemon by. */
export function parseTarget(text: string): Target {
  const m = TARGET.exec(text);
  const type = m?.[1] as Target["type"] | undefined;
  const id = m?.[2] ?? "";
  if (!type)
    throw new RangeError(
      `sendCommand(): the target "${text}" is not a daemon: use "mon", "mon.ID", "mgr", "osd.ID" or "mds.ID"`,
    );
  if ((type === "osd" || type === "mds") && id === "")
    throw new RangeError(`sendCommand(): the target "${text}" needs an id, e.g. "${type}.0"`);
  if (type === "osd" && !/^\d+$/.test(id))
    throw new RangeError(`sendCommand(): "${text}": an OSD id is a number, e.g. "osd.0"`);
  if (type === "mgr" && id !== "")
    throw new RangeError(`sendCommand(): the target "${text}": commands go to the active mgr, name it "mgr"`);
  return { type, id };
}

export const targetName = (t: Target): string => (t.id === "" ? t.type : `${t.type}.${t.id}`);

/**
 * Daemon (`tell`) commands that only read (an OSD's and a mon's own descriptors carry no perm):
 * what an "osd:r" or "mon.a:r" grant allows. Everything else they answer counts as "rw".
 */
const TELL_READ = new Set([
  "mon_status",
  "sessions",
  "connection scores dump",
  "version",
  "git_version",
  "status",
  "help",
  "get_command_descriptions",
  "perf dump",
  "perf schema",
  "perf histogram dump",
  "perf histogram schema",
  "perfcounters_dump",
  "perfcounters_schema",
  "config get",
  "config show",
  "config diff",
  "config diff get",
  "config help",
  "dump_ops_in_flight",
  "ops",
  "dump_blocked_ops",
  "dump_historic_ops",
  "dump_historic_ops_by_duration",
  "dump_historic_slow_ops",
  "dump_mempools",
  "dump_op_pq_state",
  "dump_blocklist",
  "dump_watchers",
  "dump_recovery_reservations",
  "dump_scrub_reservations",
  "dump_scrubs",
  "dump_pgstate_history",
  "dump_pg_recovery_stats",
  "dump_osd_network",
  "dump_objectstore_kv_stats",
  "objecter_requests",
  "cache status",
  "get_mapped_pools",
  "list_devices",
  "list_unfound",
  "log dump",
  "get_heap_property",
  "get_latest_osdmap",
  "calc_objectstore_db_histogram",
]);

/** One daemon type's command table: descriptors to validate against and each prefix's perm class. */
export interface TargetTable {
  table: CommandTable;
  perm: Map<string, string>;
}

function tableOf(entries: CorpusEntry[], permOf: (e: CorpusEntry) => string): TargetTable {
  const perm = new Map<string, string>();
  for (const e of entries) perm.set(e.signature.prefix.join(" "), permOf(e));
  return { table: new CommandTable(entries.map((e) => e.signature)), perm };
}

const tellPerm = (e: CorpusEntry): string => (TELL_READ.has(e.signature.prefix.join(" ")) ? "r" : "rw");

const cache = new Map<string, TargetTable | null>();
/**
 * The descriptors a target type answers: a named mon's own (`tell mon.a`: its admin commands,
 * not the mon command table), the mgr's, an OSD's; null for an MDS (no descriptors captured:
 * only a grant naming the prefix lets a command through). The mon cluster is mon-commands.ts's.
 */
export function targetTable(t: Target): TargetTable | null {
  const key = t.type === "mon" && t.id !== "" ? "mon.ID" : t.type;
  if (cache.has(key)) return cache.get(key)!;
  let out: TargetTable | null = null;
  if (key === "mon.ID") out = tableOf(loadCorpus("mona"), tellPerm);
  else if (key === "mgr") out = tableOf(loadCorpus("mgr"), (e) => e.perm ?? "rw");
  else if (key === "osd") out = tableOf(loadCorpus("osd0"), tellPerm);
  cache.set(key, out);
  return out;
}

/**
 * Whether mgr.json's allow.commands cover a command: an entry without a colon covers the mon
 * cluster (untargeted commands) as before; "TYPE:WHAT" any daemon of TYPE ("mon:" also the mon
 * cluster), "TYPE.ID:WHAT" that one daemon. WHAT is "*", a perm class ("r" reads, "rw" all) or a
 * command prefix (whole words); a lone "*" covers every command of every target.
 */
export function targetGranted(grants: readonly string[], t: Target, prefix: string, perm: string): boolean {
  return grants.some((g) => {
    if (g === "*") return true;
    const colon = g.indexOf(":");
    if (colon < 0) return t.type === "mon" && t.id === "" && whatCovers(g, prefix, perm);
    const who = g.slice(0, colon);
    const dot = who.indexOf(".");
    const type = dot < 0 ? who : who.slice(0, dot);
    if (type !== t.type) return false;
    if (dot >= 0 && who.slice(dot + 1) !== t.id) return false;
    return whatCovers(g.slice(colon + 1), prefix, perm);
  });
}

function whatCovers(what: string, prefix: string, perm: string): boolean {
  // a known perm class reads as "r" when it has no w/x ("r" only), so "r" never grants a write
  return (
    what === "*" || what === "rw" || (what === "r" && perm === "r") || what === prefix || prefix.startsWith(what + " ")
  );
}
