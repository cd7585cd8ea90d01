// CephCluster: a real Ceph cluster behind the ClusterSource interface. It polls cheap epoch checks
// (`status`, `mgr stat`, `health detail`, `pg dump summary`) every pollMs, fetches a full dump only
// when its epoch or version moved, turns dumps into the real mgr's get() shapes (views.ts), bumps
// the version of exactly the names whose text changed and notifies in the sim's order. Commands go
// to the mon, or to the mgr for the mgr's own commands, as the `ceph` CLI routes them.
import type { ClusterSource, CommandResult, ConfigDbEntry, DaemonTarget, NotifyType } from "../types.ts";
import { deepFreeze, fixture, fixtureCompact } from "../_fixtures.ts";
import { inNotifyOrder } from "../_notify-order.ts";
import { CephBackendError } from "./errors.ts";
import { PerfCounters } from "./perf.ts";
import {
  RadosTransport,
  type RadosConnectOptions,
  type RawLogEntry,
  type RawResult,
  type ReadyInfo,
} from "./transport.ts";
import {
  dfText,
  keyedMetadata,
  logEntry,
  metadataText,
  monMapText,
  osdMapText,
  osdTreeText,
  pgViews,
  serviceMapText,
  type Metadata,
  type PgDigest,
} from "./views.ts";
import { readConfNames } from "./conf.ts";

/** mgr.json's `cluster.ceph` */
export interface CephConfig {
  conf: string;
  keyring: string;
  name: string;
}

export interface CephClusterOptions {
  /** epoch checks every pollMs (default 1000) */
  pollMs?: number;
  /** perf counters, client config and devices every statsPeriodMs (default 5000, the mgr's mgr_stats_period) */
  statsPeriodMs?: number;
  /** librados' mon/osd op timeout: how long a command waits for an unreachable mon (default 10000) */
  commandTimeoutMs?: number;
  /** how long start() waits for librados to connect (default 30000) */
  connectTimeoutMs?: number;
  /** a poll's `status` unanswered this long means no mon connection (default max(2 × pollMs, 1500)) */
  lossMs?: number;
  /** interpreter with Debian's python3-rados (default /usr/bin/python3) */
  python?: string;
  /** cluster log level subscribed to for `clog` notifies ("" for none; default "info") */
  clogLevel?: string;
  /** where the backend reports what it does (connection lost/regained, helper restarts) */
  log?: (level: "info" | "warn", msg: string) => void;
}

/** The data names get() serves: the same as the simulator's. */
export const CEPH_DATA_NAMES = [
  "osd_map",
  "osd_map_tree",
  "osd_map_crush",
  "osdmap_crush_map_text",
  "osd_metadata",
  "mds_metadata",
  "pg_summary",
  "pg_status",
  "pg_dump",
  "pg_stats",
  "pool_stats",
  "osd_pool_stats",
  "osd_stats",
  "osd_ping_times",
  "df",
  "io_rate",
  "pg_ready",
  "pg_progress",
  "active_clean_pgs",
  "health",
  "mon_status",
  "mon_map",
  "fs_map",
  "mgr_map",
  "service_map",
  "config",
  "config_options",
  "modified_config_options",
  "devices",
  "mgr_ips",
  "have_local_config_map",
] as const;

const FLAG_MGR = 8;
const ENOTCONN = 107;

/** What one poll found: texts to publish and notifications to send once all of it is in. */
class Changes {
  readonly texts = new Map<string, string>();
  readonly notifies: [NotifyType, string | object][] = [];
  set(name: string, text: string): void {
    this.texts.set(name, text);
  }
  notify(type: NotifyType, id: string | object = ""): void {
    this.notifies.push([type, id]);
  }
}

interface Epochs {
  osdmap?: number;
  monmap?: number;
  fsmap?: number;
  servicemap?: number;
  mgrmap?: number;
  quorum?: string;
  pgmap?: number;
  health?: string;
  configDump?: string;
}

type ServiceMap = Record<string, { daemons?: Record<string, unknown> }>;
type DaemonType = "osd" | "mon" | "mgr" | "mds";

interface Server {
  hostname: string;
  services: { type: string; id: string; ceph_version: string }[];
  ceph_version: string;
}

export class CephCluster implements ClusterSource {
  readonly backend = "ceph";
  readonly #cfg: CephConfig;
  readonly #opts: Required<Omit<CephClusterOptions, "log" | "python">> & Pick<CephClusterOptions, "log" | "python">;
  readonly #texts = new Map<string, { version: number; text: string }>();
  readonly #listeners = new Set<(type: NotifyType, id: string | object) => void>();
  readonly #epochs: Epochs = {};
  readonly #metadata: Record<DaemonType, Map<string, Metadata>> = {
    osd: new Map(),
    mon: new Map(),
    mgr: new Map(),
    mds: new Map(),
  };
  readonly #perf = new PerfCounters();
  #counter = 0;
  #transport: RadosTransport | undefined;
  #ready: ReadyInfo | undefined;
  #connected = false;
  #running = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #statsTimer: ReturnType<typeof setTimeout> | undefined;
  #polling: Promise<void> | undefined;
  #pgPolling: Promise<void> | undefined;
  #mgrAvailable = false;
  #pollAgain = false;
  #statsRunning = false;
  #restartDelayMs = 1000;
  #commands = new Map<string, CommandInfo>();
  #digest: PgDigest | undefined;
  #services: ServiceMap = {};
  #devices: { devid?: string }[] = [];
  #serversMemo: Server[] | undefined;
  #upOsds: number[] = [];
  #quorumNames: string[] = [];

  constructor(cfg: CephConfig, opts: CephClusterOptions = {}) {
    this.#cfg = cfg;
    const pollMs = opts.pollMs ?? 1000;
    this.#opts = {
      pollMs,
      statsPeriodMs: opts.statsPeriodMs ?? 5000,
      commandTimeoutMs: opts.commandTimeoutMs ?? 10_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      lossMs: opts.lossMs ?? Math.max(2 * pollMs, 1500),
      clogLevel: opts.clogLevel ?? "info",
      python: opts.python,
      log: opts.log,
    };
    for (const [name, v] of Object.entries(this.#opts)) {
      if (typeof v === "number" && !(v > 0 && v <= 2 ** 31 - 1))
        throw new RangeError(`ceph backend option ${name} must be a positive number of ms, got ${v}`);
    }
    for (const name of CEPH_DATA_NAMES) this.#texts.set(name, { version: ++this.#counter, text: placeholder(name) });
  }

  // ---- lifecycle ----

  /** Connects, loads every map once, then polls. Throws CephBackendError when it cannot attach. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#transport = await RadosTransport.connect(this.#connectOptions(), (e) => this.#onLog(e));
    this.#ready = await this.#transport.ready;
    this.#running = true;
    this.#watchHelper(this.#transport);
    try {
      const status = await this.#mon("status");
      if (status.r !== 0) {
        throw new CephBackendError(
          "ECONNECT",
          `the Ceph cluster does not answer \`status\` (${status.r}: ${status.outs || "no message"}) through ${this.#cfg.conf}`,
          -status.r,
        );
      }
      await this.#loadStatic();
      // the mon's maps before start() returns; the mgr's PGMap, perf counters and devices too unless
      // the mgr is slow to answer (they follow by themselves)
      await this.#poll(true);
      const settle = new Promise<void>((resolve) =>
        setTimeout(resolve, Math.min(this.#opts.commandTimeoutMs, 3000)).unref(),
      );
      await Promise.race([Promise.all([this.#pgPolling, this.#stats()]), settle]);
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.#schedulePoll();
    this.#scheduleStats();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#statsTimer);
    const t = this.#transport;
    this.#transport = undefined;
    this.#connected = false;
    await t?.close();
  }

  #connectOptions(): RadosConnectOptions {
    return {
      conf: this.#cfg.conf,
      keyring: this.#cfg.keyring,
      name: this.#cfg.name,
      timeoutMs: this.#opts.commandTimeoutMs,
      connectTimeoutMs: this.#opts.connectTimeoutMs,
      python: this.#opts.python,
      logLevel: this.#opts.clogLevel,
    };
  }

  /** A helper that dies is replaced, with back-off; the poll that follows catches up on what changed meanwhile. */
  #watchHelper(t: RadosTransport): void {
    void t.exited.then(({ code, signal }) => {
      if (!this.#running || this.#transport !== t) return;
      this.#transport = undefined;
      this.#setConnected(false);
      this.#opts.log?.(
        "warn",
        `the librados helper exited (code ${code ?? signal}): restarting it in ${this.#restartDelayMs} ms`,
      );
      const retry = async () => {
        if (!this.#running) return;
        try {
          const next = await RadosTransport.connect(this.#connectOptions(), (e) => this.#onLog(e));
          if (!this.#running) return void next.close();
          this.#transport = next;
          this.#ready = await next.ready;
          this.#restartDelayMs = 1000;
          this.#watchHelper(next);
          this.#kick();
        } catch (e) {
          this.#opts.log?.("warn", `cannot restart the librados helper: ${(e as Error).message}`);
          this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, 30_000);
          setTimeout(retry, this.#restartDelayMs).unref();
        }
      };
      setTimeout(retry, this.#restartDelayMs).unref();
    });
  }

  #schedulePoll(): void {
    if (!this.#running) return;
    clearTimeout(this.#pollTimer);
    this.#pollTimer = setTimeout(() => void this.#pollNow(), this.#opts.pollMs);
    this.#pollTimer.unref();
  }

  #scheduleStats(): void {
    if (!this.#running) return;
    this.#statsTimer = setTimeout(async () => {
      await this.#stats().catch((e: Error) => this.#opts.log?.("warn", `perf counters: ${e.message}`));
      this.#scheduleStats();
    }, this.#opts.statsPeriodMs);
    this.#statsTimer.unref();
  }

  async #pollNow(): Promise<void> {
    if (this.#polling) {
      this.#pollAgain = true;
      return this.#polling;
    }
    this.#polling = this.#poll(false)
      .catch((e: Error) => this.#opts.log?.("warn", `poll failed: ${e.message}`))
      .finally(() => {
        this.#polling = undefined;
        if (this.#pollAgain) {
          this.#pollAgain = false;
          void this.#pollNow();
        } else this.#schedulePoll();
      });
    return this.#polling;
  }

  /** Polls now (after a command that may have changed a map), not at the next tick. */
  #kick(): void {
    if (this.#running) void this.#pollNow();
  }

  // ---- talking to the cluster ----

  #call(
    op: "mon" | "mgr" | "osd",
    prefix: string,
    args: Record<string, unknown> = {},
    target: string | number | null = null,
  ): Promise<RawResult> {
    const t = this.#transport;
    if (!t) return Promise.resolve({ r: -ENOTCONN, out: Buffer.alloc(0), outs: "not connected to the Ceph cluster" });
    return t.call(op, JSON.stringify({ prefix, ...args, format: "json" }), "", target);
  }

  #mon(prefix: string, args?: Record<string, unknown>, target?: string | number): Promise<RawResult> {
    return this.#call("mon", prefix, args, target ?? null);
  }

  #mgr(prefix: string, args?: Record<string, unknown>): Promise<RawResult> {
    return this.#call("mgr", prefix, args);
  }

  /** Runs the given fetches together; their outputs as text, or undefined if any failed. */
  async #all(calls: Promise<RawResult>[]): Promise<string[] | undefined> {
    const results = await Promise.all(calls);
    if (results.some((r) => r.r !== 0)) return undefined;
    return results.map((r) => r.out.toString("utf8").trim());
  }

  #setConnected(up: boolean): void {
    if (up === this.#connected) return;
    this.#connected = up;
    this.#opts.log?.(
      up ? "info" : "warn",
      up
        ? "connected to the Ceph mons"
        : "lost the connection to the Ceph mons: serving the last maps until it is back",
    );
  }

  // ---- the poll ----

  /**
   * One round of epoch checks. The mon's maps and the mgr's PGMap are checked side by side and
   * published separately: a mgr that is down (or failing over) never holds up an osd_map.
   */
  async #poll(first: boolean): Promise<void> {
    if (!this.#transport) return;
    // the mon's stage first: it learns whether there is an active mgr to ask for the PGMap
    await this.#pollMon(first);
    // the PGMap is fetched on the side: a mgr that does not answer holds up nothing else
    this.#pgPolling ??= this.#pollPg(first)
      .catch((e: Error) => this.#opts.log?.("warn", `pgmap poll failed: ${e.message}`))
      .finally(() => (this.#pgPolling = undefined));
  }

  async #pollMon(first: boolean): Promise<void> {
    const statusCall = this.#mon("status");
    // an unanswered status is a lost mon connection long before librados gives up on it
    const loss = setTimeout(() => this.#setConnected(false), this.#opts.lossMs);
    const [status, mgrStat, health] = await Promise.all([
      statusCall.finally(() => clearTimeout(loss)),
      this.#mon("mgr stat"),
      this.#mon("health", { detail: "detail" }),
    ]);
    if (status.r !== 0) {
      this.#setConnected(false);
      return;
    }
    this.#setConnected(true);
    const s = JSON.parse(status.out.toString("utf8")) as StatusJson;
    const osdmap = s.osdmap?.osdmap ?? s.osdmap;
    this.#digest = s.pgmap;
    this.#quorumNames = s.quorum_names ?? [];
    const changes = new Changes();
    const e = this.#epochs;
    const jobs: Promise<void>[] = [];
    // load when the epoch moved; record the epoch (and notify) only once the load succeeded
    const stage = <K extends keyof Epochs>(key: K, now: Epochs[K], load: () => Promise<boolean>, type: NotifyType) => {
      if (now === e[key]) return;
      jobs.push(
        load().then((ok) => {
          if (!ok) return;
          if (!first && e[key] !== undefined) changes.notify(type);
          e[key] = now;
        }),
      );
    };
    stage("osdmap", osdmap?.epoch ?? -1, () => this.#loadOsdMap(changes), "osd_map");
    stage("monmap", s.monmap?.epoch ?? -1, () => this.#loadMonMap(changes), "mon_map");
    stage(
      "quorum",
      `${s.election_epoch}:${(s.quorum ?? []).join(",")}`,
      () => this.#loadMonStatus(changes),
      "mon_status",
    );
    stage("fsmap", s.fsmap?.epoch ?? -1, () => this.#loadFsMap(changes), "fs_map");
    // `status` carries the whole service map (`service dump` would ask the mgr for the same)
    stage(
      "servicemap",
      s.servicemap?.epoch ?? -1,
      async () => this.#loadServiceMap(changes, s.servicemap),
      "service_map",
    );
    if (mgrStat.r === 0) {
      const stat = JSON.parse(mgrStat.out.toString("utf8")) as { epoch?: number; available?: boolean };
      this.#mgrAvailable = stat.available === true;
      stage("mgrmap", stat.epoch ?? -1, () => this.#loadMgrMap(changes), "mgr_map");
    }
    if (health.r === 0) {
      const text = health.out.toString("utf8").trim();
      stage("health", text, async () => (changes.set("health", JSON.stringify({ json: text })), true), "health");
    }
    await Promise.all(jobs);
    this.#commit(changes);
  }

  async #pollPg(first: boolean): Promise<void> {
    // without an active mgr a mgr command only waits (see rados_helper.py): ask once there is one
    if (!this.#mgrAvailable) return;
    const summary = await this.#mgr("pg dump", { dumpcontents: ["summary"] });
    if (summary.r !== 0) return;
    const version =
      (JSON.parse(summary.out.toString("utf8")) as { pg_map?: { version?: number } }).pg_map?.version ?? -1;
    if (version === this.#epochs.pgmap) return;
    const changes = new Changes();
    if (!(await this.#loadPgMap(changes))) return;
    if (!first && this.#epochs.pgmap !== undefined) changes.notify("pg_summary");
    this.#epochs.pgmap = version;
    this.#commit(changes);
  }

  async #loadOsdMap(changes: Changes): Promise<boolean> {
    const out = await this.#all([
      this.#mon("osd dump"),
      this.#mon("osd tree"),
      this.#mon("osd crush dump"),
      this.#mon("osd metadata"),
    ]);
    if (!out) return false;
    const [dump, tree, crush, meta] = out as [string, string, string, string];
    changes.set("osd_map", osdMapText(dump));
    changes.set("osd_map_tree", osdTreeText(tree));
    changes.set("osd_map_crush", crush);
    this.#metadata.osd = keyedMetadata(meta, "id");
    this.#serversMemo = undefined;
    changes.set("osd_metadata", metadataText(this.#metadata.osd));
    const osds = (JSON.parse(dump) as { osds?: { osd: number; up: number }[] }).osds ?? [];
    this.#upOsds = osds.filter((o) => o.up).map((o) => o.osd);
    return true;
  }

  async #loadMonMap(changes: Changes): Promise<boolean> {
    const out = await this.#all([this.#mon("mon dump"), this.#mon("mon metadata")]);
    if (!out) return false;
    changes.set("mon_map", monMapText(out[0]!));
    this.#metadata.mon = keyedMetadata(out[1]!, "name");
    this.#serversMemo = undefined;
    return true;
  }

  async #loadMonStatus(changes: Changes): Promise<boolean> {
    // a tell-style command: it needs a target, any mon in quorum will do
    const target = this.#quorumNames[0];
    if (target === undefined) return false;
    const r = await this.#mon("mon_status", {}, target);
    if (r.r !== 0) return false;
    changes.set("mon_status", JSON.stringify({ json: r.out.toString("utf8").trim() }));
    return true;
  }

  async #loadFsMap(changes: Changes): Promise<boolean> {
    const out = await this.#all([this.#mon("fs dump"), this.#mon("mds metadata")]);
    if (!out) return false;
    changes.set("fs_map", out[0]!);
    this.#metadata.mds = keyedMetadata(out[1]!, "name");
    this.#serversMemo = undefined;
    changes.set("mds_metadata", metadataText(this.#metadata.mds));
    return true;
  }

  #loadServiceMap(changes: Changes, map: Record<string, unknown> | undefined): boolean {
    if (!map) return false;
    changes.set("service_map", serviceMapText(JSON.stringify(map)));
    this.#services = (map.services as ServiceMap | undefined) ?? {};
    this.#serversMemo = undefined;
    return true;
  }

  async #loadMgrMap(changes: Changes): Promise<boolean> {
    const out = await this.#all([
      this.#mon("mgr dump"),
      this.#mon("mgr metadata"),
      this.#mon("get_command_descriptions"),
    ]);
    if (!out) return false;
    changes.set("mgr_map", out[0]!);
    this.#metadata.mgr = keyedMetadata(out[1]!, "name");
    this.#serversMemo = undefined;
    this.#commands = commandTable(out[2]!);
    return true;
  }

  async #loadPgMap(changes: Changes): Promise<boolean> {
    const out = await this.#all([
      this.#mgr("pg dump"),
      this.#mon("df", { detail: "detail" }),
      this.#mgr("osd pool stats"),
    ]);
    if (!out) return false;
    const [dump, df, poolStats] = out as [string, string, string];
    for (const [name, text] of pgViews(dump, this.#digest).texts) changes.set(name, text);
    changes.set("df", dfText(df));
    changes.set("osd_pool_stats", `{"pool_stats":${poolStats}}`);
    return true;
  }

  /** Names that never change while attached, and the first client config. */
  async #loadStatic(): Promise<void> {
    const changes = new Changes();
    changes.set("config_options", fixtureCompact("mgr-get/get.config_options.json"));
    changes.set("have_local_config_map", `{"have_local_config_map":true}`);
    changes.set("osdmap_crush_map_text", `""`);
    changes.set("mgr_ips", JSON.stringify({ ips: [ipOf(this.#ready?.addr ?? "")].filter(Boolean) }));
    this.#commit(changes);
  }

  /** Every stats period: perf counters of the up OSDs and quorum mons, client config, devices. */
  async #stats(): Promise<void> {
    if (this.#statsRunning || !this.#transport || !this.#connected) return;
    this.#statsRunning = true;
    try {
      const changes = new Changes();
      await Promise.all([this.#loadConfig(changes), this.#loadDevices(changes), this.#loadPerf(changes)]);
      this.#commit(changes);
    } finally {
      this.#statsRunning = false;
    }
  }

  async #loadConfig(changes: Changes): Promise<void> {
    const dump = await this.#mon("config dump");
    if (dump.r !== 0) return;
    const text = dump.out.toString("utf8");
    if (text === this.#epochs.configDump) return;
    const conf = await this.#transport!.conf(optionNames());
    if (Object.keys(conf).length === 0) return;
    // the mgr's own config starts with who it is; librados does not answer these two by name
    const values = { name: this.#cfg.name, cluster: "ceph", ...conf };
    this.#epochs.configDump = text;
    changes.set("config", JSON.stringify(values));
    const who = new Set(["global", "client", this.#cfg.name]);
    const fromDb = (JSON.parse(text) as { section?: string; name?: string }[])
      .filter((o) => who.has(o.section ?? ""))
      .map((o) => o.name ?? "");
    const modified = new Set([...readConfNames(this.#cfg.conf, this.#cfg.name), ...fromDb, ...OWN_OVERRIDES]);
    if (this.#cfg.keyring) modified.add("keyring");
    changes.set("modified_config_options", JSON.stringify({ options: [...modified].filter(Boolean).sort() }));
  }

  async #loadDevices(changes: Changes): Promise<void> {
    if (!this.#mgrAvailable) return;
    const r = await this.#mgr("device ls");
    if (r.r !== 0) return;
    const list = JSON.parse(r.out.toString("utf8")) as { devid?: string }[];
    this.#devices = deepFreeze(Array.isArray(list) ? list : []);
    changes.set("devices", JSON.stringify({ devices: this.#devices }));
  }

  async #loadPerf(changes: Changes): Promise<void> {
    const daemons: [string, "osd" | "mon", string | number][] = [
      ...this.#upOsds.map((id) => [`osd.${id}`, "osd", id] as [string, "osd", number]),
      ...this.#quorumNames.map((name) => [`mon.${name}`, "mon", name] as [string, "mon", string]),
    ];
    const live = new Set(daemons.map(([key]) => key));
    for (const key of this.#perf.keys()) if (!live.has(key)) this.#perf.forget(key);
    await Promise.all(
      daemons.map(async ([key, op, target]) => {
        const ask = (prefix: string) => this.#call(op, prefix, {}, target);
        if (!this.#perf.has(key)) {
          const schema = await ask("perf schema");
          if (schema.r !== 0) return;
          if (this.#perf.setSchema(key, schema.out.toString("utf8"))) changes.notify("perf_schema_update", key);
        }
        const dump = await ask("perf dump");
        if (dump.r === 0) this.#perf.addSample(key, dump.out.toString("utf8"), Date.now() / 1000);
      }),
    );
  }

  #onLog(raw: RawLogEntry): void {
    this.#emit([["clog", deepFreeze(logEntry(raw))]]);
  }

  /** Publishes the texts that changed (each bumps its version once), then notifies in order. */
  #commit(changes: Changes): void {
    for (const [name, text] of changes.texts) {
      const cur = this.#texts.get(name);
      if (cur && cur.text === text) continue;
      this.#texts.set(name, { version: ++this.#counter, text });
    }
    this.#emit(inNotifyOrder(changes.notifies));
  }

  #emit(notifies: [NotifyType, string | object][]): void {
    for (const [type, id] of notifies) {
      for (const listener of this.#listeners) {
        try {
          listener(type, id);
        } catch {
          // one subscriber's failure must not starve the others
        }
      }
    }
  }

  // ---- ClusterSource ----

  dataNames(): readonly string[] {
    return CEPH_DATA_NAMES;
  }

  version(name: string): number | undefined {
    const v = this.#texts.get(name)?.version;
    if (v !== undefined || !name.startsWith("device ")) return v;
    return this.#device(name.slice(7)) ? this.#texts.get("devices")!.version : undefined;
  }

  getJson(name: string): string | undefined {
    const hit = this.#texts.get(name);
    if (hit) return hit.text;
    if (!name.startsWith("device ")) return undefined;
    const device = this.#device(name.slice(7));
    return device ? JSON.stringify({ device }) : undefined;
  }

  #device(devid: string): unknown {
    return this.#devices.find((d) => d.devid === devid);
  }

  getServer(hostname: string): unknown {
    // Pacific answers an unknown host with an empty entry, not None
    return (
      this.listServers().find((s) => (s as Server).hostname === hostname) ?? {
        hostname,
        services: [],
        ceph_version: "",
      }
    );
  }

  listServers(): unknown[] {
    if (this.#serversMemo) return this.#serversMemo;
    const byHost = new Map<string, Server["services"]>();
    const add = (host: string | undefined, type: string, id: string, version: string | undefined) => {
      if (!host) return;
      let list = byHost.get(host);
      if (!list) byHost.set(host, (list = []));
      list.push({ type, id, ceph_version: version ?? "" });
    };
    for (const [type, map] of Object.entries(this.#metadata)) {
      for (const [id, meta] of map) add(meta.hostname, type, id, meta.ceph_version);
    }
    for (const [type, svc] of Object.entries(this.#services)) {
      for (const [id, d] of Object.entries(svc.daemons ?? {})) {
        if (id === "summary" || !d || typeof d !== "object") continue;
        const meta = (d as { metadata?: Metadata }).metadata ?? {};
        add(meta.hostname, type, id, meta.ceph_version);
      }
    }
    const servers: Server[] = [];
    for (const [hostname, services] of byHost) {
      // DaemonKey order: by type, then by id as a string, as the mgr's map sorts
      services.sort((a, b) =>
        a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1,
      );
      servers.push({ hostname, services, ceph_version: services[0]?.ceph_version ?? "" });
    }
    this.#serversMemo = deepFreeze(servers);
    return this.#serversMemo;
  }

  getMetadata(svcType: string, svcId: string): Record<string, string> | null {
    const id = String(svcId);
    if (svcType in this.#metadata) return this.#metadata[svcType as DaemonType].get(id) ?? null;
    const d = this.#services[svcType]?.daemons?.[id] as { metadata?: Metadata } | undefined;
    return id !== "summary" && d?.metadata ? d.metadata : null;
  }

  getDaemonStatus(svcType: string, svcId: string): Record<string, string> | null {
    const d = this.#services[svcType]?.daemons?.[String(svcId)] as { status?: Record<string, string> } | undefined;
    if (d && String(svcId) !== "summary") return d.status ?? {};
    return this.getMetadata(svcType, svcId) ? {} : null;
  }

  getPerfSchema(svcType: string, svcId: string): unknown {
    return this.#perf.schema(svcType, String(svcId));
  }

  getCounter(svcType: string, svcId: string, path: string): Record<string, [number, number][]> {
    return this.#perf.counter(svcType, String(svcId), path);
  }

  getLatestCounter(
    svcType: string,
    svcId: string,
    path: string,
  ): Record<string, [number, number] | [number, number, number]> {
    return this.#perf.latest(svcType, String(svcId), path);
  }

  /** To the mon, or to the active mgr for a mgr command (flag 8 in the mon's descriptions), as `ceph` does. */
  async sendCommand(cmd: { prefix: string; [k: string]: unknown }, inbuf: string): Promise<CommandResult> {
    const t = this.#transport;
    if (!t)
      return {
        retval: -ENOTCONN,
        stdout: "",
        stderr: "not connected to the Ceph cluster (the librados helper is restarting)",
      };
    const info = this.#commands.get(cmd.prefix);
    const r = await t.call(info && info.flags & FLAG_MGR ? "mgr" : "mon", JSON.stringify(cmd), inbuf);
    // a change made through us shows up in the maps now, not at the next tick
    if (r.r === 0 && (!info || info.perm.includes("w"))) this.#kick();
    return { retval: r.r, stdout: r.out.toString("utf8"), stderr: r.outs };
  }

  /** `tell`: to one OSD (librados osd_command), one mon (mon_command with a target), the mgr or any mon. */
  async sendDaemonCommand(
    target: DaemonTarget,
    cmd: { prefix: string; [k: string]: unknown },
    inbuf: string,
  ): Promise<CommandResult> {
    const t = this.#transport;
    if (!t)
      return {
        retval: -ENOTCONN,
        stdout: "",
        stderr: "not connected to the Ceph cluster (the librados helper is restarting)",
      };
    const text = JSON.stringify(cmd);
    let r: RawResult;
    if (target.type === "osd") {
      // `ceph tell`'s answer for an osd the map does not have (librados would wait for it instead)
      if (!/^\d+$/.test(target.id) || !this.#osdExists(Number(target.id)))
        return { retval: -2, stdout: "", stderr: `problem getting command descriptions from osd.${target.id}` };
      r = await t.call("osd", text, inbuf, Number(target.id));
    } else if (target.type === "mon") r = await t.call("mon", text, inbuf, target.id === "" ? null : target.id);
    else if (target.type === "mgr") r = await t.call("mgr", text, inbuf);
    else
      return {
        retval: -95,
        stdout: "",
        stderr: `commands to ${target.type} daemons are not supported by the ceph backend yet (librados has no mds_command): use the mon or mgr commands`,
      };
    return { retval: r.r, stdout: r.out.toString("utf8"), stderr: r.outs };
  }

  configDb(): readonly ConfigDbEntry[] {
    const text = this.#epochs.configDump;
    if (text === undefined) return [];
    if (this.#configDbMemo?.text !== text) {
      const rows = JSON.parse(text) as { section?: string; name?: string; value?: unknown }[];
      this.#configDbMemo = {
        text,
        rows: rows.map((e) => ({
          section: String(e.section ?? ""),
          name: String(e.name ?? ""),
          value: String(e.value ?? ""),
        })),
      };
    }
    return this.#configDbMemo.rows;
  }
  #configDbMemo: { text: string; rows: ConfigDbEntry[] } | undefined;

  #osdExists(id: number): boolean {
    const map = JSON.parse(this.getJson("osd_map") ?? "{}") as { osds?: { osd: number }[] };
    return (map.osds ?? []).some((o) => o.osd === id);
  }

  subscribe(listener: (type: NotifyType, id: string | object) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  haveMonConnection(): boolean {
    return this.#connected;
  }

  // ---- for tests and the bench ----

  /** Waits for the current poll (or runs one) so that every change made so far is published. */
  async refresh(): Promise<void> {
    if (this.#polling) await this.#polling;
    await this.#pollNow();
  }

  /** The epochs and versions last seen. */
  epochs(): Readonly<Epochs> {
    return { ...this.#epochs };
  }

  /** The librados helper's pid (tests kill it to see it come back). */
  get helperPid(): number | undefined {
    return this.#transport?.pid;
  }

  /** The helper's round trip without the cluster (what the transport itself costs). */
  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.#transport?.ping();
    return performance.now() - t0;
  }
}

interface StatusJson {
  election_epoch?: number;
  quorum?: number[];
  quorum_names?: string[];
  monmap?: { epoch?: number };
  osdmap?: { epoch?: number; osdmap?: { epoch?: number } };
  fsmap?: { epoch?: number };
  servicemap?: { epoch?: number; [k: string]: unknown };
  pgmap?: PgDigest;
}

/** What a name serves before its first load: the shape of an empty cluster. */
function placeholder(name: string): string {
  switch (name) {
    case "health":
    case "mon_status":
      return JSON.stringify({ json: "{}" });
    case "osdmap_crush_map_text":
      return `""`;
    default:
      return pgViews(`{"pg_ready":false,"pg_map":{}}`, undefined).texts.get(name) ?? "{}";
  }
}

interface CommandInfo {
  flags: number;
  perm: string;
}

/** The prefix words of every command the mon knows → its flags (8 = handled by the mgr) and perm. */
function commandTable(descriptions: string): Map<string, CommandInfo> {
  const out = new Map<string, CommandInfo>();
  const all = JSON.parse(descriptions) as Record<string, { sig?: unknown[]; flags?: number; perm?: string }>;
  for (const d of Object.values(all)) {
    const words: string[] = [];
    for (const w of d.sig ?? []) {
      if (typeof w !== "string") break;
      words.push(w);
    }
    if (words.length) out.set(words.join(" "), { flags: d.flags ?? 0, perm: d.perm ?? "rw" });
  }
  return out;
}

/** The options our own librados client was given beyond the conf file (see rados_helper.py). */
const OWN_OVERRIDES = [
  "rados_mon_op_timeout",
  "rados_osd_op_timeout",
  "client_mount_timeout",
  "log_to_stderr",
  "err_to_stderr",
];

let optionNameList: string[] | undefined;
/** Every option this Ceph release knows (the real mgr's config_options, 16.2.15). */
function optionNames(): string[] {
  optionNameList ??= fixture<{ options: { name: string }[] }>("mgr-get/get.config_options.json").options.map(
    (o) => o.name,
  );
  return optionNameList;
}

/** "127.0.0.1:0/3790479097" or "v2:[::1]:0/12" → the IP alone. */
function ipOf(addr: string): string {
  const a = addr
    .replace(/^\[|\]$/g, "")
    .split(",")[0]!
    .replace(/^(v1|v2|any):/, "");
  const m = /^\[([^\]]+)\]:\d+/.exec(a) ?? /^([^:/]+):\d+/.exec(a);
  return m ? m[1]! : "";
}

export function createCephCluster(cfg: CephConfig, opts: CephClusterOptions = {}): CephCluster {
  return new CephCluster(cfg, opts);
}
