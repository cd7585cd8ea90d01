// Active and standby daemons sharing one data dir: election, forwarding, the mgr map, `mgr
// fail`, graceful handover, fencing when the lease is lost, the standby surface, and kill -9
// failover with real processes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import Database from "better-sqlite3";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, ROOT, spawnDaemon, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

const FIX = join(ROOT, "test", "fixtures", "modules");
let dir = "";
let daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons) await d.stop();
  daemons = [];
  cleanup(dir);
});

async function pair(leaseMs = 600): Promise<[TestDaemon, TestDaemon]> {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(FIX, "with_standby.ts"), join(dir, "modules", "with_standby.ts"));
  const common = { election: { backend: "sqlite", leaseMs }, modules: { with_standby: { enabled: true } } };
  const a = await startTestDaemon(dir, { ...common, id: "a" });
  const b = await startTestDaemon(dir, { ...common, id: "b" });
  daemons = [a, b];
  return [a, b];
}

test("the first daemon becomes active, the second standby; status shows Ceph's mgr map fields", async () => {
  const [a, b] = await pair();
  assert.ok(a.isActive());
  assert.not.ok(b.isActive());
  const map = JSON.parse((await b.command(["status"], { format: "json" })).stdout);
  assert.is(map.active_name, "a");
  assert.is(map.available, true);
  assert.ok(map.epoch >= 1);
  assert.equal(map.standbys.map((s: { name: string }) => s.name), ["b"]);
  assert.type(map.active_addr, "string");
  assert.equal(map.services, {});
});

test("a command sent to the standby is answered by the active", async () => {
  const [, b] = await pair();
  assert.match((await b.command(["ws", "who"])).stdout, /^active on a /);
  assert.is((await b.command(["config-key", "set", "via", "standby"])).retval, 0);
  assert.is((await b.command(["config-key", "get", "via"])).stdout, "standby");
});

test("mgr fail hands over: the standby becomes active and starts the modules with their stored state", async () => {
  const [a, b] = await pair();
  const before = (await a.command(["ws", "who"])).stdout;
  assert.match(before, /count=1/);
  assert.match((await a.command(["mgr", "fail"])).stdout, /failed mgr\.a/);
  await waitFor(() => b.isActive(), "b to become active");
  await waitFor(async () => /^active on b count=2/.test((await a.command(["ws", "who"])).stdout), "b's module, started with the stored count");
  assert.not.ok(a.isActive());
  assert.is(a.modules().find((m) => m.name === "with_standby")!.state, "standby");
});

test("stopping the active hands over at once", async () => {
  const [a, b] = await pair(2000);
  const t0 = Date.now();
  await a.stop();
  daemons = [b];
  await waitFor(() => b.isActive(), "b to take over", 3000);
  assert.ok(Date.now() - t0 < 2000, "the lease was released, not left to expire");
});

test("an active that finds its lease taken stops its active modules (fencing)", async () => {
  const [a, b] = await pair(600);
  await b.stop();
  daemons = [a];
  const db = new Database(join(dir, "data", "election.db"));
  db.prepare("UPDATE lease SET holder = 'intruder', gid = 1, expires_at = ?, epoch = epoch + 1 WHERE id = 1").run(Date.now() + 60_000);
  db.close();
  await waitFor(() => !a.isActive(), "a to step down");
  await waitFor(() => a.modules().find((m) => m.name === "with_standby")?.state === "standby", "its modules to leave the active role");
  assert.is((await a.command(["ws", "who"], { timeoutMs: 500 })).retval, -11);
});

test("a standby module gets only the standby surface: data, store and commands are refused", async () => {
  const [, b] = await pair();
  const probes = await waitFor(() => {
    const lines = b.logs.filter((l) => l.module === "with_standby" && l.msg.startsWith("standby probe "));
    return lines.length >= 6 ? lines.map((l) => l.msg) : undefined;
  }, "the standby's probes");
  for (const name of ["get", "getStore", "setStore", "sendCommand", "getMetadata"]) {
    const line = probes.find((p) => p.startsWith(`standby probe ${name}:`))!;
    assert.match(line, new RegExp(`PermissionDenied: ${name}\\(\\) is not available on a standby daemon: MgrStandbyModule offers only log, getMgrId, getActiveUri, getModuleOption, serve, shutdown and serveHttp`));
  }
  assert.ok(probes.includes("standby probe identity: b active=none"));
});

test("kill -9 of the active: the standby answers module commands as active, and the killed one rejoins as standby", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(FIX, "with_standby.ts"), join(dir, "modules", "with_standby.ts"));
  const cfg = (id: string) => {
    const f = join(dir, `mgr-${id}.json`);
    writeFileSync(f, JSON.stringify({ id, modulePath: "modules", dataDir: "data", http: { listen: "" }, cluster: { sim: { tickMs: 0 } }, election: { leaseMs: 800 }, modules: { with_standby: { enabled: true } } }));
    return f;
  };
  const a = await spawnDaemon(cfg("a"));
  const b = await spawnDaemon(cfg("b"));
  try {
    assert.match((await cli(["-c", cfg("b"), "ws", "who"])).stdout, /active on a/);
    a.proc.kill("SIGKILL");
    await a.exited;
    const r = await cli(["-c", cfg("b"), "--timeout", "10", "ws", "who"]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /active on b count=2/);
    const a2 = await spawnDaemon(cfg("a"));
    try {
      const map = JSON.parse((await cli(["-c", cfg("a"), "status", "-f", "json"])).stdout);
      assert.is(map.active_name, "b");
      await waitFor(async () => JSON.parse((await cli(["-c", cfg("a"), "status", "-f", "json"])).stdout).standbys.some((s: { name: string }) => s.name === "a"), "a listed as standby");
    } finally {
      a2.proc.kill("SIGTERM");
      await a2.exited;
    }
  } finally {
    b.proc.kill("SIGTERM");
    await b.exited;
  }
});

test.run();
