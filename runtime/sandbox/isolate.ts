// One module's V8 isolate: creation with a memory limit, the host table injected through the
// prelude, every entry call under a CPU timeout and a wall-clock deadline, the daemon-wide CPU
// watchdog (watchdog.ts) for work that escapes both (promise chains, timers, serve loops), and
// host-owned timers.
import ivm from "isolated-vm";
import { readFileSync } from "node:fs";
import { CommandError, Errno, LimitExceeded, ModuleLoadError } from "../errors.ts";
import type { Bundle } from "../loader/index.ts";
import { prepareWebGlobals, webGlobalsCode, withSandboxHint } from "./globals/index.ts";
import { compileCached, warmCodeCache } from "./code-cache.ts";
import { closeSpareIsolates, takeIsolate } from "./spare-isolate.ts";
import { mapStack, SourceMap } from "./sourcemap.ts";
import { forget, QUIET_MS, register, watch, type Watched } from "./watchdog.ts";

const PRELUDE = readFileSync(new URL("./prelude.js", import.meta.url), "utf8");
// The bundle is wrapped so its exports come back as the script's value instead of a global.
// The prefix sits on line 1, so only line-1 columns shift (mapStack corrects them).
const WRAP_PREFIX = "(function(){";
const WRAP_SUFFIX = "\nreturn __tsmgr_module;})()";
const PRELUDE_FILE = "tsmgr:///prelude.js";
/** the web globals and the prelude, as every isolate compiles them: one string, cheap to compare */
let preludeSource: string | undefined;
/** A quiet isolate's heap is read at most this often (ms). */
const HEAP_EVERY_MS = 1000;

export type HostFn =
  | { kind: "sync"; fn: (...args: any[]) => unknown }
  | { kind: "async"; fn: (...args: any[]) => Promise<unknown> }
  | { kind: "event"; fn: (...args: any[]) => void };
export type HostTable = Record<string, HostFn>;
/** Not a function: a value set as the `__h_` global (shared memory is shared, not copied). */
export type HostValue = { kind: "value"; value: string | number | SharedArrayBuffer };

/** Snapshots moved in: each the JSON text of `version`, or (with `base`) a patch from `base` to it. */
export type PushedData = readonly { name: string; version: number; base?: number; text: ivm.ExternalCopy<string> }[];

export interface SandboxOptions {
  name: string;
  role: "active" | "standby";
  bundle: Bundle;
  /** turns a source path from the source map into what users should see */
  displayPath: (source: string) => string;
  memoryMb: number;
  callTimeoutMs: number;
  maxTimers: number;
  host: Record<string, HostFn | HostValue>;
  /** the cluster's data generation (see ClusterSource.generation); -1 when there is none */
  generation?: () => number;
  /** the CPU share a module may use over cpuWindowMs (default 0.5 over 5 s) */
  cpuShare?: number;
  cpuWindowMs?: number;
  /** the isolate is gone or must go (memory limit, busy loop): the module has failed */
  onFatal: (err: Error) => void;
  /** an exception in a timer callback (logged, not fatal) */
  onTimerError: (err: Error) => void;
  /** where module timers (and sleep()) wait: real time unless a test kit passes a virtual clock */
  clock?: TimerClock;
}

/**
 * What the module's timers wait on. `set` arranges for `fire` to run after `ms` (every `ms` when
 * `repeat`); `fire` returns a promise that settles once the module's callback has run.
 */
export interface TimerClock {
  set(fire: () => Promise<void>, ms: number, repeat: boolean): unknown;
  clear(handle: unknown): void;
  /**
   * Told of each sandbox on this clock: `idle()` resolves once its isolate ran everything queued
   * before the call (isolated-vm runs an isolate's tasks in order), and rejects once disposed.
   */
  attach?(idle: () => Promise<unknown>): void;
}

/** Node's own timers: what the daemon uses. */
export const REAL_CLOCK: TimerClock = Object.freeze({
  set: (fire: () => Promise<void>, ms: number, repeat: boolean) =>
    repeat ? setInterval(fire, ms) : setTimeout(fire, ms),
  clear: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
});

/** The statics a module class declares, as raw JSON for the host to validate. */
export interface ModuleMeta {
  activeKind: string;
  standbyKind: string;
  commands?: string;
  options?: string;
  standbyOptions?: string;
  notifyTypes?: string;
  /** static EXPORTS (remote calls), canRun / errorString (issue 15) */
  exports?: string;
  canRun?: boolean;
  errorString?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments are primitives or derefInto() handles
type Dispatch = ivm.Reference<any>;

/**
 * An error thrown by a host function, as the module will see it: the same built-in class, name
 * and message, and a stack of one line — the host's frames and file paths stay on the host.
 */
function clean(e: unknown): Error {
  const src = e instanceof Error ? e : new Error(String(e));
  // isolated-vm copies the five built-in classes as themselves and keeps `name` only for others
  const builtin = [TypeError, RangeError, SyntaxError, ReferenceError].find((C) => src.constructor === C);
  const out = builtin ? new builtin(src.message) : new HostError(src.message);
  out.name = src.name;
  out.stack = `${src.name}: ${src.message}`;
  return out;
}

class HostError extends Error {}

const TIMED_OUT = "Script execution timed out.";
const MEMORY = "memory limit";

/** Entry points a sleep() may have been awaited in (the module's own names, never free text). */
const ENTRY_POINTS = new Set(["serve", "notify", "handleCommand", "shutdown", "configNotify"]);

export class ModuleSandbox {
  readonly #o: SandboxOptions;
  readonly #iso: ivm.Isolate;
  readonly #ctx: Promise<ivm.Context>;
  readonly #filename: string;
  readonly #map: SourceMap;
  #dispatch!: Dispatch;
  #timers = new Map<number, unknown>();
  #dueTimers = new Set<number>();
  #firing: Promise<void> | undefined;
  /** timers that end a sleep(), and the entry point whose code awaited it (what runs when they fire) */
  readonly #sleepTimers = new Map<number, string>();
  readonly #clock: TimerClock;
  /** this isolate as the watchdog sees it */
  readonly #w: Watched = { tick: (now) => this.#tick(now), cpuMs: () => this.cpuMs + this.#hostMs };
  /** entry calls running now (serve excluded: it lasts the module's life, mostly waiting) */
  #inCalls = 0;
  /** CPU (isolate + host calls) at the last watchdog tick */
  #tickCpu = 0;
  #samples: [number, number][] = [];
  #fatal: Error | undefined;
  #closing = false;
  meta!: ModuleMeta;

  private constructor(o: SandboxOptions) {
    this.#o = o;
    this.#filename = `tsmgr:///${o.name}.js`;
    // the map's text is asked for only when a stack is mapped (a cached bundle reads it lazily)
    this.#map = new SourceMap(() => o.bundle.map, o.displayPath);
    ({ iso: this.#iso, ctx: this.#ctx } = takeIsolate(Math.max(8, o.memoryMb)));
    this.#clock = o.clock ?? REAL_CLOCK;
    this.#clock.attach?.(() => this.push([]));
  }

  /** Creates the isolate, runs the prelude and the bundle, and reads the module's statics. */
  static async create(o: SandboxOptions): Promise<ModuleSandbox> {
    const sb = new ModuleSandbox(o);
    ModuleSandbox.#live.add(sb);
    try {
      // one tracked promise for the whole boot: its steps run one after another
      await sb.#track(sb.#boot());
      return sb;
    } catch (e) {
      sb.dispose();
      throw sb.#asLoadError(e);
    }
  }

  async #boot(): Promise<void> {
    const o = this.#o;
    // The context (made with the isolate, see spare-isolate.ts) and both compiles are asked for
    // at once: the isolate's thread does them back to back while this thread builds the host
    // table, instead of a round trip between each.
    await prepareWebGlobals();
    const early = <T>(p: Promise<T>) => (p.catch(() => {}), p); // awaited below, in order
    const contextP = this.#ctx;
    const preludeCode = (preludeSource ??= `${webGlobalsCode()}\n;${PRELUDE}`);
    const preludeP = early(compileCached(this.#iso, preludeCode, PRELUDE_FILE));
    const scriptP = early(
      this.#iso.compileScript(WRAP_PREFIX + o.bundle.code + WRAP_SUFFIX, { filename: this.#filename }),
    );
    const table: Record<string, HostFn | HostValue> = { ...o.host, ...this.#timerTable() };
    const gen = o.generation ?? (() => -1);
    const names: string[] = ["role", "weakAbove"];
    const values: unknown[] = [o.role, Math.floor((o.memoryMb * 1024 * 1024) / 8)];
    for (const [name, h] of Object.entries(table)) {
      let value: ivm.Reference | ivm.Callback;
      names.push(name);
      if (h.kind === "value") {
        values.push(
          h.value instanceof SharedArrayBuffer ? new ivm.ExternalCopy(h.value).copyInto({ release: true }) : h.value,
        );
        continue;
      }
      if (h.kind === "async") {
        value = new ivm.Reference((...a: unknown[]) => {
          // Started in a then(): a host function that throws before its first await rejects a
          // promise that is already handled, instead of crashing the daemon as unhandled.
          // Settling it wakes the isolate: the watchdog watches it again.
          const p = Promise.resolve()
            .then(() => this.#charged(h.fn, a))
            .then(
              (v) => (watch(this.#w), [gen(), v] as const),
              (e: unknown) => (watch(this.#w), Promise.reject(clean(e))),
            );
          p.catch(() => {});
          return p;
        });
      } else {
        const fn = h.fn;
        value = new ivm.Callback(
          (...a: unknown[]) => {
            watch(this.#w); // the isolate is running (it is calling us)
            try {
              return this.#charged(fn, a);
            } catch (e) {
              throw clean(e);
            }
          },
          h.kind === "event" ? { ignored: true } : undefined,
        );
      }
      values.push(value);
    }
    // all as `__h_NAME` globals in one call into the isolate (a setSync each cost ~0.8 ms of the
    // daemon's thread per start); the prelude takes them and deletes the globals
    const ctx = await contextP;
    await ctx.evalClosure(
      `const n = ${JSON.stringify(names)}; for (let i = 0; i < n.length; i++) globalThis["__h_" + n[i]] = arguments[i];`,
      values,
    );
    // the web-standard globals (URL, fetch, ...) go in first, in the same script as the prelude
    // (one compile, from V8's code cache after the first isolate, and one run); the prelude
    // hands them their host functions and evaluates to the dispatcher
    this.#dispatch = (await (await preludeP).run(ctx, { reference: true, timeout: 1000 })) as Dispatch;
    const script = await scriptP;
    const exp = (await script.run(ctx, { reference: true, timeout: o.callTimeoutMs })) as ivm.Reference<unknown>;
    const meta = await this.#dispatch.apply(undefined, ["load", exp.derefInto()], {
      timeout: o.callTimeoutMs,
      result: { copy: true, promise: true },
    });
    exp.release();
    this.meta = JSON.parse(meta as string) as ModuleMeta;
    warmCodeCache(this.#iso, preludeCode, PRELUDE_FILE, 1); // the prelude ran and loaded a module
    register(this.#w);
    watch(this.#w);
  }

  get disposed(): boolean {
    return this.#iso.isDisposed;
  }

  /** CPU time the isolate used so far, in ms. */
  get cpuMs(): number {
    return this.#iso.isDisposed ? 0 : Number(this.#iso.cpuTime) / 1e6;
  }

  /**
   * Host time spent inside this module's host calls so far, in ms. The isolate's cpuTime does not
   * include it (its thread only waits), yet the daemon's thread did the work: it counts toward
   * the module's CPU share and the busy check.
   */
  get hostMs(): number {
    return this.#hostMs;
  }
  #hostMs = 0;

  /** Runs a host function for the module, adding its time on the daemon's thread to #hostMs. */
  #charged<T>(fn: (...a: any[]) => T, args: unknown[]): T {
    const t0 = performance.now();
    try {
      return fn(...args);
    } finally {
      this.#hostMs += performance.now() - t0;
    }
  }

  /** Heap in use, in bytes (0 once disposed). */
  heapBytes(): number {
    // Never a *Sync call here: it would wait for a busy isolate and freeze the daemon's thread.
    return this.#iso.isDisposed ? 0 : this.#heap;
  }
  #heap = 0;
  #heapPending = false;

  /** Runs the module class's constructor (`role` picks the default export or `Standby`). */
  construct(role: "active" | "standby"): Promise<unknown> {
    return this.#run("construct", role, this.#o.callTimeoutMs, "constructor");
  }

  /** Calls an entry point (notify, handleCommand, shutdown, ...) under the call deadline. */
  call(method: string, args: unknown[], timeoutMs = this.#o.callTimeoutMs, pushed?: PushedData): Promise<unknown> {
    return this.#run("call", JSON.stringify({ method, args }), timeoutMs, method, pushed);
  }

  /** Moves cluster snapshots into the isolate (parsed there, ahead of the module's get()). */
  push(pushed: PushedData): Promise<unknown> {
    return this.#run("push", undefined, this.#o.callTimeoutMs, "push", pushed);
  }

  /** Runs an exported method for a remote() call (or, `internal`, the daemon's selfTest()). */
  callExport(method: string, argsJson: string, internal: boolean, timeoutMs = this.#o.callTimeoutMs): Promise<unknown> {
    return this.#run(
      "export",
      JSON.stringify({ method, args: JSON.parse(argsJson) as unknown, internal }),
      timeoutMs,
      method,
    );
  }

  /** Starts `serve()`; the promise settles when serve returns. No deadline: it runs for the module's life. */
  async serve(): Promise<void> {
    await this.#enter("call", JSON.stringify({ method: "serve", args: [] }), undefined, "serve", undefined, false);
  }

  /** Flags `stopping` and wakes every `sleep()`; a busy isolate gets `timeoutMs` to take the flag. */
  async signalStop(timeoutMs = this.#o.callTimeoutMs): Promise<void> {
    await this.#run("stop", undefined, timeoutMs, "stop").catch(() => {});
  }

  /** Forwards one HTTP request to the module's handler. */
  async http(
    req: object,
    timeoutMs: number,
  ): Promise<{ status: number; headers: Record<string, string>; body: string; encoding: string }> {
    const out = await this.#run("http", JSON.stringify(req), timeoutMs, "HTTP handler");
    return JSON.parse(out as string);
  }

  /**
   * Terminates the isolate. Never blocks: a call still running in it rejects shortly after, once
   * its thread has left (see disposeAll()).
   */
  dispose(): void {
    this.#closing = true;
    this.#release();
  }

  #release(): void {
    forget(this.#w);
    for (const t of this.#timers.values()) this.#clock.clear(t);
    this.#timers.clear();
    this.#dueTimers.clear();
    if (!this.#iso.isDisposed) this.#iso.dispose();
    if (this.#pending.size === 0) ModuleSandbox.#live.delete(this);
  }

  // ---- process exit --------------------------------------------------------------------

  /**
   * Sandboxes whose isolate may still have an isolated-vm thread inside: not yet disposed, or
   * disposed with a call that has not settled yet.
   */
  static readonly #live = new Set<ModuleSandbox>();
  /** isolated-vm calls into this isolate that have not settled: each may hold one of its threads. */
  readonly #pending = new Set<Promise<unknown>>();

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    const settled = () => {
      this.#pending.delete(p);
      if (this.#pending.size === 0 && this.#iso.isDisposed) ModuleSandbox.#live.delete(this);
    };
    p.then(settled, settled);
    return p;
  }

  /**
   * Disposes every isolate still alive and waits (up to `timeoutMs`) until no isolated-vm thread
   * is inside one; false when some thread did not leave in time. Call it before process.exit():
   * exit() joins isolated-vm's thread pool, and a thread still running a module (a busy loop) or
   * waiting in a synchronous host call for the main thread, the one in exit(), blocks that join,
   * and the process, for good.
   */
  static async disposeAll(timeoutMs: number): Promise<boolean> {
    closeSpareIsolates();
    for (const sb of ModuleSandbox.#live) sb.dispose();
    const end = performance.now() + timeoutMs;
    // the main thread must keep turning its event loop: a thread waiting in a sync host call
    // is released only when this thread runs that call
    while (ModuleSandbox.#live.size > 0) {
      if (performance.now() >= end) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  /** Maps `tsmgr:///NAME.js:L:C` positions in a stack or message to the .ts sources. */
  mapStack(text: string): string {
    // the prelude's own frames say nothing to a module author
    const own = text
      .split("\n")
      .filter((l) => !l.includes(PRELUDE_FILE))
      .join("\n");
    return mapStack(own, this.#filename, this.#map, WRAP_PREFIX.length);
  }

  // ---- calls ---------------------------------------------------------------------------

  async #run(op: string, arg: unknown, timeoutMs: number, what: string, pushed?: PushedData): Promise<unknown> {
    if (this.#iso.isDisposed) throw this.#fatal ?? new CommandError(Errno.EIO, `module ${this.#o.name} is not running`);
    const cpu0 = this.cpuMs;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    // isolated-vm's timeout counts only isolate CPU time; this catches the rest (awaits that never end).
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#deadlineError(what, timeoutMs, cpu0, t0)), timeoutMs + 25);
    });
    try {
      const out = await Promise.race([this.#enter(op, arg, timeoutMs, what, pushed), deadline]);
      if (op === "call") warmCodeCache(this.#iso, preludeSource!, PRELUDE_FILE, 2); // a call answered
      return out;
    } finally {
      clearTimeout(timer);
    }
  }

  async #enter(
    op: string,
    arg: unknown,
    timeoutMs: number | undefined,
    what: string,
    pushed?: PushedData,
    counted = true,
  ): Promise<unknown> {
    if (counted) this.#inCalls++;
    watch(this.#w);
    try {
      const opts: ivm.ReferenceApplyOptions = { result: { promise: true, copy: true } };
      // CPU time is the operator's limit; a caller's longer timeout only extends the wall clock
      if (timeoutMs !== undefined) opts.timeout = Math.min(timeoutMs, this.#o.callTimeoutMs);
      const gen = this.#o.generation ? this.#o.generation() : -1;
      const args: unknown[] = [op, arg, gen];
      // each text crosses as its own transferable: the isolate's thread copies it in, not the daemon's
      if (pushed && pushed.length > 0)
        args.push(
          JSON.stringify(pushed.map((p) => (p.base === undefined ? [p.name, p.version] : [p.name, p.version, p.base]))),
          ...pushed.map((p) => p.text.copyInto()),
        );
      return await this.#track(this.#dispatch.apply(undefined, args as never, opts as never));
    } catch (e) {
      throw this.#translate(e, what, timeoutMs);
    } finally {
      if (counted) this.#inCalls--;
      // the call returned, yet promise chains it started may still run: watched until quiet
      watch(this.#w);
    }
  }

  #deadlineError(what: string, timeoutMs: number, cpu0: number, t0: number): Error {
    const wall = performance.now() - t0;
    const cpu = this.cpuMs - cpu0;
    if (cpu > wall * 0.5) {
      return this.#die(
        new LimitExceeded(
          `module ${this.#o.name}: ${what}() kept the CPU busy for ${Math.round(cpu)} ms without returning (limit ${timeoutMs} ms, limits.callTimeoutMs in mgr.json): the module was stopped`,
        ),
      );
    }
    return new CommandError(
      Errno.ETIMEDOUT,
      `module ${this.#o.name}: ${what}() did not finish within ${timeoutMs} ms (limits.callTimeoutMs in mgr.json)`,
    );
  }

  #translate(e: unknown, what: string, timeoutMs: number | undefined): Error {
    const err = e instanceof Error ? e : Object.assign(new Error(String(e)), { stack: `Error: ${String(e)}` });
    if (this.#fatal) return this.#fatal;
    if (this.#closing)
      return new CommandError(Errno.EIO, `module ${this.#o.name} was stopped while ${what}() was running`);
    if (err.message.includes(MEMORY) || this.#iso.isDisposed) {
      return this.#die(
        new LimitExceeded(
          `module ${this.#o.name} exceeded its memory limit of ${this.#o.memoryMb} MB (limits.memoryMb in mgr.json) in ${what}(): the module was stopped`,
        ),
      );
    }
    if (err.message === TIMED_OUT) {
      const cpuLimit = Math.min(timeoutMs ?? this.#o.callTimeoutMs, this.#o.callTimeoutMs);
      return this.#die(
        new LimitExceeded(
          `module ${this.#o.name}: ${what}() ran for more than ${cpuLimit} ms of CPU (limits.callTimeoutMs in mgr.json): the module was stopped`,
        ),
      );
    }
    const mapped = new Error(withSandboxHint(this.mapStack(err.message)));
    mapped.name = err.name;
    mapped.stack = withSandboxHint(this.mapStack(err.stack ?? `${err.name}: ${err.message}`));
    return mapped;
  }

  /** Records a fatal error, disposes the isolate and tells the owner once. */
  #die(err: Error): Error {
    if (this.#fatal) return this.#fatal;
    this.#fatal = err;
    this.#release();
    queueMicrotask(() => this.#o.onFatal(err));
    return err;
  }

  #asLoadError(e: unknown): Error {
    if (e instanceof ModuleLoadError || e instanceof LimitExceeded) return e;
    const err = e instanceof Error ? e : new Error(String(e));
    const msg = withSandboxHint(this.mapStack(err.message));
    // only the isolate's frames: the host's own frames follow the boundary marker
    const stack = this.mapStack((err.stack ?? "").split("<isolated-vm boundary>")[0]!);
    const loc = /([^\s()]+\.ts):(\d+):(\d+)/.exec(stack);
    return new ModuleLoadError(
      `module ${this.#o.name} failed to start: ${err.name}: ${msg}${loc ? ` (at ${loc[0]})` : ""}`,
      loc?.[0],
      stack,
    );
  }

  // ---- busy watchdog -------------------------------------------------------------------

  /**
   * Stops an isolate whose CPU use over the last `cpuWindowMs` exceeded its share
   * (`limits.cpuShare`): a loop that yields now and then escapes the busy check below.
   */
  #checkShare(now: number, cpu: number, host: number): void {
    const win = this.#o.cpuWindowMs ?? 5000;
    const share = this.#o.cpuShare ?? 0.5;
    this.#shareSamples.push([now, cpu, host]);
    while (this.#shareSamples.length > 2 && now - this.#shareSamples[1]![0] >= win) this.#shareSamples.shift();
    const [t0, c0, h0] = this.#shareSamples[0]!;
    if (now - t0 >= win && cpu - c0 > share * (now - t0)) {
      const inHost = host - h0 >= 1 ? ` (${Math.round(host - h0)} ms of it in the daemon, running its host calls)` : "";
      this.#die(
        new LimitExceeded(
          `module ${this.#o.name} used ${Math.round(cpu - c0)} ms of CPU in the last ${Math.round((now - t0) / 1000)} s${inHost}: the limit is ${Math.round(share * 100)} % (limits.cpuShare in mgr.json): the module was stopped`,
        ),
      );
    }
  }
  #shareSamples: [number, number, number][] = [];

  /**
   * A watchdog tick: the limits are checked; false (leave the watch) once the isolate is in no
   * call and used no CPU since the last tick. Its heap is read then: it changes only while it runs.
   */
  #tick(now: number): boolean {
    if (this.#iso.isDisposed) return false;
    const cpu = this.cpuMs + this.#hostMs;
    this.#checkBusy(now, cpu);
    if (this.#iso.isDisposed) return false;
    const moved = cpu - this.#tickCpu;
    this.#tickCpu = cpu;
    if (this.#inCalls > 0 || moved >= QUIET_MS) return true;
    // Quiet: its heap stops changing, so it is read now, but at most once per HEAP_EVERY_MS
    // (each read is a task on the isolate's thread; a module notified 10 times a second went
    // quiet after each notify, doubling the tasks of a fan-out), watched until then.
    if (now - this.#heapAt < HEAP_EVERY_MS) return true;
    this.#heapAt = now;
    this.#readHeap();
    return false;
  }
  #heapAt = -Infinity;

  #readHeap(): void {
    if (this.#heapPending || this.#iso.isDisposed) return;
    this.#heapPending = true;
    this.#iso.getHeapStatistics().then(
      (s) => ((this.#heap = s.used_heap_size + (s.externally_allocated_size ?? 0)), (this.#heapPending = false)),
      () => (this.#heapPending = false),
    );
  }

  /** Stops an isolate that has kept a core busy for a whole window, whatever it is running. */
  #checkBusy(now: number, cpu: number): void {
    const host = this.#hostMs;
    this.#checkShare(now, cpu, host);
    const window = Math.max(1000, 2 * this.#o.callTimeoutMs);
    this.#samples.push([now, cpu]);
    while (this.#samples.length > 2 && now - this.#samples[1]![0] >= window) this.#samples.shift();
    const [t0, c0] = this.#samples[0]!;
    if (now - t0 >= window && cpu - c0 >= 0.85 * (now - t0)) {
      this.#die(
        new LimitExceeded(
          `module ${this.#o.name} kept the CPU busy for ${Math.round(cpu - c0)} ms of the last ${Math.round(now - t0)} ms (a busy loop?): the module was stopped`,
        ),
      );
    }
  }

  // ---- timers --------------------------------------------------------------------------

  #timerTable(): HostTable {
    return {
      timerSet: {
        kind: "sync",
        fn: (id: unknown, ms: unknown, repeat: unknown, label: unknown) => {
          if (typeof id !== "number" || typeof ms !== "number" || typeof repeat !== "boolean")
            throw new TypeError("timerSet: bad arguments");
          // a sleep() resumes the code awaiting it: a failure then is reported as that entry point's
          if (typeof label === "string" && ENTRY_POINTS.has(label)) this.#sleepTimers.set(id, label);
          if (this.#timers.size >= this.#o.maxTimers) {
            throw new LimitExceeded(
              `module ${this.#o.name} has ${this.#timers.size} timers pending: the limit is ${this.#o.maxTimers} (limits.maxTimers in mgr.json)`,
            );
          }
          const delay = Math.min(Math.max(0, ms), 2 ** 31 - 1);
          const fire = () => this.#queueTimer(id, repeat);
          // repeating timers fire at most every 10 ms, so an interval of 0 cannot flood the host
          const t = this.#clock.set(fire, repeat ? Math.max(10, delay) : delay, repeat);
          this.#timers.set(id, t);
        },
      },
      timerClear: {
        kind: "sync",
        fn: (id: unknown) => {
          const t = this.#timers.get(id as number);
          if (t !== undefined) this.#clock.clear(t);
          this.#timers.delete(id as number);
          this.#dueTimers.delete(id as number);
          this.#sleepTimers.delete(id as number);
        },
      },
    };
  }

  /**
   * Due timers are delivered one at a time; a timer already waiting is not queued twice. The
   * promise settles once every due timer has run (a virtual clock waits for it; Node ignores it).
   */
  #queueTimer(id: number, repeat: boolean): Promise<void> {
    if (!repeat) this.#timers.delete(id);
    this.#dueTimers.add(id);
    if (!this.#firing) this.#firing = this.#fireTimers();
    return this.#firing;
  }

  async #fireTimers(): Promise<void> {
    await undefined; // #firing is set before the loop can end and clear it
    try {
      while (this.#dueTimers.size > 0 && !this.#iso.isDisposed) {
        const id = this.#dueTimers.values().next().value as number;
        this.#dueTimers.delete(id);
        try {
          const what = this.#sleepTimers.get(id) ?? "timer callback";
          this.#sleepTimers.delete(id);
          await this.#run("timer", id, this.#o.callTimeoutMs, what);
        } catch (e) {
          if (!this.#fatal) this.#o.onTimerError(e as Error);
        }
      }
    } finally {
      this.#firing = undefined;
    }
  }
}
