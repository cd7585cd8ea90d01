// The etcd store backend against a real single-member etcd. The cases every backend shares
// (durability, big batches, closing, watch) come from test/store/_backend-cases.ts; here: the key
// layout, durability of acknowledged writes across kill -9 of etcd, fencing, unreachable
// endpoints, a prefix shared by two groups, and etcd going away while writes are in flight.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { StoreError } from "../../runtime/errors.ts";
import { createEtcdClient, type FenceProvider } from "../../runtime/etcd/index.ts";
import { openEtcdStore, type EtcdStore } from "../../runtime/store/etcd.ts";
import { KvStore, type ChangeOrigin } from "../../runtime/store/index.ts";
import { waitFor } from "../_util.ts";
import { storeBackendCases } from "../store/_backend-cases.ts";
import { freePort, idle, sleep, startEtcd, setUp, type EtcdCluster } from "./_etcd.ts";

let etcd: EtcdCluster;
let prefixNo = 0;
const open: { close(): Promise<void> }[] = [];
const nextPrefix = () => `store${++prefixNo}/`;

async function store(prefix: string, group = "g"): Promise<EtcdStore> {
  const s = await openEtcdStore({ endpoints: etcd.endpoints, prefix, group, name: "test" });
  open.push(s);
  return s;
}
async function kvOn(prefix: string): Promise<KvStore> {
  const kv = await KvStore.open(await store(prefix));
  open.push(kv);
  return kv;
}

setUp(test, async () => {
  etcd = await startEtcd(1);
});
test.after.each(async () => {
  for (const s of open.splice(0).reverse()) await s.close().catch(() => {});
});
test.after(async () => {
  await etcd?.destroy();
});

storeBackendCases(test, {
  watchesEveryChange: true,
  name: "etcd",
  place: nextPrefix,
  open: (prefix) => openEtcdStore({ endpoints: etcd.endpoints, prefix, group: "g", name: "test" }),
});

test("round trip: keys live under <prefix>kv/, one range read loads them, a reopened store sees every write", async () => {
  const p = nextPrefix();
  const kv = await kvOn(p);
  await kv.set("mgr/hello/count", "1");
  await kv.set("config/mgr/mgr/hello/greeting", "héllo ☃");
  await kv.set("gone", "x");
  await kv.set("gone", null);
  const client = createEtcdClient(etcd.endpoints);
  try {
    const raw = await client.getAll().prefix(p).strings();
    assert.equal(Object.keys(raw).sort(), [
      `${p}group`,
      `${p}kv/config/mgr/mgr/hello/greeting`,
      `${p}kv/mgr/hello/count`,
    ]);
    assert.is(raw[`${p}kv/config/mgr/mgr/hello/greeting`], "héllo ☃");
    assert.is(JSON.parse(raw[`${p}group`]!).group, "g");
  } finally {
    client.close();
  }
  const again = await kvOn(p);
  assert.equal(again.prefix(""), [
    ["config/mgr/mgr/hello/greeting", "héllo ☃"],
    ["mgr/hello/count", "1"],
  ]);
});

test("fence: a commit whose leader key changed is refused by etcd, nothing is stored and memory goes back", async () => {
  const p = nextPrefix();
  const s = await store(p);
  const kv = await KvStore.open(s);
  open.push(kv);
  await kv.set("k", "before");
  let rejected = 0;
  const client = createEtcdClient(etcd.endpoints);
  try {
    // a leader key that exists now, with its create revision as the token
    const put = await client.put(`${p}election/mgr/1`).value("{}").exec();
    const fence: FenceProvider = {
      current: () => ({ key: "election/mgr/1", createRevision: put.header.revision }),
      rejected: () => rejected++,
    };
    s.setFence(fence);
    await kv.set("k", "while leader");
    // the leader key is replaced (another daemon's term): the old token no longer matches
    await client.delete().key(`${p}election/mgr/1`).exec();
    await client.put(`${p}election/mgr/1`).value("{}").exec();
    const err = await kv.set("k", "after").then(
      () => undefined,
      (e: Error) => e,
    );
    assert.instance(err, StoreError);
    assert.match(err!.message, /no longer the active one of its group/);
    assert.match(err!.message, /nothing of it was stored/);
    assert.is(rejected, 1);
    assert.is(kv.get("k"), "while leader", "memory went back to the last durable value");
    assert.is(await client.get(`${p}kv/k`).string(), "while leader");
    // a fence that refuses before sending (the election's guard) stops the write locally
    s.setFence({
      current: () => {
        throw new StoreError("this daemon (mgr.t) is not the active daemon of its group");
      },
      rejected: () => {},
    });
    const local = await kv.set("k", "standby").then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(local!.message, /is not the active daemon of its group/);
    assert.is(await client.get(`${p}kv/k`).string(), "while leader");
  } finally {
    client.close();
  }
});

test("acknowledged writes survive kill -9 of etcd in the middle of 8 writers", async () => {
  const p = nextPrefix();
  const kv = await kvOn(p);
  const acked = new Map<string, number>();
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 1; !stop; i++) {
      try {
        await kv.set(`w${w}`, String(i));
        acked.set(`w${w}`, i);
      } catch {
        return; // etcd is gone
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await sleep(400);
  await etcd.stopMember(0, "SIGKILL");
  stop = true;
  await Promise.race([Promise.all(writers), idle(8000)]);
  await etcd.startMember(0);
  const again = await kvOn(p);
  assert.ok(
    acked.size === 8 && [...acked.values()].every((n) => n > 5),
    `writers made progress: ${JSON.stringify([...acked])}`,
  );
  for (const [key, n] of acked) {
    // an unacknowledged later write may have landed too, but never less than the acknowledged one
    assert.ok(Number(again.get(key)) >= n, `${key}: acknowledged ${n}, etcd has ${again.get(key)}`);
  }
});

test("unreachable endpoints at open: a StoreError naming every endpoint, within a few seconds", async () => {
  const endpoints = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
  const t0 = Date.now();
  const err = await openEtcdStore({ endpoints, prefix: "x/", group: "g" }).then(
    () => undefined,
    (e: Error) => e,
  );
  const ms = Date.now() - t0;
  assert.instance(err, StoreError);
  for (const e of endpoints) assert.ok(err!.message.includes(e), err!.message);
  assert.match(err!.message, /cannot reach etcd at .* check that etcd is running there/);
  assert.ok(ms < 6000, `gave up after ${ms} ms`);
});

test("a prefix shared by two unrelated groups is refused with an explanation; so are foreign keys and nested prefixes", async () => {
  const p = nextPrefix();
  await store(p, "simulated cluster hosts=2 osdsPerHost=2 seed=1");
  const other = await openEtcdStore({
    endpoints: etcd.endpoints,
    prefix: p,
    group: "simulated cluster hosts=2 osdsPerHost=2 seed=7",
  }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.instance(other, StoreError);
  assert.match(
    other!.message,
    new RegExp(
      `etcd.prefix "${p}" on etcd .* belongs to another tsmgr group: group "simulated cluster hosts=2 osdsPerHost=2 seed=1", started by daemon test at `,
    ),
  );
  assert.match(other!.message, /give each group its own etcd.prefix in mgr.json/);
  // the same group is welcome
  await store(p, "simulated cluster hosts=2 osdsPerHost=2 seed=1");
  // a prefix inside another group's
  const nested = await openEtcdStore({ endpoints: etcd.endpoints, prefix: `${p}kv/sub/`, group: "x" }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(nested!.message, new RegExp(`lies inside the prefix "${p}" of another tsmgr group`));
  // a prefix holding keys tsmgr did not write
  const client = createEtcdClient(etcd.endpoints);
  try {
    await client.put("foreign/app/setting").value("1").exec();
  } finally {
    client.close();
  }
  const foreign = await openEtcdStore({ endpoints: etcd.endpoints, prefix: "foreign/", group: "g" }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(foreign!.message, /already holds keys that no tsmgr group wrote \(e\.g\. "foreign\/app\/setting"\)/);
});

test("etcd going away while writes are in flight: they fail with a clear error, nothing half-applied; after a restart writes work and the watch missed nothing", async () => {
  const p = nextPrefix();
  const a = await kvOn(p);
  const b = await kvOn(p);
  await a.set("steady", "0");
  await waitFor(() => b.get("steady") === "0", "b to follow a");
  await etcd.stopMember(0, "SIGTERM");
  const t0 = Date.now();
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => a.set(`during/${i}`, "x")));
  const ms = Date.now() - t0;
  assert.ok(
    results.every((r) => r.status === "rejected"),
    "every write failed",
  );
  const msg = (results[0] as PromiseRejectedResult).reason.message as string;
  assert.match(msg, /failed and was not stored/);
  assert.match(msg, /etcd did not take the write|etcd did not confirm the write/);
  assert.ok(ms < 5000, `failed after ${ms} ms, not hung`);
  assert.is(a.prefix("during/").length, 0, "memory went back");
  await etcd.startMember(0);
  // a change made while b's watch was disconnected (another client, right after the restart)
  const client = createEtcdClient(etcd.endpoints);
  try {
    await waitFor(
      async () =>
        client
          .put(`${p}kv/while-away`)
          .value("seen")
          .exec()
          .then(
            () => true,
            () => false,
          ),
      "etcd to take writes again",
      10_000,
    );
  } finally {
    client.close();
  }
  await waitFor(
    async () =>
      a.set("after", "1").then(
        () => true,
        () => false,
      ),
    "writes to work again",
    10_000,
  );
  await waitFor(
    () => b.get("while-away") === "seen" && b.get("after") === "1",
    "b's watch to resume and deliver both",
    10_000,
  );
  assert.is(b.prefix("during/").length, 0, "nothing of the failed writes reached etcd");
  const c = await kvOn(p);
  assert.is(c.prefix("during/").length, 0);
});

test.run();
