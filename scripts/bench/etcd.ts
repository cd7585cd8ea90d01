// etcd store figures, beside the SQLite ones: durable KvStore writes on a real etcd of 1 and of
// 3 members (loopback, temp dirs), 1 writer (p50/p99) and 8 writers (writes/s). Runs only where an
// `etcd` binary is installed (`apt-get install etcd-server`); otherwise every figure is null with
// that reason. Failover on etcd is measured by the etcd-failover acceptance check and test/etcd.
import { spawnSync } from "node:child_process";
import { KvStore } from "../../runtime/store/index.ts";
import { openEtcdStore } from "../../runtime/store/etcd.ts";
import { startEtcd } from "../../test/etcd/_etcd.ts";
import { durableWrites, median, pct, type GroupContext } from "./lib.ts";

const VALUE = "v".repeat(120);

async function measure(ctx: GroupContext, members: number, label: string): Promise<void> {
  const etcd = await startEtcd(members);
  const kv = await KvStore.open(await openEtcdStore({ endpoints: etcd.endpoints, prefix: "bench/" }));
  try {
    const { latencies: lat, count8: count, secs8: secs } = await durableWrites(ctx, kv, VALUE, 700, 100, 20_000);
    const what = `KvStore.set() awaited until etcd committed it, ${members} member(s) on loopback, 1 writer, ${lat.length} writes`;
    ctx.set(`etcd_${label}_write_p50_ms`, median(lat), what);
    ctx.set(`etcd_${label}_write_p99_ms`, pct(lat, 99), what);
    ctx.set(
      `etcd_${label}_writes_per_sec_8`,
      count / secs,
      `8 concurrent writers on ${members} member(s): ${count} writes in ${secs.toFixed(1)} s (group commit: one transaction per batch)`,
    );
  } finally {
    await kv.close();
    await etcd.destroy();
  }
}

export async function run(ctx: GroupContext): Promise<void> {
  if (spawnSync("etcd", ["--version"]).status !== 0) {
    throw new Error("no etcd binary on this machine (apt-get install etcd-server): etcd figures not measured");
  }
  await measure(ctx, 1, "1m");
  await measure(ctx, 3, "3m");
}
