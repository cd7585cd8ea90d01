// The store and options as modules and operators use them through a real daemon: namespaces,
// read-after-write, quotas, bad values, options from the CLI with configNotify, durability
// across restarts, a module writing in a tight loop, and a store file that cannot be opened.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, ROOT, startTestDaemon, tempDir, waitFor, writeConfig, type TestDaemon } from "../_util.ts";

const FIX = join(ROOT, "test", "fixtures", "modules");
let dir = "";
let d: TestDaemon | undefined;
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

async function daemonWith(names: string[], extra: Record<string, unknown> = {}): Promise<TestDaemon> {
  mkdirSync(join(dir, "modules"), { recursive: true });
  for (const n of names) copyFileSync(join(FIX, `${n}.ts`), join(dir, "modules", `${n}.ts`));
  return startTestDaemon(dir, { modules: Object.fromEntries(names.map((n) => [n, { enabled: true }])), ...extra });
}

test("a module's writes are readable at once, namespaced under mgr/NAME/, and survive a restart", async () => {
  dir = tempDir();
  d = await daemonWith(["store_user", "good"]);
  assert.is((await d.command(["su", "set", "a/1", "one"])).stdout, "ok");
  assert.is((await d.command(["su", "get", "a/1"])).stdout, "one");
  assert.is((await d.command(["config-key", "get", "mgr/store_user/a/1"])).stdout, "one");
  await d.command(["good", "write", "secret", "mine"]);
  assert.is((await d.command(["su", "get", "../good/secret"])).stdout, "<none>");
  assert.equal(JSON.parse((await d.command(["su", "prefix"])).stdout), { "a/1": "one" });
  await d.command(["su", "rm", "a/1"]);
  assert.is((await d.command(["su", "get", "a/1"])).stdout, "<none>");
  await d.command(["su", "set", "kept", "yes"]);
  await d.stop();
  d = await daemonWith(["store_user", "good"]);
  assert.is((await d.command(["su", "get", "kept"])).stdout, "yes");
  assert.is((await d.command(["su", "get", "said_goodbye"])).stdout, "yes", "a write made in shutdown() is durable");
});

test("non-string values and quota breaches are refused with a clear error and nothing written", async () => {
  dir = tempDir();
  d = await daemonWith(["store_user"]);
  assert.match((await d.command(["su", "bad", "number"])).stderr, /TypeError: .*must be a string or null, got number/);
  assert.match((await d.command(["su", "bad", "object"])).stderr, /TypeError: .*got object/);
  assert.match(
    (await d.command(["su", "bad", "bigkey"])).stderr,
    /LimitExceeded: .*modules\.store_user\.store\.maxKeyBytes/,
  );
  assert.match(
    (await d.command(["su", "bad", "bigvalue"])).stderr,
    /LimitExceeded: .*modules\.store_user\.store\.maxValueBytes/,
  );
  assert.equal(JSON.parse((await d.command(["config-key", "dump", "mgr/store_user/"], { format: "json" })).stdout), {});
});

test("the key-count quota stops the module at its limit", async () => {
  dir = tempDir();
  d = await daemonWith(["store_user"], { modules: { store_user: { enabled: true, store: { maxKeys: 3 } } } });
  for (const k of ["a", "b", "c"]) assert.is((await d.command(["su", "set", k, "v"])).stdout, "ok");
  assert.match((await d.command(["su", "set", "d", "v"])).stderr, /LimitExceeded: .*maxKeys/);
  assert.is((await d.command(["su", "set", "a", "changed"])).stdout, "ok", "overwriting an existing key is fine");
});

test("options: typed defaults, config set from the CLI with validation, configNotify, config get and dump", async () => {
  dir = tempDir();
  d = await daemonWith(["store_user"]);
  assert.equal(JSON.parse((await d.command(["su", "opt", "count"])).stdout), { value: 3 });
  assert.equal(JSON.parse((await d.command(["su", "opt", "enabled"])).stdout), { value: false });
  assert.is((await d.command(["config", "set", "mgr", "mgr/store_user/count", "7"])).retval, 0);
  assert.equal(JSON.parse((await d.command(["su", "opt", "count"])).stdout), { value: 7 });
  await waitFor(async () => (await d!.command(["su", "confignotifies"])).stdout === "1", "configNotify");
  const range = await d.command(["config", "set", "mgr", "mgr/store_user/count", "11"]);
  assert.is(range.retval, -22);
  assert.match(range.stderr, /count.*11.*10/);
  const type = await d.command(["config", "set", "mgr", "mgr/store_user/count", "many"]);
  assert.is(type.retval, -22);
  assert.match(type.stderr, /"many" is not/);
  const choice = await d.command(["config", "set", "mgr", "mgr/store_user/mode", "z"]);
  assert.is(choice.retval, -22);
  const unknown = await d.command(["config", "set", "mgr", "mgr/store_user/nope", "1"]);
  assert.is(unknown.retval, -2);
  assert.match(unknown.stderr, /has no option "nope": its options are greeting, count, mode, enabled/);
  assert.is((await d.command(["config", "get", "mgr", "mgr/store_user/count"])).stdout, "7");
  assert.is((await d.command(["config", "get", "mgr", "mgr/store_user/greeting"])).stdout, "hi");
  const dump = JSON.parse((await d.command(["config", "dump"], { format: "json" })).stdout) as {
    section: string;
    name: string;
    value: string;
  }[];
  assert.ok(dump.some((o) => o.section === "mgr" && o.name === "mgr/store_user/count" && o.value === "7"));
  assert.is((await d.command(["su", "setopt", "mode", '"b"'])).stdout, "ok");
  assert.match((await d.command(["su", "setopt", "mode", '"q"'])).stderr, /RangeError: .*mode/);
  assert.match((await d.command(["su", "opt", "nope"])).stderr, /has no option "nope"/);
});

test("a module writing in a tight loop does not stop another module's writes from completing", async () => {
  dir = tempDir();
  d = await daemonWith(["store_user", "good"]);
  const flood = d.command(["su", "loop", "20000"], { timeoutMs: 20000 });
  for (let i = 0; i < 5; i++) assert.is((await d.command(["good", "write", `k${i}`, "v"])).stdout, "ok");
  assert.is((await flood).stdout, "ok");
  assert.is((await d.command(["config-key", "get", "mgr/good/k4"])).stdout, "v");
});

test("config-key set, get, exists, rm, ls and dump from the CLI, with Ceph's JSON shapes", async () => {
  dir = tempDir();
  const cfg = writeConfig(dir, {});
  const { spawnDaemon } = await import("../_util.ts");
  const p = await spawnDaemon(cfg);
  try {
    assert.is((await cli(["-c", cfg, "config-key", "set", "a/b", "hello world"])).stderr, "set a/b\n");
    assert.is((await cli(["-c", cfg, "config-key", "get", "a/b"])).stdout, "hello world\n");
    assert.is((await cli(["-c", cfg, "config-key", "exists", "a/b"])).code, 0);
    assert.equal(JSON.parse((await cli(["-c", cfg, "config-key", "ls", "-f", "json"])).stdout), ["a/b"]);
    assert.equal(JSON.parse((await cli(["-c", cfg, "config-key", "dump", "-f", "json"])).stdout), {
      "a/b": "hello world",
    });
    assert.is((await cli(["-c", cfg, "config-key", "rm", "a/b"])).code, 0);
    assert.is((await cli(["-c", cfg, "config-key", "exists", "a/b"])).code, 2);
  } finally {
    p.proc.kill("SIGTERM");
    await p.exited;
  }
});

test("a store file that is not a database stops the daemon at start with a message naming it (exit 2)", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "data", "store.db"), "this is not a database, just some bytes ".repeat(200));
  const cfg = writeConfig(dir, {});
  const r = await cli(["daemon", "-c", cfg]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /store\.db/);
  assert.match(r.stderr, /not a tsmgr store|not a database/);
});

test.run();
