// Store figures: durable writes and reads through the real KvStore on SQLite (WAL,
// synchronous=FULL) in a temp dir, then the same through a module's setStore/getStore.
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { KvStore, openSqliteStore } from "../../runtime/store/index.ts";
import { durableWrites, inProcessDaemon, median, moduleDir, must, pct, tempDir, type GroupContext } from "./lib.ts";

const VALUE = "v".repeat(120); // ~ a typical small module value (the floor in node-stack-notes uses ~120 B)

/** The disk's floor for one durable commit: append 120 B to a file and fdatasync it. */
function fsyncFloor(dir: string, n: number): number[] {
  const fd = openSync(join(dir, "fsync-probe"), "a");
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      writeSync(fd, VALUE);
      fdatasyncSync(fd);
      out.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("store");
  const kv = await KvStore.open(openSqliteStore(join(dir, "store.db")));
  const floor = fsyncFloor(dir, 300);
  try {
    // 1000 keys already there, as in a used store
    await Promise.all(Array.from({ length: 1000 }, (_, i) => kv.set(`mgr/other/k${i}`, VALUE)));

    // one writer (each set() its own batch and fsync), then 8 writers batched by group commit
    const { latencies: lat, count8: count, secs8: secs } = await durableWrites(ctx, kv, VALUE, 2200, 200, 30_000);
    const note1 = `KvStore.set() awaited until durable, 1 writer, ${lat.length} writes of 120 B (SQLite WAL, synchronous=FULL, one fsync per batch)`;
    ctx.set("store_write_p50_ms", median(lat), note1);
    ctx.set("store_write_p99_ms", pct(lat, 99), note1);

    ctx.set(
      "store_writes_per_sec_8",
      count / secs,
      `8 concurrent writers, each awaiting durability before its next write, ${count} writes in ${secs.toFixed(1)} s (group commit: ~8 per fsync)`,
    );
    floor.push(...fsyncFloor(dir, 300));
    ctx.set(
      "disk_fsync_p50_ms",
      median(floor),
      `the disk's floor for a durable commit: write 120 B + fdatasync, 300 before and 300 after the KvStore runs (p99 ${pct(floor, 99).toFixed(2)} ms); store figures scale with it`,
    );

    // reads: a Map lookup on the host
    const N = 1_000_000;
    const reads: number[] = [];
    let sink = 0;
    for (let r = 0; r < 7; r++) {
      const t = performance.now();
      for (let i = 0; i < N; i++) sink += kv.get(`mgr/bench/k${i & 63}`)?.length ?? 0;
      reads.push(((performance.now() - t) * 1000) / N);
    }
    ctx.set(
      "store_read_us",
      median(reads),
      `KvStore.get() of an existing key on the host (incl. building the key string), median of 7 × 1M reads${sink ? "" : " "}`,
    );
  } finally {
    await kv.close();
  }

  // the same through a module: setStore/getStore inside an isolate, timed from the host
  const mdir = tempDir("store-module");
  moduleDir(mdir, [{ template: "bench", file: "bench.ts" }]);
  const bd = await inProcessDaemon(mdir, {
    modules: { bench: { enabled: true, limits: { callTimeoutMs: 60_000, cpuShare: 1 } } },
  });
  try {
    const d = bd.d;
    const t = async (argv: string[]) => {
      const t0 = performance.now();
      await must(d, argv);
      return performance.now() - t0;
    };
    await must(d, ["bench", "storeset", "10"]);
    const base: number[] = [];
    for (let i = 0; i < 50; i++) base.push(await t(["bench", "storeset", "0"]));
    const b0 = median(base);
    // one durable write per command: its time minus the median of the same command writing nothing
    const one: number[] = [];
    const zero: number[] = [];
    for (let i = 0; i < 500 && ctx.ok(8000); i++) {
      zero.push(await t(["bench", "storeset", "0"]));
      one.push(await t(["bench", "storeset", "1"]));
    }
    ctx.set(
      "module_store_write_p50_ms",
      median(one) - median(zero),
      `p50 of 'bench storeset 1' (one await this.setStore() in the isolate) minus p50 of 'bench storeset 0' (the command alone), interleaved, n=${one.length} each`,
    );
    const W = 2000;
    const par: number[] = [];
    for (let i = 0; i < 3 && ctx.ok(5000); i++) par.push(await t(["bench", "storeset", String(4 * W), "8"]));
    ctx.set(
      "module_store_writes_per_sec_8",
      (4 * W) / ((median(par) - b0) / 1000),
      `8 concurrent setStore loops inside one module (${4 * W} durable writes)`,
    );
    const R = 50_000;
    const rbase: number[] = [];
    for (let i = 0; i < 20; i++) rbase.push(await t(["bench", "storeget", "0"]));
    const rd: number[] = [];
    for (let i = 0; i < 5; i++) rd.push(await t(["bench", "storeget", String(R)]));
    ctx.set(
      "module_store_read_us",
      ((median(rd) - median(rbase)) * 1000) / R,
      `this.getStore() inside the isolate (the in-isolate mirror: a shared-counter check + Map lookup), ${R} reads`,
    );
  } finally {
    await bd.stop();
  }
}
