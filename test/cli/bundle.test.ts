// bin/tsmgr.js runs the daemon and the client from one-file bundles it builds into
// node_modules/.cache/tsmgr/. These tests run a copy of the project (its own sources and its own
// cache; node_modules' packages linked) so they can edit sources and break the cache without
// touching the repository's: a daemon started through the bin from a bundle finds the files beside
// its sources (the sandbox prelude, the sdk), an edited source is rebuilt, processes starting at
// once from a stale bundle all work, and an unwritable cache falls back to the sources.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, tempDir, waitFor, writeConfig } from "../_util.ts";

const dir = tempDir("tsmgr-bundle-");
const copy = join(dir, "project");
const bin = join(copy, "bin", "tsmgr.js");
const cache = join(copy, "node_modules", ".cache", "tsmgr");
const procs: ChildProcess[] = [];

for (const d of ["bin", "runtime", "sdk"]) cpSync(join(ROOT, d), join(copy, d), { recursive: true });
cpSync(join(ROOT, "package.json"), join(copy, "package.json"));
mkdirSync(join(copy, "node_modules"));
for (const name of readdirSync(join(ROOT, "node_modules")))
  if (name !== ".cache") symlinkSync(join(ROOT, "node_modules", name), join(copy, "node_modules", name));

/** A module using the sdk, answering `hi ping`. */
const MODULE = `import { MgrModule } from "@tsmgr/sdk";
export default class Hi extends MgrModule {
  static override COMMANDS = [{ cmd: "hi ping", desc: "answers pong", perm: "r" as const }];
  override async handleCommand() {
    return { retval: 0, stdout: "pong from " + this.getMgrId(), stderr: "" };
  }
}
`;

/** A daemon config of its own (id, socket, data) in dir/NAME, with the hi module enabled. */
function daemonConfig(name: string, hotReload = false): string {
  const d = join(dir, name);
  mkdirSync(join(d, "modules"), { recursive: true });
  writeFileSync(join(d, "modules", "hi.ts"), MODULE);
  return writeConfig(d, { id: name, hotReload, modules: { hi: { enabled: true } } });
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("exit", (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

/** Starts the copy's daemon on cfg (the bin run as an executable) and waits until hi answers. */
async function startDaemon(cfg: string): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(bin, ["daemon", "-c", cfg], { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(proc);
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`the daemon exited: ${output.slice(-1500)}`);
      return (await run(["-c", cfg, "hi", "ping"])).code === 0;
    },
    "the daemon's hi module to answer",
    30_000,
  );
  return { proc, output: () => output };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const gone = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await gone;
}

/** The input stamps a bundle ends with (bin/tsmgr.js STAMP_MARK). */
function stampsOf(file: string): Record<string, string> {
  const text = readFileSync(file, "utf8");
  const mark = "\n//# tsmgr-inputs ";
  return JSON.parse(text.slice(text.lastIndexOf(mark) + mark.length)) as Record<string, string>;
}

test.after(async () => {
  for (const p of procs) await stop(p);
  cleanup(dir);
});

test("a daemon started through the bin runs from a bundle it builds: modules start, status answers", async () => {
  // hot reload: chokidar, an ES module package, required from the CommonJS bundle
  const cfg = daemonConfig("a", true);
  const { proc, output } = await startDaemon(cfg);
  const bundle = join(cache, "daemon.cjs");
  assert.ok(existsSync(bundle), "the daemon's bundle was built");
  assert.ok(existsSync(`${bundle}.map`), "with its source map");
  // built from the daemon's sources, the sandbox's among them
  const stamps = stampsOf(bundle);
  assert.ok("runtime/sandbox/isolate.ts" in stamps && "runtime/loader/build.ts" in stamps, Object.keys(stamps).join());
  assert.not.ok(
    Object.keys(stamps).some((f) => f.startsWith("node_modules/")),
    "npm packages stay outside",
  );
  // hi needed the prelude (found beside isolate.ts) and the sdk (found from loader/build.ts)
  const hi = await run(["-c", cfg, "hi", "ping"]);
  assert.is(hi.stdout.trim(), "pong from a");
  const status = await run(["-c", cfg, "status"]);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, "a(active");
  // the daemon's version builtin reads package.json from beside its source
  const version = await run(["-c", cfg, "-f", "json", "version"]);
  assert.is((JSON.parse(version.stdout) as { version: string }).version, "0.1.0", version.stderr);
  const ls = await run(["-c", cfg, "module", "ls"]);
  assert.match(ls.stdout, /hi\s+on\s+active/);
  assert.not.match(output(), "Warning");
  // exec: the daemon is the spawned process itself
  assert.match(readFileSync(`/proc/${proc.pid}/cmdline`, "utf8"), "--no-node-snapshot");
  await stop(proc);
});

test("an edited daemon source is rebuilt into the bundle", async () => {
  appendFileSync(join(copy, "runtime", "cli", "main.ts"), '\nprocess.stderr.write("edited main.ts ran\\n");\n');
  const { proc, output } = await startDaemon(daemonConfig("b"));
  assert.match(output(), "edited main.ts ran");
  assert.match(readFileSync(join(cache, "daemon.cjs"), "utf8"), "edited main.ts ran");
  await stop(proc);
});

test("clients and daemons starting at once from a stale bundle all work, and leave a whole bundle", async () => {
  appendFileSync(join(copy, "runtime", "text.ts"), "\n// stale\n");
  const clients = await Promise.all([1, 2, 3, 4].map(() => run(["--version"])));
  for (const c of clients) assert.is(c.stdout.trim(), "tsmgr 0.1.0", c.stderr);
  const daemons = await Promise.all(["c", "d"].map((n) => startDaemon(daemonConfig(n))));
  for (const f of ["cli.cjs", "daemon.cjs"]) assert.ok("runtime/text.ts" in stampsOf(join(cache, f)), f);
  assert.equal(
    readdirSync(cache).filter((f) => f.endsWith(".tmp")),
    [],
  );
  for (const d of daemons) await stop(d.proc);
});

test("without a writable cache, the client and the daemon run from the sources", async () => {
  rmSync(join(copy, "node_modules", ".cache"), { recursive: true });
  writeFileSync(join(copy, "node_modules", ".cache"), "not a directory");
  const v = await run(["--version"]);
  assert.is(v.stdout.trim(), "tsmgr 0.1.0", v.stderr);
  const { proc } = await startDaemon(daemonConfig("e"));
  assert.is((await run(["-c", join(dir, "e", "mgr.json"), "status"])).code, 0);
  await stop(proc);
});

test.run();
