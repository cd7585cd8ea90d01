// The author's commands: `tsmgr new` (a module and a test that pass as written, never over an
// existing module), `tsmgr check` (SDK-only types, bundle, meta, likely grants), `tsmgr logs`
// (the daemon's log ring) and `tsmgr config validate` (the daemon's own loader).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, ROOT, startTestDaemon, tempDir, waitFor, writeConfig, type TestDaemon } from "../_util.ts";

/** A project folder as an author has one: mgr.json, modules/, and the checkout's node_modules. */
function project(): { dir: string; cfg: string } {
  const dir = tempDir();
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, "modules"));
  return { dir, cfg: writeConfig(dir, {}) };
}

function run(file: string, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", file], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("exit", (code) => resolve({ code: code ?? 128, out }));
  });
}

const author = suite("tsmgr new and check");
let dir = "";
let cfg = "";
author.before.each(() => {
  ({ dir, cfg } = project());
});
author.after.each(() => cleanup(dir));

author("tsmgr new writes a module that checks clean and a test that passes unchanged", async () => {
  const r = await cli(["-c", cfg, "new", "greeter"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*modules\/greeter\.ts and .*test\/modules\/greeter\.test\.ts/);
  const check = await cli(["-c", cfg, "check", "greeter"], { timeoutMs: 60_000 });
  assert.is(check.code, 0, check.stderr);
  assert.match(check.stdout, /^modules\/greeter\.ts: ok \(type-checked, bundled/m);
  assert.match(check.stdout, /^    greeter pool <pool>  \(perm r\)$/m);
  assert.match(check.stdout, /modules\.greeter\.allow\.data: "osd_map"/);
  const t = await run(join(dir, "test", "modules", "greeter.test.ts"), dir);
  assert.is(t.code, 0, t.out);
  assert.match(t.out, /Passed:\s+2/);
});

author("tsmgr new over an existing module refuses (EEXIST) and leaves its file as it was", async () => {
  writeFileSync(join(dir, "modules", "mine.ts"), "// my work\n");
  const r = await cli(["-c", cfg, "new", "mine"]);
  assert.is(r.code, 17);
  assert.match(r.stderr, /modules\/mine\.ts already exists: module "mine" is left as it is/);
  assert.is(readFileSync(join(dir, "modules", "mine.ts"), "utf8"), "// my work\n");
  const folder = await cli(["-c", cfg, "new", "status"]);
  assert.is(folder.code, 22);
  assert.match(folder.stderr, /"status" is a built-in command's word/);
});

author("tsmgr check on a module with a type error prints file:line:col and exits non-zero", async () => {
  writeFileSync(
    join(dir, "modules", "bad.ts"),
    'import { MgrModule } from "@tsmgr/sdk";\nexport default class Bad extends MgrModule {\n  async serve() {\n    this.log.info(this.get("osd_map").osdz);\n    this.log.info(process.env.HOME);\n  }\n}\n',
  );
  const r = await cli(["-c", cfg, "check", "bad"], { timeoutMs: 60_000 });
  assert.is(r.code, 22);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /^\S*modules\/bad\.ts:4:39 Property 'osdz' does not exist on type 'OsdMap'\. \(TS2339\)$/m);
  assert.match(
    r.stderr,
    /^\S*modules\/bad\.ts:5:19 Cannot find name 'process': a module runs in its own isolate, without Node's globals/m,
  );
  assert.match(r.stderr, /modules\/bad\.ts: 2 type errors/);
});

author(
  "tsmgr check reports bad COMMANDS as the daemon would, and a missing module with the way to make one",
  async () => {
    writeFileSync(
      join(dir, "modules", "perms.ts"),
      'import { MgrModule, type CommandDescriptor } from "@tsmgr/sdk";\nexport default class P extends MgrModule {\n  static COMMANDS = [{ cmd: "perms x", desc: "x", perm: "z" }] as unknown as CommandDescriptor[];\n}\n',
    );
    const r = await cli(["-c", cfg, "check", "perms"], { timeoutMs: 60_000 });
    assert.is(r.code, 22, r.stdout);
    assert.match(r.stderr, /module perms: COMMANDS\[0\]\.perm must be "r", "w", "rw" or "x", got "z"/);
    const missing = await cli(["-c", cfg, "check", "nope"], { timeoutMs: 60_000 });
    assert.is(missing.code, 2);
    assert.match(missing.stderr, /no module "nope" in \S*modules .*tsmgr new nope writes one/);
  },
);

author.run();

const validate = suite("tsmgr config validate");
validate.before.each(() => {
  ({ dir, cfg } = project());
});
validate.after.each(() => cleanup(dir));

validate("the shipped mgr.json validates: ok, exit 0", async () => {
  const r = await cli(["config", "validate", join(ROOT, "mgr.json")]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "ok\n");
});

validate("a bad file is refused with the loader's message naming the field, exit 2", async () => {
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ limits: { memoryMb: 1 }, modules: { hello: { enabled: true } } }));
  const r = await cli(["config", "validate", bad]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /bad\.json: limits\.memoryMb: 1 is out of range: must be between 8 and 8192/);
  writeFileSync(bad, JSON.stringify({ modules: { hello: { alow: {} } } }));
  const typo = await cli(["-c", bad, "config", "validate"]);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, /modules\.hello\.alow: unknown field/);
});

validate.run();

const logs = suite("tsmgr logs");
let d: TestDaemon | undefined;
logs.before(async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, { modulePath: join(ROOT, "modules"), modules: { hello: { enabled: true } } });
  cfg = writeConfig(dir, { modulePath: join(ROOT, "modules") });
  await waitFor(() => d!.logs.some((l) => l.module === "hello" && l.msg === "hello module running"), "hello to log");
});
logs.after(async () => {
  await d?.stop();
  cleanup(dir);
});

logs("tsmgr logs MODULE shows that module's recent lines, and --level filters them out", async () => {
  const r = await cli(["-c", cfg, "logs", "hello"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /INFO  \[hello\] hello module running/);
  assert.not.match(r.stdout, /\(daemon\)/, "only hello's lines");
  const warn = await cli(["-c", cfg, "logs", "hello", "--level", "warn"]);
  assert.is(warn.code, 0, warn.stderr);
  assert.not.match(warn.stdout, /hello module running/);
});

logs("tsmgr logs -f follows: a line logged after it started is printed, escaped", async () => {
  const p = spawn(join(ROOT, "bin", "tsmgr.js"), ["-c", cfg, "logs", "-f", "--level", "warn"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  p.stdout.on("data", (c) => (out += c));
  try {
    await waitFor(async () => (await d!.command(["log", "tail"], { format: "json" })).retval === 0, "log tail");
    await new Promise((r) => setTimeout(r, 300)); // past the follower's first poll is not required, only likely
    d!.logger.warn({ module: "probe" }, "followed line\x1b[2J");
    await waitFor(() => out.includes("[probe] followed line\\x1b[2J"), "the follower to print the new line", 10_000);
  } finally {
    p.kill("SIGINT");
  }
});

logs.run();
