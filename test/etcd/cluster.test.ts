// A 3-member etcd cluster under the daemons: losing one member (the raft leader) leaves the
// store working and the group with an active daemon; stopping every member for 5 s and starting
// them again loses no acknowledged write, the daemons recover by themselves, and the watches
// resume without missing a change made while they were cut off.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createEtcdClient } from "../../runtime/etcd/index.ts";
import { openEtcdStore } from "../../runtime/store/etcd.ts";
import { KvStore } from "../../runtime/store/index.ts";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { keyHistory, raftLeader, requireWiring, sleep, startEtcd, setUp, type EtcdCluster } from "./_etcd.ts";

let etcd: EtcdCluster;
let dir = "";
let daemons: TestDaemon[] = [];
let kvs: KvStore[] = [];
let prefixNo = 0;

setUp(test, async () => {
  requireWiring();
  etcd = await startEtcd(3);
});
test.after.each(async () => {
  for (const d of daemons.reverse()) await d.stop().catch(() => {});
  for (const k of kvs) await k.close().catch(() => {});
  daemons = [];
  kvs = [];
  if (dir) cleanup(dir);
  dir = "";
});
test.after(async () => {
  await etcd?.destroy();
});

async function pair(prefix: string): Promise<[TestDaemon, TestDaemon]> {
  dir = tempDir("tsmgr-etcd-c3-");
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test", "etcd", "modules", "ticker.ts"), join(dir, "modules", "ticker.ts"));
  const common = {
    store: { backend: "etcd" },
    election: { backend: "etcd", leaseMs: 1000 },
    etcd: { endpoints: etcd.endpoints, prefix },
    modules: { ticker: { enabled: true } },
  };
  const a = await startTestDaemon(dir, { ...common, id: "a", dataDir: join(dir, "data-a") });
  daemons.push(a);
  const b = await startTestDaemon(dir, { ...common, id: "b", dataDir: join(dir, "data-b") });
  daemons.push(b);
  return [a, b];
}

const active = () => daemons.find((d) => d.isActive());

test("one member of three killed (the raft leader): the store keeps working and the group keeps an active daemon", async () => {
  const prefix = `c3-${++prefixNo}/`;
  await pair(prefix);
  const kv = await KvStore.open(
    await openEtcdStore({ endpoints: etcd.endpoints, prefix: `c3-raw-${prefixNo}/`, group: "g" }),
  );
  kvs.push(kv);
  const acked = new Map<string, number>();
  const ackTimes: number[] = [];
  let failures = 0;
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 1; !stop; i++) {
      try {
        await kv.set(`w${w}`, String(i));
        acked.set(`w${w}`, i);
        ackTimes.push(performance.now());
      } catch {
        failures++;
        await sleep(20);
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await sleep(300);
  const victim = await raftLeader(etcd);
  const killedAt = performance.now();
  await etcd.stopMember(victim, "SIGKILL");
  await sleep(3000);
  stop = true;
  await Promise.all(writers);
  const after = ackTimes.filter((t) => t > killedAt);
  assert.ok(after.length > 100, `writes went on after the kill: ${after.length} acknowledged, ${failures} failed`);
  let gap = 0;
  for (let i = 1; i < ackTimes.length; i++) gap = Math.max(gap, ackTimes[i]! - ackTimes[i - 1]!);
  assert.ok(gap < 2500, `longest pause between acknowledged writes: ${Math.round(gap)} ms`);
  // every acknowledged write is there, read through the two members left
  const left = etcd.endpoints.filter((_, i) => i !== victim);
  const check = await KvStore.open(await openEtcdStore({ endpoints: left, prefix: `c3-raw-${prefixNo}/`, group: "g" }));
  kvs.push(check);
  for (const [key, n] of acked)
    assert.ok(Number(check.get(key)) >= n, `${key}: acknowledged ${n}, etcd has ${check.get(key)}`);
  // the daemons: one is active (possibly after a safe step-down) and takes writes through the group
  const d = await waitFor(() => active(), "an active daemon", 5000);
  await waitFor(
    async () => (await d.command(["config-key", "set", "after-kill", "yes"])).retval === 0,
    "a write through the group",
    5000,
  );
  await etcd.startMember(victim);
});

test("etcd stopped entirely for 5 s and restarted: the daemons recover, no acknowledged write is lost, the watches miss nothing", async () => {
  const prefix = `c3-${++prefixNo}/`;
  const [a, b] = await pair(prefix);
  assert.ok(a.isActive());
  await waitFor(() => a.logs.some((l) => l.msg?.startsWith("tick ok a:")), "a's ticker to write", 3000);
  await waitFor(() => b.logs.some((l) => l.msg === "standby label=none"), "b's standby module to run", 3000);
  for (let i = 0; i < 20; i++) assert.is((await b.command(["config-key", "set", `before/${i}`, String(i)])).retval, 0);

  const down = performance.now();
  await Promise.all(etcd.members.map((_, i) => etcd.stopMember(i, "SIGKILL")));
  // while etcd is away: writes fail, nothing hangs
  const r = await a.command(["config-key", "set", "during", "x"], { timeoutMs: 3000 });
  assert.is.not(r.retval, 0, "a write while etcd is down fails");
  await sleep(Math.max(0, down + 5000 - performance.now()));
  const upAt = performance.now();
  await Promise.all(etcd.members.map((_, i) => etcd.startMember(i)));
  // a change made before the daemons' watches reconnect
  const client = createEtcdClient(etcd.endpoints);
  try {
    await waitFor(
      async () =>
        client
          .put(`${prefix}kv/config/mgr/mgr/ticker/label`)
          .value("after-outage")
          .exec()
          .then(
            () => true,
            () => false,
          ),
      "etcd to take writes",
      10_000,
    );
  } finally {
    client.close();
  }
  const d = await waitFor(() => active(), "an active daemon again", 10_000);
  const recovered = performance.now() - upAt;
  const other = d === a ? b : a;
  await waitFor(
    async () => /label=after-outage/.test((await d.command(["ticker", "last"])).stdout),
    "the active's module to see the new option",
    5000,
  );
  await waitFor(
    () => other.logs.some((l) => l.msg === "standby label=after-outage"),
    "the standby's watch to deliver the change made while it was cut off",
    5000,
  );
  await waitFor(
    async () => (await b.command(["config-key", "set", "after", "1"])).retval === 0,
    "writes through the group again",
    5000,
  );
  const ticked = d.logs.length;
  await waitFor(
    () => d.logs.slice(ticked).some((l) => l.msg?.startsWith(`tick ok ${d.config.id}:`)),
    "the new active's ticker to write",
    3000,
  );
  // no acknowledged write lost: every config-key set before the outage, every tick logged as stored
  const raw = createEtcdClient(etcd.endpoints);
  try {
    const kvs = await raw.getAll().prefix(`${prefix}kv/before/`).strings();
    assert.is(Object.keys(kvs).length, 20);
    assert.not.ok(await raw.get(`${prefix}kv/during`).string(), "the failed write was not stored");
  } finally {
    raw.close();
  }
  // ticks acknowledged so far (read before the history, which then must hold every one of them)
  const ticks = [...a.logs, ...b.logs]
    .map((l) => /^tick ok (\S+)$/.exec(l.msg ?? "")?.[1])
    .filter((t): t is string => t !== undefined);
  const history = new Set(await keyHistory(etcd.endpoints, `${prefix}kv/mgr/ticker/tick`));
  assert.ok(ticks.length >= 2, `ticks acknowledged before and after the outage: ${ticks.length}`);
  for (const t of ticks) assert.ok(history.has(t), `tick ${t} was acknowledged but is not in etcd`);
  assert.ok(recovered < 8000, `recovered ${Math.round(recovered)} ms after etcd was back`);
});

test.run();
