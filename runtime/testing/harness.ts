// harness(): one module in a real isolate, in a real daemon (its store in a temp dir) beside a
// simulated cluster, with the controls a test needs: commands, the cluster's levers, notifies,
// health, store, logs, remote() stubs and a virtual clock for the module's timers.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandResult, SimCluster, SimClusterOptions } from "../cluster/index.ts";
import { configFromObject, type ModuleGrants } from "../config/index.ts";
import { startDaemon, type Daemon, type KitHooks, type ModuleStatus } from "../daemon/index.ts";
import { createLogger, LEVEL_NAMES, type LevelName } from "../log/index.ts";
import { KvStore, openSqliteStore, optionKey } from "../store/index.ts";
import { locateModule } from "./module-path.ts";
import { RemoteStub, type StubMethods } from "./remote-stub.ts";
import { VirtualClock } from "./virtual-clock.ts";
import { splitWords } from "./split-words.ts";

export interface HarnessOptions {
  /** the simulated cluster (default 2 hosts × 2 OSDs, seed 1, still: it changes only when told) */
  cluster?: Omit<SimClusterOptions, "clock">;
  /**
   * option values the module sees from its constructor on; checked as `tsmgr config set mgr
   * mgr/NAME/OPT V` checks them once it runs (its configNotify() is called once then)
   */
  options?: Record<string, string | number | boolean>;
  /** store keys (without `mgr/NAME/`) set before the module starts */
  store?: Record<string, string>;
  /** what mgr.json would grant: `{ commands: ["r"], remote: ["progress"], net: [...] }` */
  grants?: Partial<ModuleGrants>;
  /** mgr.json `limits` for the module, e.g. `{ callTimeoutMs: 2000 }` */
  limits?: Record<string, number>;
  /** true: timers run on Node's clock and advance() is refused (default false: a virtual clock) */
  realTime?: boolean;
}

/** One log record of the module (its own lines and the daemon's lines about it). */
export interface LogLine {
  level: LevelName;
  msg: string;
  [field: string]: unknown;
}

/** A module health check as `tsmgr health detail -f json` shows it. */
export interface ShownHealthCheck {
  severity: "HEALTH_WARN" | "HEALTH_ERR";
  summary: { message: string; count: number };
  detail: { message: string }[];
  muted: boolean;
}

const NOTIFY_TIMEOUT_MS = 5000;

/**
 * Loads the module at `path` (relative to the working directory) into a real isolate of a real
 * daemon beside a simulated cluster, and resolves once it runs. Close it with `h.close()`.
 *
 * ```ts
 * const h = await harness("modules/hello", { options: { greeting: "hi" } });
 * assert.is((await h.command("hello bob")).stdout, "hi bob");
 * await h.close();
 * ```
 */
export async function harness(path: string, opts: HarnessOptions = {}): Promise<Harness> {
  const { name, modulePath } = locateModule(path);
  const dir = mkdtempSync(join(tmpdir(), `tsmgr-kit-${name}-`));
  const h = new Harness(name, dir, opts.realTime ? undefined : new VirtualClock());
  try {
    await h._start(modulePath, opts);
    return h;
  } catch (e) {
    await h.close();
    throw e;
  }
}

export class Harness {
  /** the module's name (its file or folder name) */
  readonly name: string;
  /** the module's log records, oldest first */
  readonly logs: LogLine[] = [];
  /** every record the daemon logged (the module's too) */
  readonly daemonLogs: LogLine[] = [];
  readonly #dir: string;
  readonly #clock: VirtualClock | undefined;
  readonly #stubs = new Map<string, RemoteStub>();
  readonly #waiters = new Set<{ type: string; resolve: (id: unknown) => void }>();
  #daemon: Daemon | undefined;

  constructor(name: string, dir: string, clock: VirtualClock | undefined) {
    this.name = name;
    this.#dir = dir;
    this.#clock = clock;
  }

  /** @internal started by harness() */
  async _start(modulePath: string, opts: HarnessOptions): Promise<void> {
    const cfg = configFromObject(
      {
        id: "kit",
        modulePath,
        dataDir: join(this.#dir, "data"),
        hotReload: false,
        http: { listen: "" },
        cluster: { sim: { hosts: 2, osdsPerHost: 2, seed: 1, ...opts.cluster, tickMs: opts.cluster?.tickMs ?? 0 } },
        modules: {
          [this.name]: {
            enabled: false,
            ...(opts.grants ? { allow: opts.grants } : {}),
            ...(opts.limits ? { limits: opts.limits } : {}),
          },
        },
      },
      join(this.#dir, "mgr.json"),
    );
    const logger = createLogger({ level: "debug", destination: { write: (line: string) => this.#record(line) } });
    const kit: KitHooks = {
      clock: this.#clock,
      remoteCallee: (target) => this.#stubs.get(target),
      notified: (module, type, id) => this.#notified(module, type, id),
    };
    await this.#preseed(cfg.dataDir, opts);
    this.#daemon = await startDaemon(cfg, { logger, kit });
    if (!this.#daemon.modules().some((m) => m.name === this.name))
      throw new RangeError(
        `harness(): the daemon found no module "${this.name}" in ${modulePath}: see its log (h.daemonLogs)`,
      );
    await this.#must(["mgr", "module", "enable", this.name]);
    await this.#clock?.settle();
    const st = this.status();
    if (st.state !== "active")
      throw new Error(
        `harness(): module ${this.name} did not start (${st.state}): ${st.error?.message ?? "no error recorded"}`,
      );
    // stored unchecked before the start (nothing to check them against yet): set again now, as
    // `config set` would, so an undeclared name or a bad value fails the test (configNotify() runs once)
    for (const [opt, value] of Object.entries(opts.options ?? {}))
      await this.#must(["config", "set", "mgr", `mgr/${this.name}/${opt}`, String(value)]);
    await this.#clock?.settle();
  }

  /**
   * Options and store keys are written before the daemon starts, so the module's constructor
   * already sees them (`config set` checks against a running module's declarations, too late).
   */
  async #preseed(dataDir: string, opts: HarnessOptions): Promise<void> {
    const entries = [
      ...Object.entries(opts.options ?? {}).map(([k, v]) => [optionKey(this.name, k), String(v)] as const),
      ...Object.entries(opts.store ?? {}).map(([k, v]) => [`mgr/${this.name}/${k}`, v] as const),
    ];
    if (entries.length === 0) return;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const kv = await KvStore.open(openSqliteStore(join(dataDir, "store.db")));
    try {
      for (const [key, value] of entries) {
        if (typeof value !== "string")
          throw new TypeError(`harness(): store value of ${key} must be a string, got ${typeof value}`);
        await kv.set(key, value);
      }
    } finally {
      await kv.close();
    }
  }

  /** The running daemon, for what the kit does not wrap (`daemon.command` runs any command). */
  get daemon(): Daemon {
    if (!this.#daemon) throw new Error(`harness ${this.name} is closed`);
    return this.#daemon;
  }

  /** The simulated cluster's levers: `osdDown(3)`, `osdUp(3)`, `tick()`, `fillPool("rbd", 90)`, ... */
  get cluster(): SimCluster {
    return this.daemon.cluster as SimCluster;
  }

  /** Virtual ms since the start (0 with `realTime`). */
  get now(): number {
    return this.#clock?.now ?? 0;
  }

  /** The module's status, as `tsmgr module ls` shows it. */
  status(): ModuleStatus {
    return this.daemon.modules().find((m) => m.name === this.name)!;
  }

  /**
   * Runs a command as the admin: `"hello bob"` (split on spaces; quote an argument that has
   * some: `'selftest health set \'{"X": 1}\''`), `["hello", "bob"]` or `{ prefix: "hello", person: "bob" }`.
   */
  command(
    input: string | string[] | Record<string, unknown>,
    opts: { inbuf?: string; format?: "plain" | "json" | "json-pretty"; timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const cmd = typeof input === "string" ? splitWords(input) : input;
    return this.daemon.command(cmd, opts);
  }

  /**
   * Resolves with the id once the module's notify() of `type` returned, for the next one after
   * this call; rejects after `timeoutMs` (real time) when none came.
   */
  notified(type: string, timeoutMs = NOTIFY_TIMEOUT_MS): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter = {
        type,
        resolve: (id: unknown) => {
          clearTimeout(timer);
          resolve(id);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `module ${this.name} got no "${type}" notify within ${timeoutMs} ms: is "${type}" in its static NOTIFY_TYPES, and did the cluster change?`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** The health checks modules raised (this one's, and MGR_MODULE_ERROR if it failed), by code. */
  async health(): Promise<Record<string, ShownHealthCheck>> {
    const out = await this.#must(["health", "detail"], "json");
    return (JSON.parse(out) as { checks: Record<string, ShownHealthCheck> }).checks;
  }

  /** The module's store: `{ key: value }`, keys without the `mgr/NAME/` prefix. */
  async store(): Promise<Record<string, string>> {
    const prefix = `mgr/${this.name}/`;
    const all = JSON.parse(await this.#must(["config-key", "dump", prefix], "json")) as Record<string, string>;
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.slice(prefix.length), v]));
  }

  /** Sets one of the module's options while it runs (its configNotify() is called). */
  async setOption(name: string, value: string | number | boolean): Promise<void> {
    await this.#must(["config", "set", "mgr", `mgr/${this.name}/${name}`, String(value)]);
  }

  /**
   * Makes `remote(target, method, ...)` reach these functions instead of a module; the module
   * still needs the grant (`grants: { remote: [target] }`). Returns the stub: `stub.calls` lists
   * what it received.
   */
  stubRemote(target: string, methods: StubMethods): RemoteStub {
    const stub = new RemoteStub(target, methods);
    this.#stubs.set(target, stub);
    return stub;
  }

  /**
   * Moves the module's clock `ms` forward without waiting: every timer and sleep() due on the way
   * fires, in order, each after the module finished with the previous one. `Date.now()` in the
   * module is not moved.
   */
  advance(ms: number): Promise<void> {
    if (!this.#clock)
      return Promise.reject(
        new Error(`advance(): harness ${this.name} runs on real time (realTime: true): wait instead`),
      );
    return this.#clock.advance(ms);
  }

  /** Resolves once the module did what it can without time moving (serve() reached its sleep). */
  async idle(): Promise<void> {
    await this.#clock?.settle();
  }

  /** Stops the module and the daemon and removes the temp dir; safe to call twice. */
  async close(): Promise<void> {
    const d = this.#daemon;
    this.#daemon = undefined;
    try {
      await d?.stop();
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }

  async #must(words: string[], format?: "json"): Promise<string> {
    const r = await this.daemon.command(words, { format });
    if (r.retval !== 0) throw new Error(`harness(): "${words.join(" ")}" failed with ${r.retval}: ${r.stderr}`);
    return r.stdout;
  }

  #record(line: string): void {
    const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const rec: LogLine = { ...rest, level: LEVEL_NAMES[level as number] ?? "info", msg: String(msg ?? "") };
    this.daemonLogs.push(rec);
    if (rec.module === this.name) this.logs.push(rec);
  }

  #notified(module: string, type: string, id: unknown): void {
    if (module !== this.name) return;
    for (const w of this.#waiters) {
      if (w.type !== type) continue;
      this.#waiters.delete(w);
      w.resolve(id);
    }
  }
}
