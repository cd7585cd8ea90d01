// One module's life in the daemon: build → isolate → constructor → serve(), commands and
// notifies into the running version, hot swap to a new version (the old one keeps serving
// until the new one constructed), shutdown with a deadline, and restart with back-off.
import { clusterPriority, passes } from "./module-logging.ts";
import {
  boundedErrorText,
  buildHostTable,
  clusterCellsOf,
  CommandGate,
  DataPusher,
  getLocalizedOption,
  ModuleFetcher,
  ModuleMirror,
  ModuleNotFound,
  setLocalizedOption,
  type ModuleContext,
  type ModulePhase,
  type RemoteCallee,
} from "../api/index.ts";
import type { ClusterSource, CommandResult } from "../cluster/index.ts";
import { moduleLimits, type Config, type Limits, type ModuleConfig } from "../config/index.ts";
import { CommandError, Errno, ModuleLoadError } from "../errors.ts";
import { displayPath, ModuleBuilder, type Bundle, type BundleCache } from "../loader/index.ts";
import { LogRateLimiter, type Logger } from "../log/index.ts";
import { ModuleSandbox, type HostFn, type HostValue, type TimerClock } from "../sandbox/index.ts";
import { getOption, ModuleStore, setOption, type KvStore, type OptionDecl } from "../store/index.ts";
import { checkMeta, type CheckedMeta, type ModuleCommand } from "./module-meta.ts";
import { checkClusterLog, writeClusterLog } from "./cluster-log.ts";
import type { ProgressEvents } from "./progress.ts";
import { ModuleUsage, type CallKind, type ModuleAccounting } from "./accounting.ts";
import type { GrantLists } from "./grants.ts";
import { resolve } from "node:path";

export type ModuleState = "disabled" | "loading" | "active" | "standby" | "failed" | "stopped";

export interface ModuleError {
  message: string;
  /** what failed: building or constructing it, a reload (the previous version kept running), or the running module */
  during: "load" | "reload" | "run";
  location?: string;
  frame?: string;
  since: string;
}

export interface ModuleStatus {
  name: string;
  enabled: boolean;
  state: ModuleState;
  file: string;
  version: string | null;
  loaded_at: string | null;
  error: ModuleError | null;
  restarts: number;
  commands: string[];
  grants: ModuleConfig["allow"];
  heap_bytes: number;
  notifies_coalesced: number;
  /** Ceph's can_run / error_string, as of the last load (true until a load said otherwise) */
  can_run: boolean;
  error_string: string;
  /** CPU, heap, calls, store use (issue 19: added by the module manager) */
  accounting?: ModuleAccounting;
}

/** What a runner needs from the daemon; the module manager provides it. */
export interface RunnerServices {
  config: Config;
  cache: BundleCache;
  logger: Logger;
  cluster: ClusterSource;
  kv: KvStore;
  moduleConfig(name: string): ModuleConfig;
  activeUri(name: string): string;
  sendCommand(
    name: string,
    cmd: Record<string, unknown>,
    inbuf: string,
    opts?: { target?: string; tag?: string },
  ): Promise<CommandResult & { tag?: string }>;
  setHealthChecks(name: string, checks: unknown): void;
  serveHttp(name: string, runner: ModuleRunner, address: string): string;
  stopHttp(name: string): void;
  /** a new version may bring other commands: check them against the other modules' (may wait for modules starting beside it) */
  checkCommands(name: string, commands: ModuleCommand[]): void | Promise<void>;
  changed(name: string): void;
  // ---- remote calls, progress events (issue 15) ----
  remote(caller: string, target: string, method: string, argsJson: string): Promise<string | undefined>;
  progress: ProgressEvents;
  /** a grant decision of this module, for the audit log */
  audit?(name: string, e: { fn: string; asked: string; allowed: boolean; key: string }): void;
  // ---- declared permissions (issue 19) ----
  /** throws when the module's static PERMISSIONS ask for more than it was granted */
  permit?(name: string, declared: GrantLists | undefined): void;
  // ---- test kit (@tsmgr/sdk/testing) ----
  kit?: KitHooks;
}

/** What the test kit (runtime/testing) plugs into a daemon; a real daemon has none of it. */
export interface KitHooks {
  /** module timers and sleep() wait on this clock instead of Node's */
  clock?: TimerClock;
  /** remote() targets that stand in for modules (checked before the running modules) */
  remoteCallee?(name: string): RemoteCallee | undefined;
  /** called after a module's notify() returned (or threw) */
  notified?(module: string, type: string, id: unknown): void;
}

interface Version {
  bundle: Bundle;
  sandbox: ModuleSandbox;
  meta: CheckedMeta;
  phase: ModulePhase;
  inflight: number;
  drained: (() => void)[];
  serving: Promise<void> | undefined;
  loadedAt: string;
  /** the isolate's mirror of the module's store keys and options (disposed with the isolate) */
  mirror: ModuleMirror;
  /** what cluster data to move in ahead of get() (active, on a cluster with generations) */
  pusher: DataPusher | undefined;
}

const NOTIFY_QUEUE_MAX = 1000;

export class ModuleRunner {
  readonly name: string;
  readonly #entry: string;
  readonly #s: RunnerServices;
  readonly #log: Logger;
  readonly #builder: ModuleBuilder;
  #role: "active" | "standby" = "active";
  #current: Version | undefined;
  #state: ModuleState = "stopped";
  #error: ModuleError | null = null;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #notifyQueue = new Map<string, [string, unknown]>();
  #notifying = false;
  #coalesced = 0;
  #wanted = false;
  /** one store view per module (not per version): it keeps a key count fed by the KvStore */
  #store: ModuleStore | undefined;
  // ---- declared permissions and accounting (issue 19) ----
  readonly usage = new ModuleUsage();
  #declared: GrantLists | undefined;
  #requested: GrantLists | undefined;
  #everLoaded = false;

  /** The running (or last run) version's static PERMISSIONS: what its grants are intersected with. */
  get permissions(): GrantLists | undefined {
    return this.#declared;
  }

  /** The static PERMISSIONS of the last version built (run or refused), and whether one was. */
  get requested(): { known: boolean; permissions: GrantLists | undefined } {
    return { known: this.#everLoaded, permissions: this.#requested };
  }

  /** The running isolate's CPU so far (its own and host time charged to it) and heap, for accounting. */
  cpuNow(): { isolate: object; ms: number; heapBytes: number } | undefined {
    const sb = this.#current?.sandbox;
    if (!sb || sb.disposed) return undefined;
    return { isolate: sb, ms: sb.cpuMs + sb.hostMs, heapBytes: sb.heapBytes() };
  }

  constructor(name: string, entry: string, services: RunnerServices) {
    this.name = name;
    this.#entry = entry;
    this.#s = services;
    this.#log = services.logger.child({ module: name });
    this.#builder = new ModuleBuilder(name, entry, services.config.modulePath);
  }

  get entry(): string {
    return this.#entry;
  }

  get limits(): Limits {
    return moduleLimits(this.#s.config, this.name);
  }

  /** The running version's commands (none while not running). */
  get commands(): ModuleCommand[] {
    return this.#current?.meta.commands ?? [];
  }

  /**
   * What the command table lists for this module: its commands while it runs, and its last
   * known ones while it is wanted but failed or restarting, so callers hear "Module 'x' has
   * experienced an error" rather than "no valid command found".
   */
  get tableCommands(): ModuleCommand[] {
    return this.#current?.meta.commands ?? (this.#wanted ? this.#lastCommands : []);
  }
  #lastCommands: ModuleCommand[] = [];

  /** The commands of the last version that ran, whether or not it runs now (for "it is disabled" hints). */
  get lastCommands(): ModuleCommand[] {
    return this.#lastCommands;
  }

  /** Files the running (or last attempted) bundle was built from. */
  inputs: string[] = [];

  get running(): boolean {
    return this.#current !== undefined && this.#current.phase === "running";
  }

  status(enabled: boolean): ModuleStatus {
    const v = this.#current;
    return {
      name: this.name,
      enabled,
      state: enabled ? this.#state : this.#state === "failed" ? "failed" : "disabled",
      file: displayPath(this.#s.config.modulePath, this.#entry),
      version: v?.bundle.version ?? null,
      loaded_at: v?.loadedAt ?? null,
      error: this.#error,
      restarts: this.#restarts,
      commands: v?.meta.commands.map((c) => c.signature.text) ?? [],
      grants: this.#s.moduleConfig(this.name).allow,
      heap_bytes: v ? v.sandbox.heapBytes() : 0,
      notifies_coalesced: this.#coalesced,
      can_run: this.#canRun[0],
      error_string: this.#canRun[1],
    };
  }

  /** Serializes start/reload/stop so they never interleave. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Starts the module in `role` (a no-op for a standby without a Standby class). */
  start(role: "active" | "standby"): Promise<void> {
    this.#wanted = true;
    this.#role = role;
    return this.#exclusive(async () => {
      if (this.#current) return;
      this.#state = "loading";
      try {
        const v = await this.#load(await this.#bundle());
        if (!v) {
          this.#state = "stopped";
          return;
        }
        this.#error = null;
        this.#activate(v);
      } catch (e) {
        this.#loadFailed(e as Error);
      }
    });
  }

  /**
   * Builds and starts the current source beside the running version; swaps only when the new
   * one constructed. On any error the old version keeps running and the error is reported.
   */
  reload(reason: string, force = false): Promise<boolean> {
    return this.#exclusive(async () => {
      if (!this.#wanted) return false;
      clearTimeout(this.#restartTimer);
      const old = this.#current;
      let v: Version | undefined;
      const t0 = performance.now();
      try {
        const bundle = await this.#bundle();
        if (!force && old && old.phase === "running" && bundle.version === old.bundle.version && !this.#error)
          return false;
        v = await this.#load(bundle);
      } catch (e) {
        this.#loadFailed(e as Error, old !== undefined);
        return false;
      }
      if (!v) return false;
      this.#error = null;
      this.#restarts = 0;
      this.#current = v;
      if (old) await this.#stopVersion(old, "replaced by a new version");
      this.#activate(v);
      this.#log.info({ version: v.bundle.version, ms: Math.round(performance.now() - t0), reason }, "module reloaded");
      return true;
    });
  }

  /**
   * Shuts the module down (disable, role change, daemon stop). With `restarting`, it is about to
   * start again in another role: meanwhile commands get EAGAIN ("still loading"), not EIO.
   */
  stop(reason: string, restarting = false): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#restartTimer);
    return this.#exclusive(async () => {
      const v = this.#current;
      this.#current = undefined;
      this.#state = restarting ? "loading" : "stopped";
      this.#notifyQueue.clear();
      if (v) await this.#stopVersion(v, reason);
      this.#s.changed(this.name);
    });
  }

  async dispose(): Promise<void> {
    await this.stop("daemon stopping");
    await this.#builder.dispose();
    this.#store?.dispose();
    this.#store = undefined;
  }

  // ---- loading -------------------------------------------------------------------------

  async #bundle(): Promise<Bundle> {
    const cached = this.#s.cache.get(this.name, this.#entry);
    if (cached) {
      this.inputs = cached.inputs;
      return cached;
    }
    try {
      const b = await this.#builder.build();
      this.inputs = b.inputs;
      // written off the reload's critical path (a 1 MB bundle takes ~12 ms), keyed by what was built
      setImmediate(() => this.#s.cache.put(this.#entry, b));
      return b;
    } catch (e) {
      // keep watching whatever the failed build read (at least the entry file)
      if (!this.inputs.includes(this.#entry)) this.inputs = [...this.inputs, this.#entry];
      throw e;
    }
  }

  /** A new, constructed version (not yet serving), or undefined when this role has nothing to run. */
  // long: the steps of a load in order (context, isolate, metadata, grants, constructor), each
  // undone on failure; split up they would pass the half-built version back and forth
  async #load(bundle: Bundle): Promise<Version | undefined> {
    const limits = this.limits;
    const role = this.#role;
    let version: Version | undefined;
    const decls = () => version?.meta.options ?? [];
    const ctx = this.#context(() => version?.phase ?? "constructing", decls);
    const modulePath = this.#s.config.modulePath;
    const mirror = new ModuleMirror(this.#s.kv, this.name, this.#s.config.id, decls);
    const cells = role === "active" ? clusterCellsOf(this.#s.cluster) : undefined;
    const pusher = cells
      ? new DataPusher(
          this.#s.cluster,
          cells,
          (n) => ctx.dataGranted(n),
          Math.floor((limits.memoryMb * 1024 * 1024) / 8),
        )
      : undefined;
    ctx.dataRead = pusher ? (n, ver) => pusher.read(n, ver) : undefined;
    const host = hostTable(ctx, mirror, cells);
    let sandbox: ModuleSandbox;
    let declaredBefore: GrantLists | undefined | false = false;
    try {
      sandbox = await ModuleSandbox.create({
        name: this.name,
        role,
        bundle,
        displayPath: (src) => displayPath(modulePath, resolve("/tsmgr", src)),
        memoryMb: limits.memoryMb,
        callTimeoutMs: limits.callTimeoutMs,
        maxTimers: limits.maxTimers,
        host,
        // the shared version cells are brought current before every call in
        generation: cells
          ? () => cells.refresh()
          : this.#s.cluster.generation
            ? () => this.#s.cluster.generation!()
            : undefined,
        cpuShare: limits.cpuShare,
        clock: this.#s.kit?.clock,
        onFatal: (err) => {
          if (version) this.#failed(version, err);
        },
        onTimerError: (err) =>
          this.#limited(() => this.#log.error({ err: boundedErrorText(err) }, "exception in a timer callback")),
      });
    } catch (e) {
      mirror.dispose();
      throw e;
    }
    try {
      const meta = checkMeta(this.name, displayPath(modulePath, this.#entry), sandbox.meta);
      this.#canRun = [meta.canRun, meta.errorString];
      [this.#requested, this.#everLoaded] = [meta.permissions, true];
      this.#s.permit?.(this.name, meta.permissions);
      declaredBefore = this.#declared;
      this.#declared = meta.permissions;
      if (!meta.canRun)
        throw new ModuleLoadError(
          `module ${this.name} cannot run here: ${meta.errorString || "its canRun check said no"} (Ceph's can_run)`,
        );
      if (role === "standby" && !meta.hasStandby) {
        sandbox.dispose();
        mirror.dispose();
        return undefined;
      }
      if (role === "active") await this.#s.checkCommands(this.name, meta.commands);
      version = {
        bundle,
        sandbox,
        meta,
        phase: "constructing",
        inflight: 0,
        drained: [],
        serving: undefined,
        loadedAt: new Date().toISOString(),
        mirror,
        pusher,
      };
      await sandbox.construct(role);
      version.phase = "running";
      return version;
    } catch (e) {
      if (declaredBefore !== false) this.#declared = declaredBefore;
      sandbox.dispose();
      mirror.dispose();
      throw constructorError(this.name, e as Error);
    }
  }

  #canRun: [boolean, string] = [true, ""];

  #activate(v: Version): void {
    this.#current = v;
    this.#lastCommands = v.meta.commands;
    this.#state = this.#role;
    v.serving = v.sandbox.serve().then(
      () => this.#log.debug("serve() returned"),
      (err: Error) => {
        if (v.phase === "running") this.#failed(v, err);
      },
    );
    this.#log.info({ version: v.bundle.version, role: this.#role }, "module started");
    this.#s.changed(this.name);
  }

  #loadFailed(err: Error, keptOld = false): void {
    const e = err instanceof ModuleLoadError ? err : new ModuleLoadError(err.message);
    this.#error = {
      message: e.message,
      during: keptOld ? "reload" : "load",
      location: e.location,
      frame: e.frame,
      since: new Date().toISOString(),
    };
    if (!keptOld) this.#state = "failed";
    this.#log.error(
      { location: e.location, frame: e.frame, keptOld },
      keptOld ? `${e.message} (the previous version keeps running)` : e.message,
    );
    this.#s.changed(this.name);
  }

  /** Marks the running version failed from outside (e.g. its HTTP address could not be bound). */
  fail(err: Error): void {
    if (this.#current) this.#failed(this.#current, err);
  }

  /** A running version died (serve threw, memory, busy loop): report and restart with back-off. */
  #failed(v: Version, err: Error): void {
    if (this.#current !== v || v.phase !== "running") return;
    v.phase = "stopping";
    this.#current = undefined;
    v.sandbox.dispose();
    v.mirror.dispose();
    this.#s.stopHttp(this.name);
    this.#s.progress.drop(this.name);
    this.#state = "failed";
    this.usage.failures++;
    const limits = this.limits;
    const giveUp = this.#restarts >= limits.maxRestarts;
    const message = err.stack && err.name !== "LimitExceeded" ? err.stack : `${err.name}: ${err.message}`;
    this.#error = {
      message: giveUp
        ? `${message} (gave up after ${this.#restarts} restarts: fix the module, then tsmgr module reload ${this.name})`
        : message,
      during: "run",
      since: new Date().toISOString(),
    };
    this.#log.error({ restarts: this.#restarts }, `module failed: ${message}`);
    this.#s.changed(this.name);
    if (giveUp || !this.#wanted) return;
    const delay = limits.restartBackoffMs * 2 ** this.#restarts;
    this.#restarts++;
    this.#restartTimer = setTimeout(() => {
      if (!this.#wanted || this.#current) return;
      void this.#exclusive(async () => {
        if (this.#current || !this.#wanted) return;
        try {
          const nv = await this.#load(await this.#bundle());
          if (!nv) return;
          // running again: the failure is history (module ls counts the restarts), not health
          this.#error = null;
          this.usage.restarts++;
          this.#activate(nv);
        } catch (e) {
          this.#loadFailed(e as Error);
        }
      });
    }, delay);
    this.#restartTimer.unref();
  }

  async #stopVersion(v: Version, reason: string): Promise<void> {
    const shutdownMs = this.limits.shutdownMs;
    const t0 = performance.now();
    // every step shares limits.shutdownMs, so a stop is bounded whatever the module is doing
    const left = () => Math.max(10, Math.round(shutdownMs - (performance.now() - t0)));
    if (v.inflight > 0)
      await withTimeout(new Promise<void>((r) => v.drained.push(r)), Math.min(this.limits.callTimeoutMs, left()));
    v.phase = "stopping";
    this.#s.stopHttp(this.name);
    this.#s.progress.drop(this.name);
    await v.sandbox.signalStop(Math.min(this.limits.callTimeoutMs, left()));
    try {
      await v.sandbox.call("shutdown", [], left());
    } catch (e) {
      this.#log.warn(
        { reason },
        `shutdown() failed or did not return within ${shutdownMs} ms (limits.shutdownMs): ${(e as Error).message}; the isolate is disposed anyway`,
      );
    }
    if (v.serving && !(await withTimeout(v.serving, left()))) {
      this.#log.warn(
        `serve() did not return within ${shutdownMs} ms of shutdown (limits.shutdownMs): the isolate is disposed anyway`,
      );
    }
    v.sandbox.dispose();
    v.mirror.dispose();
    this.#log.info({ version: v.bundle.version, reason, ms: Math.round(performance.now() - t0) }, "module stopped");
  }

  // ---- calls into the module -----------------------------------------------------------

  async #use<T>(fn: (v: Version) => Promise<T>, kind?: CallKind): Promise<T> {
    const v = this.#current;
    if (!v || v.phase !== "running") {
      const why = this.#error
        ? `has experienced an error and cannot handle commands: ${this.#error.message}`
        : this.#state === "loading"
          ? "is still loading"
          : "is not running";
      throw new CommandError(this.#state === "loading" ? Errno.EAGAIN : Errno.EIO, `Module '${this.name}' ${why}`);
    }
    v.inflight++;
    const t0 = performance.now();
    let failed = true;
    try {
      const out = await fn(v);
      failed = false;
      return out;
    } finally {
      if (kind) this.usage.call(kind, performance.now() - t0, failed);
      if (--v.inflight === 0) for (const r of v.drained.splice(0)) r();
    }
  }

  /** Runs the module's handleCommand and checks what it returned. */
  async handleCommand(inbuf: string, cmd: Record<string, unknown>, timeoutMs?: number): Promise<CommandResult> {
    try {
      return await this.#use(
        async (v) =>
          checkResult(
            this.name,
            await v.sandbox.call("handleCommand", [inbuf, cmd], timeoutMs),
            this.limits.maxOutputBytes,
          ),
        "command",
      );
    } catch (e) {
      const err = e as Error & { errno?: number };
      if (err instanceof CommandError) return { retval: -err.errno, stdout: "", stderr: err.message };
      if (err.name === "LimitExceeded") return { retval: -Errno.EIO, stdout: "", stderr: err.message };
      // as ceph-mgr: an exception in a command handler is EINVAL with the traceback
      return { retval: -Errno.EINVAL, stdout: "", stderr: err.stack ?? `${err.name}: ${err.message}` };
    }
  }

  /** The running version's static EXPORTS (none while not running). */
  get exports(): readonly string[] {
    return this.#current?.meta.exports ?? [];
  }

  /** Runs an exported method for another module's remote() (or the daemon's selfTest) under this module's limits. */
  async callExport(method: string, argsJson: string, internal: boolean): Promise<string | undefined> {
    try {
      return decodeAnswer(await this.#use((v) => v.sandbox.callExport(method, argsJson, internal), "remote"));
    } catch (e) {
      const err = e as Error & { errno?: number };
      if (err instanceof CommandError && err.errno !== Errno.ETIMEDOUT)
        throw new ModuleNotFound(`remote(): ${err.message}`);
      throw err;
    }
  }

  /** Forwards an HTTP request to the running version's handler. */
  http(req: object, timeoutMs: number): ReturnType<ModuleSandbox["http"]> {
    return this.#use((v) => v.sandbox.http(req, timeoutMs), "http");
  }

  /** Queues a notification: only subscribed types, coalesced per (type, id), delivered in order one at a time. */
  notify(type: string, id: unknown): void {
    const v = this.#current;
    if (!v || v.phase !== "running" || this.#role !== "active") return;
    if (!v.meta.notifyTypes.has(type)) {
      this.#pushSoon(v);
      return;
    }
    const key = `${type}\0${typeof id === "string" ? id : JSON.stringify(id)}`;
    if (this.#notifyQueue.has(key)) {
      this.#coalesced++;
      return;
    }
    if (this.#notifyQueue.size >= NOTIFY_QUEUE_MAX) {
      const oldest = this.#notifyQueue.keys().next().value as string;
      this.#notifyQueue.delete(oldest);
      this.#coalesced++;
    }
    this.#notifyQueue.set(key, [type, id]);
    if (!this.#notifying) void this.#drainNotifies();
  }

  async #drainNotifies(): Promise<void> {
    this.#notifying = true;
    try {
      for (;;) {
        const next = this.#notifyQueue.entries().next();
        if (next.done) return;
        const [key, [type, id]] = next.value;
        this.#notifyQueue.delete(key);
        // the data this notify announces rides along, parsed in the isolate before notify() runs
        await this.#use((v) => v.sandbox.call("notify", [type, id], undefined, v.pusher?.take(type)), "notify").catch(
          (e: Error) => {
            if (e.name !== "CommandError" || (e as CommandError).errno === Errno.ETIMEDOUT)
              this.#limited(() => this.#log.warn({ type }, `notify() failed: ${boundedErrorText(e)}`));
          },
        );
        this.#s.kit?.notified?.(this.name, type, id);
      }
    } finally {
      this.#notifying = false;
    }
  }

  /**
   * A module that fetched data recently gets its next versions moved in ahead of its next get(),
   * subscribed or not: once per event burst, off the daemon's thread (the isolate parses).
   */
  #pushSoon(v: Version): void {
    if (this.#pushing || !v.pusher?.stale()) return;
    this.#pushing = true;
    setImmediate(() => {
      this.#pushing = false;
      if (this.#current !== v || v.phase !== "running") return;
      const pushed = v.pusher!.take();
      if (pushed.length > 0) void this.#use((cur) => cur.sandbox.push(pushed)).catch(() => {});
    });
  }
  #pushing = false;

  /** Called after one of this module's options changed. */
  configNotify(): void {
    // logged as notify() failures are: through the module's limiter, with a bounded stack
    void this.#use((v) => v.sandbox.call("configNotify", []), "config_notify").catch((e: Error) => {
      if (e.name !== "CommandError" || (e as CommandError).errno === Errno.ETIMEDOUT)
        this.#limited(() => this.#log.warn({ err: boundedErrorText(e) }, "configNotify() failed"));
    });
  }

  optionDecls(): OptionDecl[] {
    return this.#current?.meta.options ?? [];
  }

  // ---- the context the host table is bound to -------------------------------------------

  /**
   * Every line a module causes (its own, its unknown get() names, its exceptions) passes the
   * module's one rate limit: none may flood the daemon's log around it.
   */
  #limited(write: () => void): void {
    this.#limiter ??= new LogRateLimiter(this.limits.logLinesPerSec, (n) =>
      this.#log.warn({ suppressed: n }, `suppressed ${n} log lines (limits.logLinesPerSec)`),
    );
    if (this.#limiter.take()) write();
  }
  #limiter: LogRateLimiter | undefined;

  #context(phase: () => ModulePhase, decls: () => OptionDecl[]): ModuleContext {
    const s = this.#s;
    const name = this.name;
    const levels: Record<string, "debug" | "info" | "warn" | "error"> = {
      debug: "debug",
      info: "info",
      warn: "warn",
      warning: "warn",
      error: "error",
      err: "error",
    };
    const store = (this.#store ??= new ModuleStore(s.kv, name, s.moduleConfig(name).store));
    const gate = new CommandGate(name);
    const fetcher = new ModuleFetcher(name, () => s.moduleConfig(name).allow.fetch ?? [], this.limits);
    return {
      name,
      role: this.#role,
      mgrId: s.config.id,
      mgrIp: hostOf(s.config.http.listen),
      phase,
      log: (level, message) => {
        // own properties only: a level such as "__proto__" is logged at info, not dropped
        const at = Object.hasOwn(levels, level) ? levels[level]! : "info";
        const opt = (o: string) => (decls().some((d) => d.name === o) ? getOption(s.kv, name, decls(), o) : undefined);
        if (!passes(at, opt("log_level"))) return; // Ceph's per-module log_level option
        const text = message.length > 16384 ? message.slice(0, 16384) + "…(truncated)" : message;
        this.#limited(() => this.#log[at](text));
        if (opt("log_to_cluster") === true && passes(at, opt("log_to_cluster_level"))) {
          const [ch, prio] = checkClusterLog("cluster", clusterPriority(at));
          writeClusterLog(s.cluster, ch, prio, `[${name}] ${text}`).catch(() => {});
        }
      },
      activeUri: () => s.activeUri(name),
      getOption: (opt) => getOption(s.kv, name, decls(), opt),
      serveHttp: (address) => s.serveHttp(name, this, address),
      cluster: s.cluster,
      store,
      // read on every call: `module revoke` (and a reload's new mgr.json) apply at once
      dataGranted: (n) => {
        const data = s.moduleConfig(name).allow.data;
        return data.includes("*") || data.includes(n);
      },
      unknownData: (n) =>
        this.#limited(() =>
          this.#log.warn(
            `get(${JSON.stringify(n)}): no such data; valid names are ${s.cluster.dataNames().join(", ")}`,
          ),
        ),
      sendCommand: (cmd, inbuf, opts) => gate.run(() => s.sendCommand(name, cmd, inbuf, opts)),
      setOption: (opt, value) => setOption(store, decls(), opt, value),
      setHealthChecks: (checks) => s.setHealthChecks(name, checks),
      // ---- remote calls, progress events, cluster log (issue 15) ----
      remote: (target, method, argsJson) => s.remote(name, target, method, argsJson),
      progress: {
        update: (id, message, fraction, opts) => s.progress.update(name, id, message, fraction, opts),
        complete: (id) => void s.progress.complete(name, id),
        fail: (id, message) => {
          if (s.progress.fail(name, id, message))
            this.#limited(() => this.#log.warn({ event: id }, `progress event failed: ${message}`));
        },
      },
      clusterLog: (channel, priority, message) => {
        const [ch, prio] = checkClusterLog(channel, priority);
        writeClusterLog(s.cluster, ch, prio, message).catch((e: Error) =>
          this.#limited(() => this.#log.warn(`clusterLog(): ${e.message}`)),
        );
      },
      getLocalizedOption: (opt) => getLocalizedOption(s.kv, name, s.config.id, decls(), opt),
      setLocalizedOption: (opt, value) => setLocalizedOption(store, s.config.id, decls(), opt, value),
      audit: s.audit && ((e) => s.audit!(name, e)),
      // ---- web-standard globals and fetch (issue 18) ----
      fetch: (head, body) => fetcher.fetch(head, body),
      fetchAbort: (id) => fetcher.abort(id),
    };
  }
}

/** The prelude's answer to an "export" call: "r" + JSON (or nothing), or "e" + {name, message}, thrown. */
function decodeAnswer(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw === "") throw new TypeError("internal error: a remote call's answer is not text");
  if (raw[0] === "r") return raw.length === 1 ? undefined : raw.slice(1);
  const { name, message } = JSON.parse(raw.slice(1)) as { name: string; message: string };
  const err = new Error(message);
  err.name = name;
  throw err;
}

/** The sandbox-internal host entries of the store mirror: its shared counter and the drain. */
function mirrorTable(mirror: ModuleMirror): Record<string, HostFn | HostValue> {
  return { mirror: { kind: "value", value: mirror.buffer }, mirrorDrain: { kind: "sync", fn: () => mirror.drain() } };
}

/** Everything the isolate gets from the host: the module surface, its store mirror, the shared data versions. */
function hostTable(ctx: ModuleContext, mirror: ModuleMirror, cells: ReturnType<typeof clusterCellsOf> | undefined) {
  return {
    ...buildHostTable(ctx),
    ...mirrorTable(mirror),
    ...(cells
      ? ({
          clusterCells: { kind: "value", value: cells.buffer },
          clusterNames: { kind: "value", value: JSON.stringify(cells.names) },
        } as const)
      : {}),
  };
}

/** A failed load as the operator sees it: the constructor's error at the module's own line. */
function constructorError(name: string, err: Error): ModuleLoadError {
  if (err instanceof ModuleLoadError) return err;
  if (err.name === "LimitExceeded")
    return new ModuleLoadError(`module ${name}: constructor failed: ${err.name}: ${err.message}`);
  const loc = moduleFrame(err.stack ?? "");
  return new ModuleLoadError(
    `module ${name}: constructor failed: ${err.name}: ${err.message}${loc ? ` (at ${loc[0]})` : ""}`,
    loc?.[0],
    err.stack,
  );
}

/** The first stack frame in the module's own files: the sdk's frames (a refused call) are not where to look. */
function moduleFrame(stack: string): RegExpExecArray | null {
  const frames = stack.matchAll(/([^\s()]+\.ts):(\d+):(\d+)/g);
  let first: RegExpExecArray | null = null;
  for (const f of frames) {
    first ??= f as RegExpExecArray;
    if (!/(^|\/)sdk\//.test(f[1]!)) return f as RegExpExecArray;
  }
  return first;
}

/** The host part of an address such as "10.0.0.5:7000" or "[::1]:7000"; "127.0.0.1" when HTTP is off. */
function hostOf(listen: string): string {
  const i = listen.lastIndexOf(":");
  if (listen === "" || i <= 0) return "127.0.0.1";
  const host = listen.slice(0, i);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(t), resolve(true)),
      () => (clearTimeout(t), resolve(true)),
    );
  });
}

/** A module's answer must be {retval, stdout, stderr} (or a [retval, stdout, stderr] tuple) of bounded size. */
export function checkResult(name: string, raw: unknown, maxBytes: number): CommandResult {
  const bad = (why: string): CommandResult => ({
    retval: -Errno.EINVAL,
    stdout: "",
    stderr: `module ${name} returned a bad command result: ${why}`,
  });
  if (raw === undefined) return bad('nothing (return { retval: 0, stdout: "...", stderr: "" })');
  let r: unknown;
  try {
    r = JSON.parse(raw as string);
  } catch {
    return bad("not JSON data");
  }
  if (Array.isArray(r)) r = { retval: r[0], stdout: r[1] ?? "", stderr: r[2] ?? "" };
  if (typeof r !== "object" || r === null)
    return bad(`${r === null ? "null" : typeof r} instead of { retval, stdout, stderr }`);
  const { retval, stdout = "", stderr = "" } = r as Record<string, unknown>;
  if (typeof retval !== "number" || !Number.isInteger(retval))
    return bad(`retval must be an integer (0 or a negative errno), got ${JSON.stringify(retval)}`);
  if (typeof stdout !== "string")
    return bad(
      `stdout must be a string, got ${stdout === null ? "null" : typeof stdout}: use JSON.stringify() for data`,
    );
  if (typeof stderr !== "string")
    return bad(`stderr must be a string, got ${stderr === null ? "null" : typeof stderr}`);
  const size = stdout.length + stderr.length;
  if (size > maxBytes) {
    return {
      retval: -Errno.EFBIG,
      stdout: "",
      stderr: `module ${name} returned ${size} bytes of output: the limit is ${maxBytes} (limits.maxOutputBytes in mgr.json)`,
    };
  }
  return { retval: retval > 0 ? -retval : retval, stdout, stderr };
}
