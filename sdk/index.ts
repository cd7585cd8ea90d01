// @tsmgr/sdk: the whole contract between a module author and the tsmgr daemon.
// This code runs inside the module's V8 isolate; it imports nothing from Node or runtime/.
import { host, KIND } from "./_host.ts";
import type {
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
  CommandDeclaration,
  OptionDeclaration,
  TypedCommand,
  ServeHttpOptions,
  ServerInfo,
} from "./types.ts";

export type * from "./types.ts";

/** Ceph's CLUSTER_LOG_PRIO: the `priority` of `clusterLog()`. */
export const ClusterLogPrio = Object.freeze({ DEBUG: 0, INFO: 1, SEC: 2, WARN: 3, ERROR: 4 } as const);

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
   */
  get<T = any>(dataName: string): T {
    return host().get(dataName) as T;
  }

  /** One host's daemons: `{ hostname, ceph_version, services }`, or `null` if the host is unknown. */
  getServer(hostname: string): ServerInfo | null {
    return host().getServer(hostname);
  }

  /** Every host with its daemons. */
  listServers(): ServerInfo[] {
    return host().listServers();
  }

  /**
   * A daemon's metadata (`getMetadata("osd", "0")`), or `defaultValue` (`null` unless given) when
   * there is none (yet, or any more) [get_metadata].
   */
  getMetadata(svcType: string, svcId: string): Record<string, string> | null;
  getMetadata<D>(svcType: string, svcId: string, defaultValue: D): Record<string, string> | D;
  getMetadata(svcType: string, svcId: string, defaultValue: unknown = null): unknown {
    return host().getMetadata(svcType, String(svcId)) ?? defaultValue;
  }

  /** A daemon's latest status strings, or `null`. */
  getDaemonStatus(svcType: string, svcId: string): Record<string, string> | null {
    return host().getDaemonStatus(svcType, String(svcId));
  }

  /** The perf counter schema of one daemon (`{}` when unknown). */
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
   * Sends a mon command without blocking: `await this.sendCommand({ prefix: "osd pool ls", format: "json" })`.
   * Needs a grant in mgr.json (`modules.NAME.allow.commands`). Resolves to `{retval, stdout, stderr}`
   * with Ceph's negative errno on failure; the module also gets `notify("command", tag)`.
   */
  sendCommand(cmd: { prefix: string; [arg: string]: unknown }, inbuf = ""): Promise<HandleCommandResult> {
    return host().sendCommand(cmd, inbuf);
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
}

/**
 * What runs on standby daemons: export it as `Standby`. It gets only logging, `getMgrId`,
 * `getActiveUri`, `getModuleOption`, `getLocalizedModuleOption`, `getStore`, `getLocalizedStore`
 * (read-only), `serve`/`shutdown` and HTTP if granted; no cluster data, store writes or commands.
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
export function defineCommands<T extends Record<string, unknown>, M = any>(table: { [D in keyof T & string]: TypedCommand<D, M> }): CommandTable<M> {
  const entries = Object.entries(table as Record<string, TypedCommand<string, M>>);
  const byPrefix = new Map(entries.map(([cmd, c]) => [cmd.split(" ").filter((w) => w !== "" && !w.includes("=")).join(" "), c]));
  return Object.freeze({
    descriptors: entries.map(([cmd, c]) => ({ cmd, desc: c.desc, perm: c.perm })),
    async handle(module: M, inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
      const c = byPrefix.get(cmd.prefix);
      if (!c) return { retval: -22, stdout: "", stderr: `command "${cmd.prefix}" is not in this module's defineCommands table` };
      try {
        const out = await c.run(module, cmd as never, inbuf);
        return typeof out === "string" ? { retval: 0, stdout: out, stderr: "" } : out;
      } catch (e) {
        return { retval: -22, stdout: "", stderr: e instanceof Error ? e.message : String(e) };
      }
    },
  });
}
