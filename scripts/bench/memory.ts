// 100 modules in one daemon: memory per idle isolate and the CPU cost of notify fan-out.
// One child daemon (`bin/tsmgr.js daemon -c FILE`) with 100 copies of scripts/bench/modules/fan.ts
// (fan_000 … fan_099; each subscribes to osd_map and reads the map in notify()), none enabled at
// start. Memory needs no --expose-gc: the daemon's RSS (/proc/PID/status VmRSS) is read after one
// module is enabled and settled (what the first module loads is the daemon's, once), then the
// other 99 are enabled and it is read again after settling; the delta / 99 is `idle_isolate_mb`.
// The isolates' own view (`heap_bytes` from `module ls`, V8 used heap + external) is the
// companion. CPU is /proc/PID/stat utime+stime over wall time (10 ms ticks),
// while `sim osd down|up` events arrive at 10/s.
import { join } from "node:path";
import {
  AsokClient,
  childDaemon,
  cpuMs,
  mean,
  moduleDir,
  rssBytes,
  sleep,
  tempDir,
  writeDaemonConfig,
  type GroupContext,
} from "./lib.ts";

const N = 100;
const RATE = 10; // events per second
const name = (i: number) => `fan_${String(i).padStart(3, "0")}`;
const prefix = (i: number) => `fan${String(i).padStart(3, "0")}`;

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("mem");
  moduleDir(
    dir,
    Array.from({ length: N }, (_, i) => ({
      template: "fan",
      file: `${name(i)}.ts`,
      replace: [['"fan ', `"${prefix(i)} `]] as [string, string][],
    })),
  );
  const cfg = writeDaemonConfig(dir, "mgr.json", {});
  const child = await childDaemon(cfg, join(dir, "data", "mgr.bench.asok"), ["module", "ls"]);
  const c = await AsokClient.connect(child.asok);
  const pid = child.pid;

  /** CPU share of the daemon over `ms`, optionally sending RATE events per second. */
  const cpuShare = async (ms: number, events: boolean): Promise<{ pct: number; sent: number }> => {
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    let sent = 0;
    while (performance.now() - t0 < ms) {
      if (events) {
        await c.must(["sim", "osd", sent % 2 === 0 ? "down" : "up", "0"]);
        sent++;
      }
      const next = t0 + ((sent || 1) * 1000) / RATE;
      await sleep(Math.max(1, Math.min(next - performance.now(), ms - (performance.now() - t0))));
    }
    const wall = performance.now() - t0;
    return { pct: ((cpuMs(pid) - c0) / wall) * 100, sent };
  };
  try {
    await sleep(1500);
    const base = await cpuShare(3000, true);
    ctx.set(
      "notify_baseline_cpu_pct",
      base.pct,
      `same daemon, ${RATE} 'sim osd down|up' events/s over the admin socket, no module enabled (${base.sent} events)`,
    );
    // The first module enabled loads what the daemon loads on first use (esbuild's service, the
    // web globals' build, code the daemon bundle loads lazily, the spare isolate): once per
    // daemon, not per isolate, so the RSS baseline is taken after it.
    let t0 = performance.now();
    await c.must(["module", "enable", name(0)]);
    let startMs = performance.now() - t0;
    await sleep(1500);
    const rss0 = rssBytes(pid);

    t0 = performance.now();
    for (let i = 1; i < N; i++) await c.must(["module", "enable", name(i)]);
    startMs += performance.now() - t0;
    ctx.set(
      "start_100_modules_ms",
      startMs,
      `'module enable' of ${N} copies of fan.ts one after another (each a cold start: esbuild + isolate)`,
    );
    await sleep(2500);
    const rss1 = rssBytes(pid);
    const ls = JSON.parse(await c.must(["module", "ls"], "json")) as {
      modules: { name: string; state: string; heap_bytes: number }[];
    };
    const fans = ls.modules.filter((m) => m.name.startsWith("fan_"));
    const running = fans.filter((m) => m.state === "active").length;
    if (running !== N) throw new Error(`only ${running} of ${N} fan modules are active`);
    ctx.set(
      "idle_isolate_mb",
      (rss1 - rss0) / (N - 1) / 1024 / 1024,
      `daemon RSS ${(rss0 / 2 ** 20).toFixed(0)} MiB with 1 module → ${(rss1 / 2 ** 20).toFixed(0)} MiB after enabling ${N - 1} more idle modules, delta / ${N - 1} (no --expose-gc: RSS after 2.5 s settling)`,
    );
    ctx.set(
      "idle_isolate_heap_mb",
      mean(fans.map((m) => m.heap_bytes)) / 1024 / 1024,
      `mean heap_bytes of the ${N} isolates from 'module ls' (V8 used heap + external)`,
    );

    const idle = await cpuShare(3000, false);
    ctx.set(
      "idle_100_modules_cpu_pct",
      idle.pct,
      `daemon CPU over 3 s with ${N} idle modules and no events (host-side watchdogs and timers); 100% = one core`,
    );
    // The first seconds of events after a start tier up each isolate's code (V8 optimizes the
    // prelude and the module per isolate: ~30 % of the samples of that window were TurboFan
    // jobs). The target is the steady cost of 10 events/s, measured after 3 s of them; the
    // warm-up window is reported beside it.
    const warmup = await cpuShare(3000, true);
    ctx.set(
      "notify_fanout_warmup_cpu_pct",
      warmup.pct,
      `same ${N} modules, the first 3 s of events after their start (${warmup.sent} events): V8 tiering up each isolate's code`,
    );
    const fan = await cpuShare(4000, true);
    const counts = await Promise.all([0, N / 2, N - 1].map((i) => c.must([prefix(i), "count"])));
    ctx.set(
      "notify_fanout_cpu_pct",
      fan.pct,
      `${N} modules subscribed to osd_map, each calling get('osd_map') (12 OSDs) in notify(); ${RATE} events/s for 4 s after 3 s of them (${fan.sent} events; 3 modules report notifies+epoch ${counts.join(" / ")}); 100% = one core`,
    );
    for (let i = 0; i < N; i++) await c.must([prefix(i), "quiet"]);
    const quiet = await cpuShare(3000, true);
    ctx.set(
      "notify_fanout_noget_cpu_pct",
      quiet.pct,
      `same ${N} modules, notify() only counts (no get): the cost of delivering the notifies, ${RATE} events/s for 3 s`,
    );
  } finally {
    c.close();
    child.proc.kill("SIGKILL");
  }
}
