// Shared pieces of the benchmark: figures, statistics, temp dirs and child processes that are
// always cleaned up, bench modules copied into module paths, in-process and child daemons,
// a persistent admin-socket client, and /proc readings of a child's memory and CPU.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configFromObject, type Config } from "../../runtime/config/index.ts";
import { startDaemon, type Daemon } from "../../runtime/daemon/index.ts";
import { NoDaemon, requestAsok, type WireRequest, type WireResponse } from "../../runtime/http/index.ts";
import { createLogger, type Logger } from "../../runtime/log/index.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "bin", "tsmgr.js");
export const BENCH_MODULES = join(ROOT, "scripts", "bench", "modules");

// ---- figures ---------------------------------------------------------------------------------

export interface Figure {
  name: string;
  value: number | null;
  target: number | null;
  unit: string;
  better: "lower" | "higher";
  note?: string;
}

/** A figure a group promises; the group fills in value and note. */
export type FigureSpec = Omit<Figure, "value" | "note">;

export class GroupContext {
  readonly results = new Map<string, { value: number | null; note?: string }>();
  readonly #deadline: number;
  constructor(
    readonly group: string,
    budgetMs: number,
  ) {
    this.#deadline = performance.now() + budgetMs;
  }

  /** Records a figure; value rounded to 4 significant digits. */
  set(name: string, value: number | null, note?: string): void {
    this.results.set(name, { value: value === null || !Number.isFinite(value) ? null : round(value), note });
    say(`  ${name} = ${value === null ? "null" : round(value)}${note ? `  (${note})` : ""}`);
  }

  /** Milliseconds left in this group's budget. */
  left(): number {
    return this.#deadline - performance.now();
  }

  /** True while more than `reserveMs` of the budget is left. */
  ok(reserveMs = 0): boolean {
    return this.left() > reserveMs;
  }
}

export function round(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(v))));
  return Number(v.toFixed(Math.min(digits, 6)));
}

/** Human chatter: always stderr, so `--json` keeps stdout to one JSON object. */
export function say(msg: string): void {
  process.stderr.write(msg + "\n");
}

// ---- statistics ------------------------------------------------------------------------------

/** Nearest-rank percentile of unsorted samples. */
export function pct(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export const median = (samples: readonly number[]) => pct(samples, 50);
export const mean = (samples: readonly number[]) => samples.reduce((a, b) => a + b, 0) / samples.length;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with fn's value, or rejects after ms (fn keeps running; its group is over anyway). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms);
      t.unref();
    }),
  ]);
}

/** Polls fn every intervalMs until it returns a truthy value or timeoutMs passes. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<NonNullable<T>> {
  const end = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (performance.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`,
      );
    await sleep(intervalMs);
  }
}

// ---- resources that must not outlive the benchmark --------------------------------------------

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();
const stoppers = new Set<() => Promise<unknown>>();

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `tsmgr-bench-${prefix}-`));
  tempDirs.add(d);
  return d;
}

export function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
  tempDirs.delete(d);
}

/** Stops in-process daemons, kills children, removes temp dirs. Safe to call twice. */
export async function cleanupAll(): Promise<void> {
  for (const stop of [...stoppers]) await within(stop(), 10_000, "stopping a daemon").catch(() => {});
  stoppers.clear();
  killChildren();
  for (const d of [...tempDirs]) removeDir(d);
}

export function killChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try {
        process.kill(c.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

/** Runs `node --no-node-snapshot ARGS` as a tracked child (killed at the end whatever happens). */
export function spawnNode(
  args: string[],
  opts: { cwd?: string } = {},
): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ["--no-node-snapshot", ...args], {
    cwd: opts.cwd ?? ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  children.add(proc);
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<number | null>((r) =>
    proc.on("exit", (code) => {
      children.delete(proc);
      r(code);
    }),
  );
  return { proc, output: () => out, exited };
}

// ---- module paths ----------------------------------------------------------------------------

export interface ModuleCopy {
  /** template in scripts/bench/modules (without .ts) */
  template: string;
  /** file to write, relative to the module path (e.g. "fan_001.ts" or "big/index.ts") */
  file: string;
  /** text replacements applied to the template */
  replace?: [string, string][];
}

/** Writes a module path with copies of bench modules (and extra files); returns its path. */
export function moduleDir(dir: string, copies: ModuleCopy[], extra: Record<string, string> = {}): string {
  const mp = join(dir, "modules");
  mkdirSync(mp, { recursive: true });
  for (const c of copies) {
    let text = readFileSync(join(BENCH_MODULES, `${c.template}.ts`), "utf8");
    for (const [a, b] of c.replace ?? []) text = text.split(a).join(b);
    const f = join(mp, c.file);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  for (const [p, text] of Object.entries(extra)) {
    const f = join(mp, p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  return mp;
}

// ---- daemons ---------------------------------------------------------------------------------

/** Warnings and errors the daemon logged (shown when a measurement fails). */
export interface QuietLogger {
  logger: Logger;
  lines: string[];
}

export function quietLogger(level = "warn"): QuietLogger {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write: (line: string) => {
        lines.push(line.trim());
        if (lines.length > 200) lines.shift();
      },
    },
  });
  return { logger, lines };
}

export function benchConfig(dir: string, raw: Record<string, unknown>): Config {
  return configFromObject(
    {
      id: "bench",
      modulePath: join(dir, "modules"),
      dataDir: join(dir, "data"),
      hotReload: false,
      http: { listen: "" },
      log: { level: "warn" },
      ...raw,
      cluster: {
        sim: {
          hosts: 4,
          osdsPerHost: 3,
          seed: 1,
          tickMs: 0,
          ...((raw.cluster as { sim?: object } | undefined)?.sim ?? {}),
        },
      },
    },
    join(dir, "mgr.json"),
  );
}

export interface BenchDaemon {
  d: Daemon;
  log: QuietLogger;
  stop(): Promise<void>;
}

/** Starts a daemon in this process (stopped by cleanupAll if the group forgets). */
export async function inProcessDaemon(dir: string, raw: Record<string, unknown>): Promise<BenchDaemon> {
  const log = quietLogger();
  const d = await startDaemon(benchConfig(dir, raw), { logger: log.logger });
  const stop = async () => {
    stoppers.delete(stop);
    await d.stop();
  };
  stoppers.add(stop);
  return { d, log, stop };
}

/** Runs a command on an in-process daemon and insists on retval 0. */
export async function must(d: Daemon, argv: string[], format?: "json"): Promise<string> {
  const r = await d.command(argv, format ? { format } : {});
  if (r.retval !== 0) throw new Error(`${argv.join(" ")}: retval ${r.retval}: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

/** Writes a mgr.json for a child daemon; relative paths resolve against dir. */
export function writeDaemonConfig(dir: string, name: string, raw: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify(
      {
        id: "bench",
        modulePath: "modules",
        dataDir: "data",
        hotReload: false,
        http: { listen: "" },
        log: { level: "warn" },
        cluster: { sim: { tickMs: 0 } },
        ...raw,
      },
      null,
      2,
    ),
  );
  return file;
}

export interface ChildDaemon {
  proc: ChildProcess;
  pid: number;
  asok: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `bin/tsmgr.js daemon -c FILE` as a child (node --no-node-snapshot BIN, so the pid is the
 * daemon itself) and waits until its admin socket answers `readyArgv` with retval 0 (the socket
 * listens before modules start, so pass a module command to wait for that module).
 */
export async function childDaemon(
  cfgFile: string,
  asok: string,
  readyArgv: string[] = ["status"],
  timeoutMs = 30_000,
): Promise<ChildDaemon> {
  const { proc, output, exited } = spawnNode([BIN, "daemon", "-c", cfgFile], { cwd: dirname(cfgFile) });
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    async () => {
      if (gone)
        throw Object.assign(new Error(`the daemon exited during start: ${output().slice(-1500)}`), { fatal: true });
      try {
        return (await requestAsok(asok, { argv: readyArgv }, 2000)).retval === 0;
      } catch (e) {
        if (e instanceof NoDaemon) return false;
        throw e;
      }
    },
    `the daemon of ${cfgFile} to answer on ${asok}`,
    timeoutMs,
    25,
  ).catch((e: Error) => {
    throw new Error(`${e.message}${gone ? "" : ` (output: ${output().slice(-800)})`}`);
  });
  return { proc, pid: proc.pid!, asok, output, exited };
}

/** A kept-open admin socket connection: many requests, one per line, answers matched by id. */
export class AsokClient {
  readonly #sock: Socket;
  #buf = "";
  #next = 1;
  readonly #pending = new Map<number, (r: WireResponse) => void>();
  #closed = false;

  private constructor(sock: Socket) {
    this.#sock = sock;
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => {
      this.#buf += d;
      let nl: number;
      while ((nl = this.#buf.indexOf("\n")) >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        const r = JSON.parse(line) as WireResponse;
        const cb = this.#pending.get(r.id as number);
        if (cb) {
          this.#pending.delete(r.id as number);
          cb(r);
        }
      }
    });
    const fail = () => {
      this.#closed = true;
      for (const cb of this.#pending.values()) cb({ retval: -5, stdout: "", stderr: "connection closed" });
      this.#pending.clear();
    };
    sock.on("close", fail);
    sock.on("error", fail);
  }

  static connect(path: string): Promise<AsokClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path);
      s.once("connect", () => resolve(new AsokClient(s)));
      s.once("error", reject);
    });
  }

  request(req: Omit<WireRequest, "id">, timeoutMs = 30_000): Promise<WireResponse> {
    if (this.#closed) return Promise.resolve({ retval: -5, stdout: "", stderr: "connection closed" });
    const id = this.#next++;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#pending.delete(id);
        resolve({ retval: -110, stdout: "", stderr: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      this.#pending.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.#sock.write(JSON.stringify({ ...req, id }) + "\n");
    });
  }

  async must(argv: string[], format?: "json"): Promise<string> {
    const r = await this.request(format ? { argv, format } : { argv });
    if (r.retval !== 0) throw new Error(`${argv.join(" ")}: retval ${r.retval}: ${r.stderr.slice(0, 500)}`);
    return r.stdout;
  }

  close(): void {
    this.#closed = true;
    this.#sock.destroy();
  }
}

// ---- /proc readings of a child ---------------------------------------------------------------

const CLK_TCK = 100; // Linux USER_HZ; /proc/PID/stat counts CPU in these ticks

/** Resident set size of a process, in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** User + system CPU time a process has used, in ms (10 ms resolution). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/**
 * Durable writes through a KvStore: `n` awaited one at a time (latencies after `warm` of them),
 * then 8 writers, each awaiting its own writes, for 3 s (group commit batches them).
 */
export async function durableWrites(
  ctx: GroupContext,
  kv: { set(key: string, value: string | null): Promise<void> },
  value: string,
  n: number,
  warm: number,
  budgetMs: number,
): Promise<{ latencies: number[]; count8: number; secs8: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < n && ctx.ok(budgetMs); i++) {
    const t0 = performance.now();
    await kv.set(`mgr/bench/k${i % 100}`, `${i}:${value}`);
    if (i >= warm) latencies.push(performance.now() - t0);
  }
  let count8 = 0;
  const end = performance.now() + 3000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        await kv.set(`mgr/bench/w${w}/k${i % 50}`, `${i}:${value}`);
        count8++;
      }
    }),
  );
  return { latencies, count8, secs8: (performance.now() - t0) / 1000 };
}
