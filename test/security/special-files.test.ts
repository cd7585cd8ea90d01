// Module files that are not regular files (named pipes, devices behind symlinks, in place of an
// entry, an import, a tsconfig.json or package.json, or swapped in while hot reload watches):
// each is a load error naming the file, the other modules keep answering, and SIGTERM still
// stops the daemon with exit 0. Opening a pipe blocks until a writer comes, so every case runs
// the daemon as a child process: a hang here would otherwise hang the test runner.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requestAsok } from "../../runtime/http/index.ts";
import { cleanup, spawnDaemon, tempDir, waitFor, writeConfig } from "../_util.ts";
import { HOSTILE, LIMITS, sleep, traceTests } from "./_harness.ts";

traceTests(test);

const mod = (name: string, extra = "", value = '"ok"') => `import { MgrModule } from "@tsmgr/sdk";
${extra}
export default class M extends MgrModule {
  static override COMMANDS = [{ cmd: "${name} ver", desc: "version", perm: "r" as const }];
  async handleCommand() { return { retval: 0, stdout: String(${value}), stderr: "" }; }
}
`;

const mkfifo = (path: string) => execFileSync("mkfifo", [path]);

interface ModuleRow {
  name: string;
  state: string;
  error: { message: string } | null;
}

class PipeDaemon {
  proc!: ChildProcess;
  output: () => string = () => "";
  exitCode: number | null | undefined = undefined;
  exited: Promise<number | null> = Promise.resolve(null);
  readonly asok: string;
  pings = 0;
  badPings: string[] = [];
  #pinging = true;
  #pinger: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {
    this.asok = join(dir, "data", "mgr.t.asok");
  }

  get modules(): string {
    return join(this.dir, "modules");
  }

  static async open(names: string[], prepare: (modules: string) => void, hotReload = false): Promise<PipeDaemon> {
    const p = new PipeDaemon(tempDir("tsmgr-pipe-"));
    mkdirSync(p.modules);
    copyFileSync(join(HOSTILE, "canary.ts"), join(p.modules, "canary.ts"));
    prepare(p.modules);
    const modules = Object.fromEntries(["canary", ...names].map((n) => [n, { enabled: true }]));
    const cfg = writeConfig(p.dir, { hotReload, limits: LIMITS, modules });
    try {
      const d = await spawnDaemon(cfg);
      p.proc = d.proc;
      p.output = d.output;
      p.exited = d.exited.then((code) => (p.exitCode = code));
      await waitFor(
        async () => (await p.ask(["canary", "ping"], 2000)).stdout === "pong",
        "the canary to answer",
        15_000,
      );
    } catch (e) {
      p.proc?.kill("SIGKILL");
      cleanup(p.dir);
      throw e;
    }
    p.#pinger = p.#ping();
    return p;
  }

  async ask(argv: string[], timeoutMs = 5000) {
    try {
      const { id: _id, ...r } = await requestAsok(this.asok, { argv, format: "json" }, timeoutMs);
      return r;
    } catch (e) {
      return { retval: -5, stdout: "", stderr: `${(e as Error).message} (daemon exit code ${String(this.exitCode)})` };
    }
  }

  async module(name: string): Promise<ModuleRow | undefined> {
    const r = await this.ask(["module", "ls"]);
    if (r.retval !== 0) return undefined;
    return (JSON.parse(r.stdout) as { modules: ModuleRow[] }).modules.find((m) => m.name === name);
  }

  /** Waits for `name` to report a load error and returns its message. */
  async loadError(name: string): Promise<string> {
    const m = await waitFor(
      async () => {
        const m = await this.module(name);
        return m?.error ? m : undefined;
      },
      `module ${name} to report a load error`,
      20_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- daemon output (tail) ---\n${this.output().slice(-2000)}`);
    });
    return m.error!.message;
  }

  async #ping(): Promise<void> {
    while (this.#pinging) {
      const r = await this.ask(["canary", "ping"], 3000);
      this.pings++;
      if (r.retval !== 0 || r.stdout !== "pong") this.badPings.push(JSON.stringify(r));
      await sleep(25);
    }
  }

  /** The canary answered throughout, and SIGTERM stops the daemon with exit 0. */
  async checkAndStop(): Promise<void> {
    this.#pinging = false;
    await this.#pinger;
    assert.ok(this.pings > 0, "the canary was pinged");
    assert.equal(this.badPings, [], "every canary ping answered pong");
    this.proc.kill("SIGTERM");
    const code = await Promise.race([this.exited, sleep(15_000).then(() => "still running after 15 s")]);
    assert.is(code, 0, `SIGTERM stops the daemon with exit 0:\n${this.output().slice(-2000)}`);
  }

  async close(): Promise<void> {
    this.#pinging = false;
    await this.#pinger.catch(() => {});
    if (this.exitCode === undefined) this.proc?.kill("SIGKILL");
    await this.exited;
    cleanup(this.dir);
  }
}

let p: PipeDaemon | undefined;
test.after.each(async () => {
  await p?.close();
  p = undefined;
});

test("a named pipe imported by a module is a load error naming the file; the canary answers and SIGTERM stops the daemon", async () => {
  p = await PipeDaemon.open(["pipe_import"], (mods) => {
    mkdirSync(join(mods, "pipe_import"));
    writeFileSync(join(mods, "pipe_import", "index.ts"), mod("pipe_import", 'import { v } from "./helper.ts";', "v"));
    mkfifo(join(mods, "pipe_import", "helper.ts"));
  });
  const msg = await p.loadError("pipe_import");
  assert.match(msg, /pipe_import\/helper\.ts/);
  assert.match(msg, /not a regular file \(a named pipe\)/);
  assert.is((await p.module("pipe_import"))!.state, "failed");
  await p.checkAndStop();
});

test("a named pipe as a module's entry file is a load error naming the file", async () => {
  p = await PipeDaemon.open(["pipe_entry"], (mods) => mkfifo(join(mods, "pipe_entry.ts")));
  const msg = await p.loadError("pipe_entry");
  assert.match(msg, /pipe_entry\.ts/);
  assert.match(msg, /not a regular file \(a named pipe\)/);
  await p.checkAndStop();
});

test("named pipes as a module folder's tsconfig.json and package.json never block the build", async () => {
  p = await PipeDaemon.open(["pipe_cfg"], (mods) => {
    mkdirSync(join(mods, "pipe_cfg"));
    writeFileSync(join(mods, "pipe_cfg", "index.ts"), mod("pipe_cfg", 'import { v } from "./helper.ts";', "v"));
    writeFileSync(join(mods, "pipe_cfg", "helper.ts"), 'export const v = "helped";');
    mkfifo(join(mods, "pipe_cfg", "tsconfig.json"));
    mkfifo(join(mods, "pipe_cfg", "package.json"));
  });
  const r = await waitFor(
    async () => {
      const r = await p!.ask(["pipe_cfg", "ver"]);
      return r.retval === 0 ? r : undefined;
    },
    "pipe_cfg to answer",
    20_000,
  );
  assert.is(r.stdout, "helped");
  await p.checkAndStop();
});

test("an import of a symlink to /dev/zero is a load error naming the file", async () => {
  p = await PipeDaemon.open(["zero_import"], (mods) => {
    mkdirSync(join(mods, "zero_import"));
    writeFileSync(join(mods, "zero_import", "index.ts"), mod("zero_import", 'import { v } from "./zero.ts";', "v"));
    symlinkSync("/dev/zero", join(mods, "zero_import", "zero.ts"));
  });
  const msg = await p.loadError("zero_import");
  assert.match(msg, /zero\.ts/);
  await p.checkAndStop();
});

test("a named pipe swapped in for an imported file while hot reload watches is a load error; the old version keeps answering", async () => {
  p = await PipeDaemon.open(
    ["pipe_swap"],
    (mods) => {
      mkdirSync(join(mods, "pipe_swap"));
      writeFileSync(join(mods, "pipe_swap", "index.ts"), mod("pipe_swap", 'import { v } from "./helper.ts";', "v"));
      writeFileSync(join(mods, "pipe_swap", "helper.ts"), 'export const v = "v1";');
    },
    true,
  );
  await waitFor(async () => (await p!.ask(["pipe_swap", "ver"])).stdout === "v1", "pipe_swap to answer v1", 20_000);
  rmSync(join(p.modules, "pipe_swap", "helper.ts"));
  mkfifo(join(p.modules, "pipe_swap", "helper.ts"));
  const msg = await p.loadError("pipe_swap");
  assert.match(msg, /pipe_swap\/helper\.ts/);
  assert.match(msg, /not a regular file \(a named pipe\)/);
  assert.is((await p.ask(["pipe_swap", "ver"])).stdout, "v1", "the old version keeps answering");
  // the entry swapped for a pipe too
  rmSync(join(p.modules, "pipe_swap", "index.ts"));
  mkfifo(join(p.modules, "pipe_swap", "index.ts"));
  await waitFor(
    async () => (await p!.module("pipe_swap"))?.error?.message.includes("pipe_swap/index.ts"),
    "the entry's load error",
    20_000,
  );
  assert.is((await p.ask(["module", "disable", "pipe_swap"], 10_000)).retval, 0, "module disable answers");
  await p.checkAndStop();
});

test.run();
