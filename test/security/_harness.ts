// The arena every security test runs in: a real in-process daemon with the canary (a
// well-behaved module) and the hostile modules under test, all from test/fixtures/hostile.
// While an attack runs, a pinger keeps asking the canary for "pong" and checks every answer;
// checkHost() then asserts the host is as it was: canary answers, store keys outside the
// hostile modules' namespaces unchanged, writes still durable, host prototypes untouched.
import * as assert from "uvu/assert";
import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { requestAsok } from "../../runtime/http/index.ts";
import {
  cleanup,
  ROOT,
  spawnDaemon,
  startTestDaemon,
  tempDir,
  waitFor,
  writeConfig,
  type TestDaemon,
} from "../_util.ts";

export const HOSTILE = join(ROOT, "test", "fixtures", "hostile");

/** Small limits keep the suite fast; the back-off is long so a failed module stays failed while a test looks. */
export const LIMITS = { memoryMb: 32, callTimeoutMs: 300, restartBackoffMs: 60_000 };

// The host realm's intrinsics as they were before any module ran.
const PROTOS = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
  Promise: Promise.prototype,
  Error: Error.prototype,
} as const;
const BASELINE = Object.fromEntries(Object.entries(PROTOS).map(([k, p]) => [k, Reflect.ownKeys(p).map(String).sort()]));

/** Own keys added to the host's intrinsic prototypes since the suite started (should be none). */
export function hostPollution(): string[] {
  const out: string[] = [];
  for (const [k, p] of Object.entries(PROTOS)) {
    const now = Reflect.ownKeys(p).map(String);
    for (const key of now) if (!BASELINE[k]!.includes(key)) out.push(`${k}.prototype.${key}`);
  }
  return out;
}

/** Every key of the baseline kept its value; new keys appear only in the canary's namespace (the test's own writes). */
function assertUnchanged(now: Record<string, string>, baseline: Record<string, string>): void {
  const changed = Object.keys(baseline).filter((k) => now[k] !== baseline[k]);
  assert.equal(changed, [], "no store key outside the hostile modules' namespaces changed or vanished");
  const added = Object.keys(now).filter((k) => !(k in baseline) && !k.startsWith("mgr/canary/"));
  assert.equal(added, [], "no store key appeared outside the hostile modules' namespaces");
}

export interface ArenaOptions {
  /** hostile fixtures to copy and enable, each with its mgr.json module entry (allow, store, limits) */
  hostile: Record<string, Record<string, unknown>>;
  /** daemon-wide limits (merged over LIMITS) */
  limits?: Record<string, unknown>;
  /** other top-level config fields */
  config?: Record<string, unknown>;
  /** runs after the module folder is written and before the daemon starts (symlinks, extra files) */
  prepare?: (dir: string, modulesDir: string) => void;
  /** false: do not copy the hostile fixtures (prepare writes the module folder) */
  copy?: boolean;
}

export interface Answer {
  retval: number;
  stdout: string;
  stderr: string;
}

export class Arena {
  readonly d: TestDaemon;
  readonly dir: string;
  readonly hostile: string[];
  readonly secret: string;
  /** the config overrides the daemon was started with (to start a second daemon in the group) */
  overrides: Record<string, unknown> = {};
  #baseline: Record<string, string> = {};
  #pinging = true;
  #pinger: Promise<void> = Promise.resolve();
  pings = 0;
  badPings: string[] = [];
  maxPingMs = 0;

  private constructor(d: TestDaemon, dir: string, hostile: string[]) {
    this.d = d;
    this.dir = dir;
    this.hostile = hostile;
    this.secret = `s3cret-${Math.random().toString(36).slice(2)}`;
  }

  static async open(o: ArenaOptions): Promise<Arena> {
    const dir = tempDir("tsmgr-sec-");
    const mods = join(dir, "modules");
    mkdirSync(mods, { recursive: true });
    copyFileSync(join(HOSTILE, "_lib.ts"), join(mods, "_lib.ts"));
    copyFileSync(join(HOSTILE, "canary.ts"), join(mods, "canary.ts"));
    const names = Object.keys(o.hostile);
    if (o.copy !== false) for (const n of names) copyFileSync(join(HOSTILE, `${n}.ts`), join(mods, `${n}.ts`));
    o.prepare?.(dir, mods);
    const modules: Record<string, unknown> = { canary: { enabled: true } };
    for (const n of names) modules[n] = { enabled: true, ...o.hostile[n] };
    const overrides = { limits: { ...LIMITS, ...o.limits }, modules, ...o.config };
    let d: TestDaemon;
    try {
      d = await startTestDaemon(dir, overrides);
    } catch (e) {
      cleanup(dir);
      throw e;
    }
    const a = new Arena(d, dir, names);
    a.overrides = overrides;
    const put = await d.command(["canary", "put", "secret", a.secret]);
    assert.equal(put, { retval: 0, stdout: "stored", stderr: "" }, "the canary stores its secret before the attack");
    a.#baseline = await a.#outsideHostile();
    a.#pinger = a.#ping();
    return a;
  }

  /** Runs a command as words. */
  cmd(words: string[], opts?: Parameters<TestDaemon["command"]>[1]): Promise<Answer> {
    return this.d.command(words, opts);
  }

  /** Runs a hostile module's attack command and returns its JSON report (asserting it answered 0). */
  async report<T = unknown>(words: string[]): Promise<T> {
    const r = await this.d.command(words);
    assert.is(r.retval, 0, `${words.join(" ")} answered ${r.retval}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  status(name: string) {
    return this.d.modules().find((m) => m.name === name);
  }

  async #ping(): Promise<void> {
    while (this.#pinging) {
      const t0 = performance.now();
      const r = await this.d.command(["canary", "ping"]);
      this.maxPingMs = Math.max(this.maxPingMs, performance.now() - t0);
      this.pings++;
      if (r.retval !== 0 || r.stdout !== "pong" || r.stderr !== "") this.badPings.push(JSON.stringify(r));
      await new Promise((res) => setTimeout(res, 15));
    }
  }

  /** Every stored key and value outside the hostile modules' own namespaces. */
  async #outsideHostile(): Promise<Record<string, string>> {
    const r = await this.d.command(["config-key", "dump"], { format: "json" });
    assert.is(r.retval, 0, r.stderr);
    const all = JSON.parse(r.stdout) as Record<string, string>;
    return Object.fromEntries(
      Object.entries(all).filter(([k]) => !this.hostile.some((n) => k.startsWith(`mgr/${n}/`))),
    );
  }

  /**
   * The host is as it was: the canary answered every ping during the attack, its secret is
   * intact, no key outside the hostile namespaces changed, new writes are still durable, the
   * daemon answers status, and the test process's own prototypes were not polluted.
   */
  async checkHost(): Promise<void> {
    this.#pinging = false;
    await this.#pinger;
    assert.ok(this.pings > 0, "the canary was pinged during the attack");
    assert.equal(this.badPings, [], "every canary ping during the attack answered pong");
    assert.equal(await this.d.command(["canary", "get", "secret"]), { retval: 0, stdout: this.secret, stderr: "" });
    assertUnchanged(await this.#outsideHostile(), this.#baseline);
    assert.equal(await this.d.command(["canary", "put", "after", "ok"]), { retval: 0, stdout: "stored", stderr: "" });
    assert.equal(await this.d.command(["canary", "get", "after"]), { retval: 0, stdout: "ok", stderr: "" });
    assert.is((await this.d.command(["status"])).retval, 0, "the daemon answers status");
    assert.is(this.status("canary")?.state, "active");
    assert.equal(
      await this.d.command(["canary", "realm"]),
      { retval: 0, stdout: "[null,null,[]]", stderr: "" },
      "the canary's own isolate is not polluted",
    );
    assert.equal(hostPollution(), [], "no property was added to the host's intrinsic prototypes");
    assert.is(({} as Record<string, unknown>).polluted, undefined);
  }

  async close(): Promise<void> {
    this.#pinging = false;
    await this.#pinger.catch(() => {});
    await this.d.stop().catch(() => {});
    cleanup(this.dir);
  }
}

/** The module's entry in `module ls -f json` and the text of `health detail`. */
export async function failureReports(
  a: Arena,
  name: string,
): Promise<{ ls: { state: string; error: { message: string } | null }; health: string }> {
  const ls = JSON.parse((await a.cmd(["module", "ls"], { format: "json" })).stdout) as {
    modules: { name: string; state: string; error: { message: string } | null }[];
  };
  const health = (await a.cmd(["health", "detail"])).stdout;
  return { ls: ls.modules.find((m) => m.name === name)!, health };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- child daemons, for the attacks that can take a process down ----------------------------

/**
 * The same arena around a `tsmgr daemon` child process (spawnDaemon), for attacks that may
 * crash or wedge the process running the isolates. Commands go over the admin socket without
 * a caller deadline, as the in-process arena's do, so limits.callTimeoutMs is the only limit.
 */
export class ChildArena {
  readonly dir: string;
  readonly cfg: string;
  readonly asok: string;
  readonly hostile: string[];
  readonly secret = `s3cret-${Math.random().toString(36).slice(2)}`;
  proc!: ChildProcess;
  output: () => string = () => "";
  exited: Promise<number | null> = Promise.resolve(null);
  exitCode: number | null | undefined = undefined;
  #baseline: Record<string, string> = {};
  #pinging = true;
  #pinger: Promise<void> = Promise.resolve();
  pings = 0;
  badPings: string[] = [];

  private constructor(dir: string, cfg: string, hostile: string[]) {
    this.dir = dir;
    this.cfg = cfg;
    this.asok = join(dir, "data", "mgr.t.asok");
    this.hostile = hostile;
  }

  static async open(
    hostile: Record<string, Record<string, unknown>>,
    limits: Record<string, unknown> = {},
  ): Promise<ChildArena> {
    const dir = tempDir("tsmgr-sec-child-");
    mkdirSync(join(dir, "modules"));
    const names = Object.keys(hostile);
    for (const f of ["_lib", "canary", ...names])
      copyFileSync(join(HOSTILE, `${f}.ts`), join(dir, "modules", `${f}.ts`));
    const modules: Record<string, unknown> = { canary: { enabled: true } };
    for (const n of names) modules[n] = { enabled: true, ...hostile[n] };
    const cfg = writeConfig(dir, { hotReload: false, limits: { ...LIMITS, ...limits }, modules });
    const c = new ChildArena(dir, cfg, names);
    try {
      const d = await spawnDaemon(cfg);
      c.proc = d.proc;
      c.output = d.output;
      c.exited = d.exited.then((code) => (c.exitCode = code));
      // `status` answers before the modules are up: wait until each one started or failed
      await waitFor(
        async () => {
          if (c.exitCode !== undefined)
            throw new Error(`the daemon exited while starting its modules:\n${c.output().slice(-2000)}`);
          const r = await requestAsok(c.asok, { argv: ["module", "ls"], format: "json" }, 5000);
          if (r.retval !== 0) return false;
          const mods = (JSON.parse(r.stdout) as { modules: { name: string; state: string }[] }).modules;
          return ["canary", ...names].every((n) =>
            ["active", "failed"].includes(mods.find((m) => m.name === n)?.state ?? ""),
          );
        },
        "every module of the child daemon to start or fail",
        15_000,
      );
    } catch (e) {
      if (c.proc && c.exitCode === undefined) c.proc.kill("SIGKILL");
      cleanup(dir);
      throw e;
    }
    assert.equal(await c.ask(["canary", "put", "secret", c.secret]), { retval: 0, stdout: "stored", stderr: "" });
    c.#baseline = await c.#outsideHostile();
    c.#pinger = c.#ping();
    return c;
  }

  /** One command over the admin socket; a dead daemon is an EIO answer naming its exit. */
  async ask(argv: string[], timeoutMs = 10_000): Promise<Answer> {
    try {
      const { id: _id, ...r } = await requestAsok(this.asok, { argv }, timeoutMs);
      return r;
    } catch (e) {
      return { retval: -5, stdout: "", stderr: `${(e as Error).message} (daemon exit code ${String(this.exitCode)})` };
    }
  }

  async report<T = unknown>(argv: string[]): Promise<T> {
    const r = await this.ask(argv);
    assert.is(
      r.retval,
      0,
      `${argv.join(" ")} answered ${r.retval}: ${r.stderr}\n--- daemon output (tail) ---\n${this.output().slice(-1500)}`,
    );
    return JSON.parse(r.stdout) as T;
  }

  async #ping(): Promise<void> {
    while (this.#pinging) {
      const r = await this.ask(["canary", "ping"], 5000);
      this.pings++;
      if (r.retval !== 0 || r.stdout !== "pong") this.badPings.push(JSON.stringify(r));
      await sleep(25);
    }
  }

  async #outsideHostile(): Promise<Record<string, string>> {
    const r = await requestAsok(this.asok, { argv: ["config-key", "dump"], format: "json" }, 10_000);
    assert.is(r.retval, 0, r.stderr);
    const all = JSON.parse(r.stdout) as Record<string, string>;
    return Object.fromEntries(
      Object.entries(all).filter(([k]) => !this.hostile.some((n) => k.startsWith(`mgr/${n}/`))),
    );
  }

  /** The child daemon is still running and its host state is as it was (see Arena.checkHost). */
  async checkHost(): Promise<void> {
    this.#pinging = false;
    await this.#pinger;
    assert.is(
      this.exitCode,
      undefined,
      `the daemon process exited (code ${String(this.exitCode)}):\n${this.output().slice(-2000)}`,
    );
    assert.ok(this.pings > 0);
    assert.equal(this.badPings, [], "every canary ping during the attack answered pong");
    assert.equal(await this.ask(["canary", "get", "secret"]), { retval: 0, stdout: this.secret, stderr: "" });
    assertUnchanged(await this.#outsideHostile(), this.#baseline);
    assert.equal(await this.ask(["canary", "put", "after", "ok"]), { retval: 0, stdout: "stored", stderr: "" });
    assert.is((await this.ask(["status"])).retval, 0);
  }

  async close(): Promise<void> {
    this.#pinging = false;
    await this.#pinger.catch(() => {});
    if (this.exitCode === undefined) this.proc.kill("SIGKILL");
    await this.exited;
    cleanup(this.dir);
  }
}

/** SEC_TRACE=1 prints each test's start and end on stderr (to find a test that hangs). */
export function traceTests(t: {
  before: { each(fn: (ctx: { __test__: string }) => void): void };
  after: { each(fn: (ctx: { __test__: string }) => void): void };
}): void {
  if (!process.env.SEC_TRACE) return;
  t.before.each((ctx) => void process.stderr.write(`${new Date().toISOString()} START ${ctx.__test__}\n`));
  t.after.each((ctx) => void process.stderr.write(`${new Date().toISOString()} END   ${ctx.__test__}\n`));
}
