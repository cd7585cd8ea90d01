// Active and standby daemons sharing one data dir (the SQLite election). The cases every election
// backend shares (roles and the mgr map, forwarding, `mgr fail`, graceful handover) come from
// _election-cases.ts; here: fencing when the lease row is taken, the standby surface, and kill -9
// failover with real processes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import Database from "better-sqlite3";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, ROOT, spawnDaemon, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { electionCases } from "./_election-cases.ts";

const FIX = join(ROOT, "test", "fixtures", "modules");
let dir = "";
let daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons) await d.stop().catch(() => {});
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

electionCases(test, { name: "sqlite", pair });

test("an active that finds its lease taken stops its active modules (fencing)", async () => {
  const [a, b] = await pair(600);
  await b.stop();
  daemons = [a];
  const db = new Database(join(dir, "data", "election.db"));
  db.prepare("UPDATE lease SET holder = 'intruder', gid = 1, expires_at = ?, epoch = epoch + 1 WHERE id = 1").run(
    Date.now() + 60_000,
  );
  db.close();
  await waitFor(() => !a.isActive(), "a to step down");
  await waitFor(
    () => a.modules().find((m) => m.name === "with_standby")?.state === "standby",
    "its modules to leave the active role",
  );
  assert.is((await a.command(["ws", "who"], { timeoutMs: 500 })).retval, -11);
});

test("a standby module gets only the standby surface: data, store and commands are refused", async () => {
  const [, b] = await pair();
  const probes = await waitFor(() => {
    const lines = b.logs.filter((l) => l.module === "with_standby" && l.msg.startsWith("standby probe "));
    return lines.length >= 6 ? lines.map((l) => l.msg) : undefined;
  }, "the standby's probes");
  const offer =
    "MgrStandbyModule offers only log, getMgrId, getMgrIp, getActiveUri, getModuleOption, serveHttp, getStore, getLocalizedModuleOption, getLocalizedStore, getCephOption, get, serve and shutdown";
  for (const name of ["setStore", "sendCommand", "getMetadata"]) {
    const line = probes.find((p) => p.startsWith(`standby probe ${name}:`))!;
    assert.ok(line.endsWith(`PermissionDenied: ${name}() is not available on a standby daemon: ${offer}`), line);
  }
  // Ceph's standbys read the store, and get() answers "mgr_ips" only
  assert.ok(probes.includes("standby probe getStore: allowed"), probes.join("\n"));
  const get = probes.find((p) => p.startsWith("standby probe get:"))!;
  assert.ok(
    get.endsWith(
      `PermissionDenied: get("osd_map") is not available on a standby daemon: a standby reads only get("mgr_ips"); ${offer}`,
    ),
    get,
  );
  assert.ok(probes.includes("standby probe identity: b active=none"));
});

test("kill -9 of the active: the standby answers module commands as active, and the killed one rejoins as standby", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(FIX, "with_standby.ts"), join(dir, "modules", "with_standby.ts"));
  const cfg = (id: string) => {
    const f = join(dir, `mgr-${id}.json`);
    writeFileSync(
      f,
      JSON.stringify({
        id,
        modulePath: "modules",
        dataDir: "data",
        http: { listen: "" },
        cluster: { sim: { tickMs: 0 } },
        election: { leaseMs: 800 },
        modules: { with_standby: { enabled: true } },
      }),
    );
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
      await waitFor(
        async () =>
          JSON.parse((await cli(["-c", cfg("a"), "status", "-f", "json"])).stdout).standbys.some(
            (s: { name: string }) => s.name === "a",
          ),
        "a listed as standby",
      );
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
