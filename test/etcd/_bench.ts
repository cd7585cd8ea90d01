// Measures the etcd backends next to the SQLite defaults (not a test; run by hand):
//   node --no-node-snapshot --import tsx test/etcd/_bench.ts [store] [failover] [--kills N]
// store: KvStore.set() awaited until durable, 1 writer (p50/p99) and 8 writers (writes/s, p50/p99
// per write), on SQLite, on a 1-member etcd and on a 3-member etcd (loopback, temp dirs).
// failover: two child daemons, kill -9 of the active, time until the survivor answers a module
// command as active; N kills each for etcd and SQLite, leaseMs 1000 and 2000.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requestAsok } from "../../runtime/http/index.ts";
import { openEtcdStore } from "../../runtime/store/etcd.ts";
import { KvStore, openSqliteStore, type StoreBackend } from "../../runtime/store/index.ts";
import { cleanup, ROOT, spawnDaemon, tempDir } from "../_util.ts";
import { sleep, startEtcd, type EtcdCluster } from "./_etcd.ts";

const VALUE = "v".repeat(120);
const args = process.argv.slice(2);
const want = (s: string) =>
  args.length === 0 || args.includes(s) || args.every((a) => a.startsWith("--") || /^\d+$/.test(a));
const kills = Number(args[args.indexOf("--kills") + 1]) || 10;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

async function storeFigures(label: string, backend: StoreBackend): Promise<void> {
  const kv = await KvStore.open(backend);
  try {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => kv.set(`mgr/other/k${i}`, VALUE)));
    const lat: number[] = [];
    for (let i = 0; i < 1200; i++) {
      const t0 = performance.now();
      await kv.set(`mgr/bench/k${i % 100}`, `${i}:${VALUE}`);
      if (i >= 200) lat.push(performance.now() - t0);
    }
    let count = 0;
    const per: number[] = [];
    const end = performance.now() + 3000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; performance.now() < end; i++) {
          const t = performance.now();
          await kv.set(`mgr/bench/w${w}/k${i % 50}`, `${i}:${VALUE}`);
          per.push(performance.now() - t);
          count++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `${label.padEnd(22)} 1 writer: p50 ${f(pct(lat, 50))} ms, p99 ${f(pct(lat, 99))} ms | 8 writers: ${f(count / secs)} writes/s, p50 ${f(pct(per, 50))} ms, p99 ${f(pct(per, 99))} ms`,
    );
  } finally {
    await kv.close();
  }
}

async function failoverFigures(
  label: string,
  cfgFor: (id: string) => Record<string, unknown>,
  n: number,
): Promise<void> {
  const dir = tempDir("tsmgr-etcd-bench-");
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test", "fixtures", "modules", "with_standby.ts"), join(dir, "modules", "with_standby.ts"));
  const file = (id: string) => {
    const p = join(dir, `mgr-${id}.json`);
    writeFileSync(
      p,
      JSON.stringify({
        id,
        modulePath: "modules",
        hotReload: false,
        http: { listen: "" },
        cluster: { sim: { hosts: 2, osdsPerHost: 2, tickMs: 0 } },
        modules: { with_standby: { enabled: true } },
        ...cfgFor(id),
      }),
    );
    return p;
  };
  const asok = (id: string) => join(dir, (cfgFor(id).dataDir as string | undefined) ?? "data", `mgr.${id}.asok`);
  const ask = async (id: string, argv: string[], format?: "json") => {
    try {
      return await requestAsok(asok(id), format ? { argv, format } : { argv }, 1000);
    } catch {
      return { retval: -111, stdout: "", stderr: "" };
    }
  };
  const procs: Record<string, Awaited<ReturnType<typeof spawnDaemon>>> = {};
  const samples: number[] = [];
  try {
    procs.a = await spawnDaemon(file("a"));
    procs.b = await spawnDaemon(file("b"));
    for (let round = 0; round < n; round++) {
      let victim = "";
      for (let i = 0; i < 400 && !victim; i++) {
        for (const id of ["a", "b"]) {
          const r = await ask(id, ["status"], "json");
          if (r.retval !== 0) continue;
          const m = JSON.parse(r.stdout) as { active_name: string; available: boolean; standbys: { name: string }[] };
          if (m.available && m.standbys.length === 1) victim = m.active_name;
        }
        if (!victim) await sleep(50);
      }
      if (!victim) throw new Error("no active with one standby");
      const survivor = victim === "a" ? "b" : "a";
      const t0 = performance.now();
      procs[victim]!.proc.kill("SIGKILL");
      let ms = NaN;
      while (performance.now() - t0 < 15_000) {
        const r = await ask(survivor, ["ws", "who"]);
        if (r.retval === 0 && r.stdout.startsWith(`active on ${survivor}`)) {
          ms = performance.now() - t0;
          break;
        }
        await sleep(10);
      }
      samples.push(ms);
      await procs[victim]!.exited;
      procs[victim] = await spawnDaemon(file(victim));
    }
  } finally {
    for (const p of Object.values(procs)) p.proc.kill("SIGKILL");
    await sleep(200);
    cleanup(dir);
  }
  const ok = samples.filter((x) => Number.isFinite(x));
  console.log(
    `${label.padEnd(30)} n=${samples.length}: median ${f(pct(ok, 50))} ms, min ${f(Math.min(...ok))}, max ${f(Math.max(...ok))} ms${ok.length < samples.length ? `, ${samples.length - ok.length} timed out` : ""}  [${ok.map((x) => Math.round(x)).join(" ")}]`,
  );
}

let one: EtcdCluster | undefined;
let three: EtcdCluster | undefined;
try {
  one = await startEtcd(1);
  if (want("store")) {
    three = await startEtcd(3);
    const dir = tempDir("tsmgr-etcd-bench-");
    try {
      await storeFigures("sqlite (WAL, FULL)", openSqliteStore(join(dir, "store.db")));
    } finally {
      cleanup(dir);
    }
    await storeFigures(
      "etcd, 1 member",
      await openEtcdStore({ endpoints: one.endpoints, prefix: "bench1/", group: "bench" }),
    );
    await storeFigures(
      "etcd, 3 members",
      await openEtcdStore({ endpoints: three.endpoints, prefix: "bench3/", group: "bench" }),
    );
    await three.destroy();
    three = undefined;
  }
  if (want("failover")) {
    for (const leaseMs of [1000, 2000]) {
      const ep = one.endpoints;
      await failoverFigures(
        `etcd leaseMs ${leaseMs}`,
        (id) => ({
          dataDir: `data-${id}`,
          store: { backend: "etcd" },
          election: { backend: "etcd", leaseMs },
          etcd: { endpoints: ep, prefix: `fo-${leaseMs}/` },
        }),
        kills,
      );
      await failoverFigures(`sqlite leaseMs ${leaseMs}`, () => ({ dataDir: "data", election: { leaseMs } }), kills);
    }
  }
} finally {
  await three?.destroy();
  await one?.destroy();
}
