// Daemons grouped through a real etcd (store and election on etcd), in this process. The cases
// every election backend shares (roles and the mgr map, forwarding, `mgr fail`, graceful
// handover) come from test/election/_election-cases.ts; here: options changed elsewhere reaching
// a module, fencing tokens, and refusals at start (unreachable endpoints, another group's prefix).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { startDaemon, DaemonError } from "../../runtime/daemon/daemon.ts";
import { EtcdElection } from "../../runtime/election/etcd.ts";
import { StoreError } from "../../runtime/errors.ts";
import { createEtcdClient } from "../../runtime/etcd/index.ts";
import { cleanup, ROOT, startTestDaemon, tempDir, testConfig, waitFor, type TestDaemon } from "../_util.ts";
import { electionCases } from "../election/_election-cases.ts";
import { freePort, requireWiring, sleep, startEtcd, setUp, type EtcdCluster } from "./_etcd.ts";

const FIX = join(ROOT, "test", "fixtures", "modules");
let etcd: EtcdCluster;
let dir = "";
let daemons: TestDaemon[] = [];
let prefixNo = 0;

setUp(test, async () => {
  requireWiring();
  etcd = await startEtcd(1);
});
test.after.each(async () => {
  for (const d of daemons.reverse()) await d.stop().catch(() => {});
  daemons = [];
  if (dir) cleanup(dir);
  dir = "";
});
test.after(async () => {
  await etcd?.destroy();
});

function etcdConfig(prefix: string, leaseMs = 1000): Record<string, unknown> {
  return {
    store: { backend: "etcd" },
    election: { backend: "etcd", leaseMs },
    etcd: { endpoints: etcd.endpoints, prefix },
  };
}

/** Two daemons a and b (separate data dirs, as on two machines) in one etcd group. */
async function pair(modules: string[] = ["with_standby"], leaseMs = 1000): Promise<[TestDaemon, TestDaemon, string]> {
  dir = tempDir("tsmgr-etcd-el-");
  mkdirSync(join(dir, "modules"));
  for (const m of modules) {
    const src = m === "ticker" ? join(ROOT, "test", "etcd", "modules", "ticker.ts") : join(FIX, `${m}.ts`);
    copyFileSync(src, join(dir, "modules", `${m}.ts`));
  }
  const prefix = `el${++prefixNo}/`;
  const common = {
    ...etcdConfig(prefix, leaseMs),
    modules: Object.fromEntries(modules.map((m) => [m, { enabled: true }])),
  };
  const a = await startTestDaemon(dir, { ...common, id: "a", dataDir: join(dir, "data-a") });
  daemons.push(a);
  const b = await startTestDaemon(dir, { ...common, id: "b", dataDir: join(dir, "data-b") });
  daemons.push(b);
  return [a, b, prefix];
}

let lastPrefix = "";
electionCases(test, {
  name: "etcd",
  pair: async (leaseMs) => {
    const [a, b, prefix] = await pair(["with_standby"], leaseMs);
    lastPrefix = prefix;
    return [a, b];
  },
  stored: async (key) => {
    const client = createEtcdClient(etcd.endpoints);
    try {
      return (await client.get(`${lastPrefix}kv/${key}`).string()) ?? undefined;
    } finally {
      client.close();
    }
  },
});

test("an option changed outside this daemon (another writer in etcd) reaches the running module, with configNotify", async () => {
  const [a, , prefix] = await pair(["ticker"]);
  await waitFor(
    async () => /^a:\d+ label=none notified=0/.test((await a.command(["ticker", "last"])).stdout),
    "the ticker to run",
  );
  const client = createEtcdClient(etcd.endpoints);
  try {
    await client.put(`${prefix}kv/config/mgr/mgr/ticker/label`).value("from-etcdctl").exec();
  } finally {
    client.close();
  }
  const out = await waitFor(
    async () => {
      const s = (await a.command(["ticker", "last"])).stdout;
      return /label=from-etcdctl notified=1$/.test(s) ? s : undefined;
    },
    "the option and configNotify to reach the module",
    3000,
  );
  assert.match(out, /^a:\d+ /);
});

test("fencing tokens: the leader's is its key's create revision and grows with every leader; a standby's fence refuses", async () => {
  const prefix = `el${++prefixNo}/`;
  const opts = { endpoints: etcd.endpoints, prefix, addr: "", leaseMs: 1000, group: "g" };
  const x = new EtcdElection({ ...opts, name: "x", asok: "x" });
  const y = new EtcdElection({ ...opts, name: "y", asok: "y" });
  try {
    await x.start(async () => {});
    await y.start(async () => {});
    assert.ok(x.isActive());
    const fx = x.fence().current();
    assert.match(fx.key, /^election\/mgr\/\d+$/);
    assert.throws(
      () => y.fence().current(),
      (e: Error) =>
        e instanceof StoreError && /this daemon \(mgr\.y\) is not the active daemon of its group/.test(e.message),
    );
    await x.stop();
    await waitFor(() => y.isActive(), "y to take over", 3000);
    const fy = y.fence().current();
    assert.ok(
      BigInt(fy.createRevision) > BigInt(fx.createRevision),
      `token grew: ${fx.createRevision} → ${fy.createRevision}`,
    );
    assert.throws(() => x.fence().current(), /has left its group/);
  } finally {
    await x.stop();
    await y.stop();
  }
});

test("a daemon whose group differs from the one recorded under the prefix is refused (exit code 2) with an explanation", async () => {
  const [a, , prefix] = await pair();
  assert.ok(a.isActive());
  const cfg = testConfig(dir, {
    ...etcdConfig(prefix),
    id: "intruder",
    dataDir: join(dir, "data-i"),
    cluster: { sim: { hosts: 3, osdsPerHost: 2, seed: 9, tickMs: 0 } },
  });
  const err = await startDaemon(cfg).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.instance(err, DaemonError);
  assert.is((err as DaemonError).exitCode, 2);
  assert.match(
    err!.message,
    new RegExp(
      `etcd.prefix "${prefix}" on etcd .* belongs to another tsmgr group: group "simulated cluster hosts=2 osdsPerHost=2 seed=1", started by daemon a`,
    ),
  );
  assert.match(err!.message, /this daemon's group is "simulated cluster hosts=3 osdsPerHost=2 seed=9"/);
  assert.not.ok(a.modules().length === 0);
  assert.ok(a.isActive(), "the group was not disturbed");
});

test("unreachable endpoints at start: the daemon refuses to start (exit code 2) naming them, within a few seconds", async () => {
  dir = tempDir("tsmgr-etcd-el-");
  const endpoints = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
  const cfg = testConfig(dir, {
    store: { backend: "etcd" },
    election: { backend: "etcd" },
    etcd: { endpoints, prefix: "x/" },
  });
  const t0 = Date.now();
  const err = await startDaemon(cfg).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.instance(err, DaemonError);
  assert.is((err as DaemonError).exitCode, 2);
  assert.match(err!.message, new RegExp(`cannot reach etcd at ${endpoints.join(", ")}`));
  assert.ok(Date.now() - t0 < 7000);
  await sleep(0);
});

test.run();
