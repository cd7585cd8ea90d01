// The daemon as an operator runs it: the `tsmgr` bin in a child process, the CLI over the
// admin socket, exit codes, bad configs, SIGTERM.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { cleanup, cli, ROOT, spawnDaemon, tempDir, waitFor, writeConfig, writeFiles } from "../_util.ts";

let dir = "";
test.after.each(() => cleanup(dir));

test("tsmgr daemon serves hello over the admin socket (mode 0600) and exits 0 on SIGTERM after shutdown()", async () => {
  dir = tempDir();
  const cfg = writeConfig(dir, { modulePath: join(ROOT, "modules"), modules: { hello: { enabled: true } } });
  const d = await spawnDaemon(cfg);
  try {
    const sock = statSync(join(dir, "data", "mgr.t.asok"));
    assert.is(sock.mode & 0o777, 0o600);
    const r = await cli(["-c", cfg, "hello", "bob"]);
    assert.equal([r.code, r.stdout], [0, "hello bob\n"]);
    const kw = await cli(["-c", cfg, "hello", "--person=ann"]);
    assert.is(kw.stdout, "hello ann\n");
    const ls = await cli(["-c", cfg, "module", "ls", "-f", "json"]);
    assert.is(ls.code, 0);
    assert.ok(JSON.parse(ls.stdout).enabled_modules.includes("hello"));
  } finally {
    d.proc.kill("SIGTERM");
  }
  assert.is(await d.exited, 0);
  assert.match(d.output(), /hello module stopping/);
});

test("the CLI exit code is the command's errno: EINVAL for bad arguments, ENOENT for a missing key", async () => {
  dir = tempDir();
  const cfg = writeConfig(dir, { modulePath: join(ROOT, "modules"), modules: { hello: { enabled: true } } });
  const d = await spawnDaemon(cfg);
  try {
    const bad = await cli(["-c", cfg, "hello", "a", "b"]);
    assert.is(bad.code, 22);
    assert.match(bad.stderr, /invalid command|no valid command/);
    const missing = await cli(["-c", cfg, "config-key", "get", "nope"]);
    assert.is(missing.code, 2);
    assert.match(missing.stderr, /error obtaining 'nope'/);
    const unknown = await cli(["-c", cfg, "helo"]);
    assert.is(unknown.code, 22);
    assert.match(unknown.stderr, /no valid command found/);
    assert.match(unknown.stderr, /hello/);
  } finally {
    d.proc.kill("SIGTERM");
    await d.exited;
  }
});

test("with no daemon running the CLI says so and exits 2", async () => {
  dir = tempDir();
  const cfg = writeConfig(dir, {});
  const r = await cli(["-c", cfg, "status"]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /no tsmgr daemon is running/);
});

test("an invalid config stops the daemon before anything starts, naming the field (exit 2)", async () => {
  dir = tempDir();
  const cases: [unknown, RegExp][] = [
    [{ limits: { memoryMb: "lots" } }, /limits\.memoryMb: must be a number, got string/],
    [{ modulepath: "x" }, /modulepath: unknown field; did you mean "modulePath"\?/],
    [{ http: { listen: "nowhere" } }, /http\.listen: "nowhere" is not an address/],
    [{ modules: { hello: { enabled: "yes" } } }, /modules\.hello\.enabled: must be true or false/],
  ];
  for (const [cfg, msg] of cases) {
    const f = join(dir, "bad.json");
    writeFileSync(f, JSON.stringify(cfg));
    const r = await cli(["daemon", "-c", f]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, msg);
  }
  writeFileSync(join(dir, "broken.json"), "{ not json");
  const r = await cli(["daemon", "-c", join(dir, "broken.json")]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /is not valid JSON/);
});

test("a daemon whose http.listen address is taken exits 2 naming the field, without a stack trace", async () => {
  dir = tempDir();
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
  const port = (holder.address() as AddressInfo).port;
  try {
    const cfg = writeConfig(dir, { http: { listen: `127.0.0.1:${port}` } });
    const r = await cli(["daemon", "-c", cfg], { timeoutMs: 20_000 });
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`http\\.listen 127\\.0\\.0\\.1:${port}: the address is in use`));
    assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
  } finally {
    holder.close();
  }
});

test("SIGHUP re-reads mgr.json: a new allow.commands grant applies without a restart", async () => {
  dir = tempDir();
  writeFiles(join(dir, "modules"), {
    "pools.ts": `import { MgrModule } from "@tsmgr/sdk";
export default class Pools extends MgrModule {
  static COMMANDS = [{ cmd: "pools", desc: "pools", perm: "r" as const }];
  async handleCommand() {
    try { return { retval: 0, stdout: (await this.sendCommand({ prefix: "osd pool ls" })).stdout, stderr: "" }; }
    catch (e: any) { return { retval: -13, stdout: "", stderr: e.name }; }
  }
}`,
  });
  const cfg = writeConfig(dir, { modules: { pools: { enabled: true } } });
  const d = await spawnDaemon(cfg);
  try {
    assert.is((await cli(["-c", cfg, "pools"])).stderr, "Error EACCES: PermissionDenied\n");
    const c = JSON.parse(readFileSync(cfg, "utf8"));
    c.modules.pools.allow = { commands: ["osd pool ls"] };
    writeFileSync(cfg, JSON.stringify(c));
    d.proc.kill("SIGHUP");
    const ok = await waitFor(
      async () => {
        const r = await cli(["-c", cfg, "pools"]);
        return r.code === 0 ? r : undefined;
      },
      "the grant to apply after SIGHUP",
      15_000,
    );
    assert.is(ok.code, 0);
  } finally {
    d.proc.kill("SIGTERM");
  }
  assert.is(await d.exited, 0);
});

test("a second daemon with the same id and data dir is refused", async () => {
  dir = tempDir();
  const cfg = writeConfig(dir, {});
  const d = await spawnDaemon(cfg);
  try {
    const r = await cli(["daemon", "-c", cfg]);
    assert.is(r.code, 17);
    assert.match(r.stderr, /a daemon with id "t" is already running/);
  } finally {
    d.proc.kill("SIGTERM");
    await d.exited;
  }
});

test.run();
