// @tsmgr/sdk: the whole contract between a module author and the tsmgr daemon.
// This code runs inside the module's V8 isolate; it imports nothing from Node or runtime/.
import { host, KIND } from "./_host.ts";
import { CEPH_RELEASE_NAME, CEPH_VERSION } from "./version.ts";
import {
  PERFCOUNTER_COUNTER,
  PERFCOUNTER_HISTOGRAM,
  PERFCOUNTER_LONGRUNAVG,
  PERFCOUNTER_TIME,
  PERFCOUNTER_TYPE_MASK,
  PERFCOUNTER_U64,
  PRIO_CRITICAL,
  PRIO_DEBUGONLY,
  PRIO_INTERESTING,
  PRIO_UNINTERESTING,
  PRIO_USEFUL,
} from "./perf-counters.ts";
import type {
  CephOptionValue,
  CommandArgs,
  CommandDescriptor,
  HandleCommandResult,
  HealthCheck,
  HttpRequest,
  HttpResponse,
  Logger,
  ModuleOption,
  NotifyType,
  ProgressEventOptions,
  PerfCounter,
  SendCommandOptions,
  SendCommandResult,
  CommandDeclaration,
  OptionDeclaration,
  TypedCommand,
  ServeHttpOptions,
  ServerInfo,
} from "./types.ts";
import type { ClusterData, ClusterDataName, DaemonMetadata } from "./cluster-types.ts";

export type * from "./types.ts";
export { SDK_VERSION, CEPH_VERSION, CEPH_RELEASE_NAME } from "./version.ts";
export { Errno } from "./errno.ts";
// ---- typed cluster data ----
export type { ClusterData, ClusterDataName, DaemonMetadata } from "./cluster-types.ts";
/** The type of every cluster data structure, e.g. `Cluster.OsdMap`, `Cluster.PgSummary`, `Cluster.OsdDaemonMetadata`. */
export type * as Cluster from "./cluster-types.ts";

/** Ceph's CLUSTER_LOG_PRIO: the `priority` of `clusterLog()`. */
export const ClusterLogPrio = Object.freeze({ DEBUG: 0, INFO: 1, SEC: 2, WARN: 3, ERROR: 4 } as const);
export * from "./perf-counters.ts";

function makeLogger(): Logger {
  const emit = (level: "debug" | "info" | "warn" | "error", args: unknown[]) =>
    host().log(level, args.map((a) => (typeof a === "string" ? a : safeString(a))).join(" "));
  return Object.freeze({
    debug: (...a: unknown[]) => emit("debug", a),
    info: (...a: unknown[]) => emit("info", a),
    warn: (...a: unknown[]) => emit("warn", a),
    error: (...a: unknown[]) => emit("error", a),
  });
}

function safeString(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Base class of every module: export your subclass as the module's default export.
 *
 * ```ts
 * import { MgrModule } from "@tsmgr/sdk";
 * export default class Hello extends MgrModule {
 *   static COMMANDS = [{ cmd: "hello name=person,type=CephString,req=false", desc: "Say hello", perm: "r" }];
 *   async handleCommand(inbuf: string, cmd: { prefix: string; person?: string }) {
 *     return { retval: 0, stdout: `hello ${cmd.person ?? "world"}`, stderr: "" };
 *   }
 * }
 * ```
 *
 * Cluster accessors (`get`, `getServer`, `getMetadata`, ...) must not be called from the
 * constructor: the daemon throws, as ceph-mgr does ("circular locking"). Do that work in `serve()`.
 */
export abstract class MgrModule {
  static readonly [KIND] = "active";
  /** Commands in Ceph's descriptor grammar; `handleCommand` receives them validated and typed. */
  static COMMANDS: readonly CommandDeclaration[] = [];
  /** Options, readable with `getModuleOption` and settable with `tsmgr config set mgr mgr/NAME/OPT V`. */
  static MODULE_OPTIONS: readonly OptionDeclaration[] = [];
  /** The notifications `notify()` receives (see NotifyType); none when empty. */
  static NOTIFY_TYPES: readonly string[] = [];

  /** The module's logger: `debug`/`info`/`warn`/`error` map to Ceph severities 20/4/1/0. */
  readonly log: Logger = makeLogger();

  /** True once the daemon asked the module to stop: `serve()` loops should end. */
  get stopping(): boolean {
    return host().stopping();
  }

  /** The Ceph version whose module API this daemon provides, `"16.2.15"` [version]. */
  get version(): string {
    return CEPH_VERSION;
  }

  /** That version's release name in lower case, `"pacific"` [release_name]. */
  get releaseName(): string {
    return CEPH_RELEASE_NAME;
  }

  /**
   * Runs for the module's whole life, started after the constructor and not awaited.
   * The default returns at once. Loop until `this.stopping`, e.g.
   * `while (!this.stopping) { ...; await this.sleep(5000); }`.
   */
  async serve(): Promise<void> {}

  /**
   * New cluster data is available. Only types listed in `static NOTIFY_TYPES` arrive. The
   * data is not passed: call `this.get(...)`. `id` is the command tag for `"command"`, a
   * cluster log entry for `"clog"`, and otherwise a string (often empty).
   */
  notify(_type: NotifyType | string, _id: unknown): void | Promise<void> {}

  /** Called after one of this module's options changed (Ceph's `config_notify`). */
  configNotify(): void | Promise<void> {}

  /**
   * Answers one of the module's `COMMANDS`. `cmd` holds the validated arguments plus `prefix`.
   * Return `retval` 0 or a negative errno; data on `stdout`, errors on `stderr`.
   * The default answers -EINVAL ("not implemented").
   */
  async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    return { retval: -22, stdout: "", stderr: `command "${cmd.prefix}" is not implemented by this module` };
  }

  /** Called when the module is disabled, reloaded or the daemon stops; make `serve()` return. */
  async shutdown(): Promise<void> {}

  /** Resolves after `ms` milliseconds, or at once when the module is asked to stop. */
  sleep(ms: number): Promise<void> {
    return host().sleep(ms);
  }

  /** The id of the daemon this module runs in (`id` in mgr.json). */
  getMgrId(): string {
    return host().getMgrId();
  }

  /**
   * The IP address of the daemon this module runs in [get_mgr_ip]: the host part of its
   * `http.listen` in mgr.json, or "127.0.0.1" when HTTP is off. Available on standbys too.
   *
   * ```ts
   * this.log.info(`serving on ${this.getMgrIp()}`);
   * ```
   */
  getMgrIp(): string {
    return host().getMgrIp();
  }

  /**
   * A cluster structure by its Ceph name (`"osd_map"`, `"pg_summary"`, `"health"`, ...): a deep-frozen
   * snapshot shared by every call within one epoch. Unknown names return `null`.
   * `health` and `mon_status` come as `{ json: "<string>" }`, as in ceph-mgr.
   *
   * A known name's answer is typed (`this.get("osd_map").osds[0].up`, see `ClusterData`); any
   * other name (`"device <devid>"`) returns `unknown`, or the type you give: `this.get<Dev>(name)`.
   */
  get<K extends ClusterDataName>(dataName: K): ClusterData[K];
  get<T = unknown>(dataName: string): T;
  get(dataName: string): unknown {
    return host().get(dataName);
  }

  /** One host's daemons: `{ hostname, ceph_version, services }`; an unknown host gives `{ hostname, services: [], ceph_version: "" }`, as Pacific. */
  getServer(hostname: string): ServerInfo {
    return host().getServer(hostname);
  }

  /** Every host with its daemons. */
  listServers(): ServerInfo[] {
    return host().listServers();
  }

  /**
   * A daemon's metadata (`getMetadata("osd", "0")`) [get_metadata], or `defaultValue` (`null`
   * unless given) when there is none (yet, or any more), as Pacific's `default` argument.
   *
   * ```ts
   * const host = this.getMetadata("osd", "3", { hostname: "unknown" })!.hostname;
   * ```
   */
  getMetadata<K extends keyof DaemonMetadata>(svcType: K, svcId: string): DaemonMetadata[K] | null;
  getMetadata<K extends keyof DaemonMetadata, D>(svcType: K, svcId: string, defaultValue: D): DaemonMetadata[K] | D;
  getMetadata(svcType: string, svcId: string): Record<string, string> | null;
  getMetadata<D>(svcType: string, svcId: string, defaultValue: D): Record<string, string> | D;
  getMetadata(svcType: string, svcId: string, defaultValue: unknown = null): unknown {
    const m = host().getMetadata(svcType, String(svcId));
    // Ceph tests `if not metadata`: an empty dict gives the default too
    return m === null || Object.keys(m).length === 0 ? defaultValue : m;
  }

  /** A daemon's latest status strings, or `null`. */
  getDaemonStatus(svcType: string, svcId: string): Record<string, string> | null {
    return host().getDaemonStatus(svcType, String(svcId));
  }

  /**
   * The perf counter schema [get_perf_schema]: `{"osd.0": {path: {description, nick, type, priority, units}}}`
   * for one daemon (`{}` when unknown). An empty type or id is a wildcard, as in Ceph:
   * `getPerfSchema("osd", "")` gives every OSD's, `getPerfSchema("", "")` every daemon's.
   */
  getPerfSchema(svcType: string, svcId: string): Record<string, unknown> {
    return host().getPerfSchema(svcType, String(svcId));
  }

  /** The recent samples of one perf counter: `{ [path]: [[t, v], ...] }` (empty list when unknown). */
  getCounter(svcType: string, svcId: string, path: string): Record<string, number[][]> {
    return host().getCounter(svcType, String(svcId), path);
  }

  /** The newest sample of one perf counter: `{ [path]: [t, v] }` (empty when unknown). */
  getLatestCounter(svcType: string, svcId: string, path: string): Record<string, number[]> {
    return host().getLatestCounter(svcType, String(svcId), path);
  }

  /** False while the cluster is unreachable (data may be stale). */
  haveMonConnection(): boolean {
    return host().haveMonConnection();
  }

  /**
   * Sends a command without blocking [send_command]: to the mon cluster, or with
   * `{ target: "osd.0" }` (`"mon.a"`, `"mds.a"`, `"mgr"`) to one daemon, as `ceph tell` does:
   * `await this.sendCommand({ prefix: "perf dump" }, "", { target: "osd.0" })`.
   * Validated against that daemon type's real descriptors (`-22` "command not known" otherwise);
   * a daemon that does not exist answers `-2` (ENOENT). Needs a grant in mgr.json
   * (`modules.NAME.allow.commands`, e.g. `["osd pool ls", "osd:perf dump"]`). Resolves to
   * `{retval, stdout, stderr, tag}` with Ceph's negative errno on failure; the module also gets
   * `notify("command", tag)`, with `options.tag` if given.
   */
  sendCommand(
    cmd: { prefix: string; [arg: string]: unknown },
    inbuf = "",
    options?: SendCommandOptions,
  ): Promise<SendCommandResult> {
    return host().sendCommand(cmd, inbuf, options);
  }

  /** A value from the module's key/value store (fast: an in-memory copy), or `defaultValue`. */
  getStore(key: string): string | undefined;
  getStore(key: string, defaultValue: string): string;
  getStore(key: string, defaultValue?: string): string | undefined {
    const v = host().getStore(key);
    return v === undefined ? defaultValue : v;
  }

  /** Stores `value` (a string) under `key`, or deletes it with `null`; resolves once durable. */
  setStore(key: string, value: string | null): Promise<void> {
    return host().setStore(key, value);
  }

  /** Every stored key starting with `prefix`, as `{ key: value }`. */
  getStorePrefix(prefix: string): Record<string, string> {
    return host().getStorePrefix(prefix);
  }

  /** The typed value of one of `MODULE_OPTIONS`, or its default; unknown names throw. */
  getModuleOption<T = unknown>(name: string): T {
    return host().getModuleOption(name) as T;
  }

  /** Sets one of this module's options (validated against its declaration); `null` resets it. */
  setModuleOption(name: string, value: unknown): Promise<void> {
    return host().setModuleOption(name, value);
  }

  /** Replaces this module's health checks (`{}` clears them), shown by `tsmgr health`. */
  setHealthChecks(checks: Record<string, HealthCheck>): void {
    host().setHealthChecks(checks);
  }

  /**
   * Serves HTTP on an address granted in mgr.json (`modules.NAME.allow.net`; the first one, or
   * `options.address`); returns the URI, which is also published in the mgr map's `services`.
   * An address that is not granted throws PermissionDenied naming it and the mgr.json key.
   */
  serveHttp(handler: (req: HttpRequest) => HttpResponse | Promise<HttpResponse>, options?: ServeHttpOptions): string {
    return host().serveHttp(handler, options);
  }

  // ---- remote calls, progress events, cluster log, self-test (issue 15) ----

  /**
   * Methods other modules may call with `remote()` [Ceph: any method; tsmgr: only these]. The
   * daemon's entry points (serve, notify, handleCommand, shutdown, configNotify, selfTest) cannot be listed.
   * A module may also declare `static canRun = false` with `static errorString = "why"`, or a
   * `static canRun(): [boolean, string]` [can_run, error_string]: it is then listed as not runnable
   * in `tsmgr module ls` and refuses to start, with that reason.
   */
  static EXPORTS: string[] = [];

  /**
   * Calls `method` of module `module` [remote]: `await this.remote("crash", "ls")`. The method must
   * be in that module's `static EXPORTS`, and this module needs the grant
   * `modules.NAME.allow.remote: ["crash"]` (or `"crash.ls"`). Arguments and the result are copied as
   * plain JSON data (a function, Map or class instance is a TypeError). Rejects with
   * `ModuleNotFound` when the module is not running, `PermissionDenied` for a method it does not
   * export, the callee's own error (same name and message) when it throws, and a timeout after the
   * callee's `limits.callTimeoutMs`. Calls may nest (A→B→A) up to 8 deep.
   */
  remote<T = unknown>(module: string, method: string, ...args: unknown[]): Promise<T> {
    return host().remote(module, method, ...args) as Promise<T>;
  }

  /**
   * Creates or updates a progress event [update_progress_event], shown in `tsmgr status` with a bar:
   * `this.updateProgressEvent("rebalance-1", "Rebalancing after osd.2 marked out", 0.4, { refs: [["osd", "2"]] })`.
   * `fraction` is from 0 to 1 (RangeError otherwise); ids are at most 256 bytes; at most 100 events
   * per module. Events are dropped when the module stops: publish them again from `serve()`.
   */
  updateProgressEvent(id: string, message: string, fraction: number, options?: ProgressEventOptions): void {
    host().updateProgressEvent(id, message, fraction, options);
  }

  /** Removes a finished progress event [complete_progress_event]; an unknown id is ignored. */
  completeProgressEvent(id: string): void {
    host().completeProgressEvent(id);
  }

  /** Removes a failed progress event and logs `message` [Ceph's progress module `fail`]. */
  failProgressEvent(id: string, message: string): void {
    host().failProgressEvent(id, message);
  }

  /**
   * Writes to the cluster log [cluster_log]: `this.clusterLog("cluster", ClusterLogPrio.WARN, "pool full")`.
   * `tsmgr log last` shows it, and modules with "clog" in NOTIFY_TYPES receive it. On a real
   * cluster it is sent with the mon command `log` (recorded as [INF] on the "cluster" channel).
   */
  clusterLog(channel: "cluster" | "audit", priority: number, message: string): void {
    host().clusterLog(channel, priority, message);
  }

  /**
   * Run by `tsmgr mgr self-test module NAME` [self_test]: return (anything) to pass, throw to
   * fail. The default passes.
   */
  selfTest(): unknown {
    return undefined;
  }

  // ---- per-daemon settings (localized options and store) ----

  /**
   * The option's value for this daemon [get_localized_module_option]: `mgr/MODULE/MGR_ID/NAME`,
   * else `mgr/MODULE/NAME`, else its default, else `defaultValue`. Set one with
   * `tsmgr config set mgr mgr/MODULE/MGR_ID/NAME VALUE`. Read from memory in the isolate.
   *
   * ```ts
   * const port = this.getLocalizedModuleOption<number>("server_port");
   * ```
   */
  getLocalizedModuleOption<T = unknown>(name: string, defaultValue?: T): T {
    return host().getLocalizedModuleOption(name, defaultValue) as T;
  }

  /**
   * The value stored for this daemon [get_localized_store]: key `MGR_ID/KEY` of the module's store,
   * else `KEY`, else `defaultValue`.
   *
   * ```ts
   * const cert = this.getLocalizedStore("crt");
   * ```
   */
  getLocalizedStore(key: string): string | undefined;
  getLocalizedStore(key: string, defaultValue: string): string;
  getLocalizedStore(key: string, defaultValue?: string): string | undefined {
    return host().getLocalizedStore(key, defaultValue);
  }

  /**
   * Sets the option for this daemon only [set_localized_module_option] (`mgr/MODULE/MGR_ID/NAME`),
   * validated as the option; `null` removes it. Resolves once durable.
   *
   * ```ts
   * await this.setLocalizedModuleOption("server_port", 8443);
   * ```
   */
  setLocalizedModuleOption(name: string, value: unknown): Promise<void> {
    return host().setLocalizedModuleOption(name, value);
  }

  /**
   * Stores `value` under `MGR_ID/KEY` [set_localized_store] (`null` deletes it); resolves once durable.
   *
   * ```ts
   * await this.setLocalizedStore("crt", pem);
   * ```
   */
  setLocalizedStore(key: string, value: string | null): Promise<void> {
    return host().setLocalizedStore(key, value);
  }

  // ---- perf counters, daemon commands, Ceph options ----------------------------------------

  /** Counter priorities [PRIO_*], as `this.PRIO_USEFUL` in a Ceph module. */
  static readonly PRIO_CRITICAL = PRIO_CRITICAL;
  static readonly PRIO_INTERESTING = PRIO_INTERESTING;
  static readonly PRIO_USEFUL = PRIO_USEFUL;
  static readonly PRIO_UNINTERESTING = PRIO_UNINTERESTING;
  static readonly PRIO_DEBUGONLY = PRIO_DEBUGONLY;
  /** Counter type bits [PERFCOUNTER_*]. */
  static readonly PERFCOUNTER_TIME = PERFCOUNTER_TIME;
  static readonly PERFCOUNTER_U64 = PERFCOUNTER_U64;
  static readonly PERFCOUNTER_LONGRUNAVG = PERFCOUNTER_LONGRUNAVG;
  static readonly PERFCOUNTER_COUNTER = PERFCOUNTER_COUNTER;
  static readonly PERFCOUNTER_HISTOGRAM = PERFCOUNTER_HISTOGRAM;
  static readonly PERFCOUNTER_TYPE_MASK = PERFCOUNTER_TYPE_MASK;

  /**
   * Every counter of priority ≥ `prioLimit` of every daemon whose type is in `services`, with its
   * newest value [get_all_perf_counters], in Pacific's shape:
   * `{"osd.0": {"osd.op_w": {description, nick, type, priority, units, value}}}` (`count` too for averages).
   *
   * ```ts
   * const all = this.getAllPerfCounters(PRIO_INTERESTING, ["osd"]);
   * const writes = Object.values(all).reduce((n, c) => n + (c["osd.op_w"]?.value ?? 0), 0);
   * ```
   */
  getAllPerfCounters(
    prioLimit: number = PRIO_USEFUL,
    services?: readonly string[],
  ): Record<string, Record<string, PerfCounter>> {
    return host().getAllPerfCounters(prioLimit, services);
  }

  /**
   * The newest value of one counter [get_latest], 0 when there is none.
   *
   * ```ts
   * const writes = this.getLatest("osd", "0", "osd.op_w");
   * ```
   */
  getLatest(daemonType: string, daemonName: string, counter: string): number {
    const data = host().getLatestCounter(
      checkStr("getLatest", "daemon type", daemonType),
      checkId("getLatest", daemonName),
      checkStr("getLatest", "counter", counter),
    )[counter];
    return data && data.length >= 2 ? data[1]! : 0;
  }

  /**
   * The newest `[sum, count]` of an average counter [get_latest_avg], `[0, 0]` when there is none.
   *
   * ```ts
   * const [sum, count] = this.getLatestAvg("osd", "0", "osd.op_r_latency");
   * ```
   */
  getLatestAvg(daemonType: string, daemonName: string, counter: string): [number, number] {
    const data = host().getLatestCounter(
      checkStr("getLatestAvg", "daemon type", daemonType),
      checkId("getLatestAvg", daemonName),
      checkStr("getLatestAvg", "counter", counter),
    )[counter];
    return data && data.length === 3 ? [data[1]!, data[2]!] : [0, 0];
  }

  /**
   * A mon command that must succeed [check_mon_command]: resolves to `{retval, stdout, stderr}`,
   * or rejects with `MonCommandFailed` carrying them (`e.retval`, `e.stdout`, `e.stderr`).
   *
   * ```ts
   * const pools = JSON.parse((await this.checkMonCommand({ prefix: "osd pool ls", format: "json" })).stdout);
   * ```
   */
  async checkMonCommand(cmd: { prefix: string; [arg: string]: unknown }, inbuf = ""): Promise<HandleCommandResult> {
    if (typeof cmd !== "object" || cmd === null || Array.isArray(cmd) || typeof cmd.prefix !== "string") {
      throw new TypeError(
        'checkMonCommand(): the command must be an object with a string prefix, such as {prefix: "osd pool ls"}',
      );
    }
    const r = await host().sendCommand(cmd, inbuf);
    if (r.retval !== 0) throw new MonCommandFailed(cmd.prefix, r.retval, r.stdout, r.stderr);
    return { retval: r.retval, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * The mgr's value of a Ceph option [get_ceph_option], typed by Ceph's schema (int, size → number,
   * float, secs → number, bool → boolean, the rest text). An unknown name throws RangeError.
   *
   * ```ts
   * const tick = this.getCephOption("mgr_tick_period") as number;   // 2
   * ```
   */
  getCephOption(key: string): CephOptionValue {
    return host().getCephOption(key);
  }

  /**
   * The value the cluster's config gives another daemon [get_foreign_ceph_option]: its own
   * section, its type's, global, then the default. Unknown options or entities throw RangeError.
   *
   * ```ts
   * const backfills = this.getForeignCephOption("osd.0", "osd_max_backfills") as number;
   * ```
   */
  getForeignCephOption(entity: string, key: string): CephOptionValue {
    return host().getForeignCephOption(entity, key);
  }
  // ---- declared permissions (issue 19) ----

  /**
   * What the module needs, in the grammar of mgr.json's `modules.NAME.allow`:
   * `static PERMISSIONS = { commands: ["osd pool ls"], data: ["osd_map"], remote: ["progress"] }`.
   * `tsmgr module info NAME` shows it beside what is granted; the module starts only once the
   * operator granted all of it (mgr.json, or `tsmgr module grant NAME --all`), and it may use
   * only what it declared, whatever else is granted. A module that declares no PERMISSIONS may
   * use everything granted to it (the rule before PERMISSIONS existed).
   */
  static PERMISSIONS?: ModulePermissions;
}

/** `static PERMISSIONS`: each list as in mgr.json's `modules.NAME.allow` (a missing key asks for nothing). */
export interface ModulePermissions {
  /** mon command prefixes, or "r" / "rw" for every command of that class */
  commands?: string[];
  /** `get()` names, or "*" */
  data?: string[];
  /** "host:port" addresses to serve HTTP on */
  net?: string[];
  /** what `fetch` may reach */
  fetch?: string[];
  /** modules ("progress") or exported methods ("crash.ls") to `remote()` */
  remote?: string[];
}

/**
 * What runs on standby daemons: export it as `Standby`. It gets only logging, `getMgrId`,
 * `getMgrIp`, `getActiveUri`, `getModuleOption`, `getLocalizedModuleOption`, `getStore`,
 * `getLocalizedStore` (read-only), `getCephOption`, `get("mgr_ips")`, `serve`/`shutdown` and HTTP if
 * granted; no other cluster data, store writes or commands.
 *
 * ```ts
 * export class Standby extends MgrStandbyModule {
 *   async serve() {
 *     this.serveHttp(() => ({ status: 303, headers: { location: this.getActiveUri() } }));
 *   }
 * }
 * ```
 */
export abstract class MgrStandbyModule {
  static readonly [KIND] = "standby";
  static MODULE_OPTIONS: readonly OptionDeclaration[] = [];

  readonly log: Logger = makeLogger();

  get stopping(): boolean {
    return host().stopping();
  }

  /** Runs for the standby's whole life. */
  async serve(): Promise<void> {}

  /** Make `serve()` return. */
  async shutdown(): Promise<void> {}

  sleep(ms: number): Promise<void> {
    return host().sleep(ms);
  }

  getMgrId(): string {
    return host().getMgrId();
  }

  /**
   * The IP address of the daemon this module runs in [get_mgr_ip]: the host part of its
   * `http.listen` in mgr.json, or "127.0.0.1" when HTTP is off. Available on standbys too.
   *
   * ```ts
   * this.log.info(`serving on ${this.getMgrIp()}`);
   * ```
   */
  getMgrIp(): string {
    return host().getMgrIp();
  }

  /** The active daemon's URI for this module's service, or "" while there is none. */
  getActiveUri(): string {
    return host().getActiveUri();
  }

  /** The typed value of one of the module's options, or its default. */
  getModuleOption<T = unknown>(name: string): T {
    return host().getModuleOption(name) as T;
  }

  /** Serves HTTP on a granted address (e.g. to redirect to the active daemon). */
  serveHttp(handler: (req: HttpRequest) => HttpResponse | Promise<HttpResponse>, options?: ServeHttpOptions): string {
    return host().serveHttp(handler, options);
  }

  /** A value from the module's store [get_store], read-only on a standby (kept current by the daemon). */
  getStore(key: string): string | undefined;
  getStore(key: string, defaultValue: string): string;
  getStore(key: string, defaultValue?: string): string | undefined {
    const v = host().getStore(key);
    return v === undefined ? defaultValue : v;
  }

  // ---- per-daemon settings (localized options and store) ----

  /**
   * The option's value for this daemon [get_localized_module_option]: `mgr/MODULE/MGR_ID/NAME`,
   * else `mgr/MODULE/NAME`, else its default, else `defaultValue`. Set one with
   * `tsmgr config set mgr mgr/MODULE/MGR_ID/NAME VALUE`. Read from memory in the isolate.
   *
   * ```ts
   * const port = this.getLocalizedModuleOption<number>("server_port");
   * ```
   */
  getLocalizedModuleOption<T = unknown>(name: string, defaultValue?: T): T {
    return host().getLocalizedModuleOption(name, defaultValue) as T;
  }

  /**
   * The value stored for this daemon [get_localized_store]: key `MGR_ID/KEY` of the module's store,
   * else `KEY`, else `defaultValue`.
   *
   * ```ts
   * const cert = this.getLocalizedStore("crt");
   * ```
   */
  getLocalizedStore(key: string): string | undefined;
  getLocalizedStore(key: string, defaultValue: string): string;
  getLocalizedStore(key: string, defaultValue?: string): string | undefined {
    return host().getLocalizedStore(key, defaultValue);
  }
  // ---- Ceph options and the mgr's addresses ----

  /** The mgr's value of a Ceph option [get_ceph_option]; see MgrModule.getCephOption. */
  getCephOption(key: string): CephOptionValue {
    return host().getCephOption(key);
  }

  /**
   * A standby's cluster data [MgrStandbyModule.get]: only `"mgr_ips"` (`{ ips: ["10.0.0.5"] }`),
   * as a Pacific standby; any other name throws PermissionDenied.
   */
  get<T = any>(dataName: "mgr_ips"): T {
    return host().get(dataName) as T;
  }
}

// ---- perf counters and check_mon_command ------------------------------------------------

/**
 * What checkMonCommand() rejects with [MonCommandFailed]: Ceph's message
 * (`"osd pool create failed: ... retval: -22"`) and the command's `retval`, `stdout`, `stderr`.
 *
 * ```ts
 * try { await this.checkMonCommand({ prefix: "osd pool get", pool: "nope", var: "size" }); }
 * catch (e) { if ((e as Error).name === "MonCommandFailed") this.log.warn((e as MonCommandFailed).stderr); }
 * ```
 */
export class MonCommandFailed extends Error {
  override name = "MonCommandFailed";
  constructor(
    prefix: string,
    readonly retval: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${prefix} failed: ${stderr} retval: ${retval}`);
  }
}

function checkStr(fn: string, what: string, v: unknown): string {
  if (typeof v !== "string")
    throw new TypeError(`${fn}(): the ${what} must be a string, got ${v === null ? "null" : typeof v}`);
  return v;
}

/** A daemon id: a string, or an OSD's number. */
function checkId(fn: string, v: unknown): string {
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  return checkStr(fn, "daemon name", v);
}

// ---- typed commands (issue 18) ----

/** What `defineCommands` returns: the descriptors for `static COMMANDS` and a `handleCommand` body. */
export interface CommandTable<M> {
  readonly descriptors: CommandDescriptor[];
  handle(module: M, inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult>;
}

/**
 * One method per command, as Ceph's `@CLIReadCommand`: each key is a descriptor, and its `run`
 * gets the arguments typed from it (`person?: string` below).
 *
 * ```ts
 * const commands = defineCommands({
 *   "hello name=person,type=CephString,req=false": { desc: "Say hello", perm: "r", run: (m: Hello, a) => `hello ${a.person ?? "world"}` },
 * });
 * export default class Hello extends MgrModule {
 *   static COMMANDS = commands.descriptors;
 *   handleCommand(inbuf: string, cmd: CommandArgs) {
 *     return commands.handle(this, inbuf, cmd);
 *   }
 * }
 * ```
 */
export function defineCommands<T extends Record<string, unknown>, M = any>(table: {
  [D in keyof T & string]: TypedCommand<D, M>;
}): CommandTable<M> {
  const entries = Object.entries(table as Record<string, TypedCommand<string, M>>);
  const byPrefix = new Map(
    entries.map(([cmd, c]) => [
      cmd
        .split(" ")
        .filter((w) => w !== "" && !w.includes("="))
        .join(" "),
      c,
    ]),
  );
  return Object.freeze({
    descriptors: entries.map(([cmd, c]) => ({ cmd, desc: c.desc, perm: c.perm })),
    async handle(module: M, inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
      const c = byPrefix.get(cmd.prefix);
      if (!c)
        return {
          retval: -22,
          stdout: "",
          stderr: `command "${cmd.prefix}" is not in this module's defineCommands table`,
        };
      try {
        const out = await c.run(module, cmd as never, inbuf);
        return typeof out === "string" ? { retval: 0, stdout: out, stderr: "" } : out;
      } catch (e) {
        return { retval: -22, stdout: "", stderr: e instanceof Error ? e.message : String(e) };
      }
    },
  });
}
