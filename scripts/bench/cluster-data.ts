// get() figures: the bench module calls `this.get(NAME)` N times inside its isolate and the host
// times the command (an isolate has no high-resolution clock). Repeated cost within one epoch =
// (time(n=100000) − time(n=0)) / 100000. First call after a new epoch = time(n=1) right after a
// `sim osd down|up` (which bumps the map's version) − median time(n=0): host render of the JSON
// (lazy, once per version) + hand-over into the isolate + JSON.parse + deep freeze.
// In-process daemons, sim with tickMs 0 (the cluster changes only when the bench says so).
import { ClusterCells } from "../../runtime/api/cluster-cells.ts";
import { inProcessDaemon, median, moduleDir, must, tempDir, type BenchDaemon, type GroupContext } from "./lib.ts";

const REPEAT_N = 100_000;

async function timed(bd: BenchDaemon, argv: string[]): Promise<number> {
  const t0 = performance.now();
  await must(bd.d, argv);
  return performance.now() - t0;
}

async function clusterDaemon(hosts: number, osdsPerHost: number): Promise<BenchDaemon> {
  const dir = tempDir(`data-${hosts * osdsPerHost}`);
  moduleDir(dir, [{ template: "bench", file: "bench.ts" }]);
  return inProcessDaemon(dir, {
    cluster: { sim: { hosts, osdsPerHost, tickMs: 0 } },
    modules: { bench: { enabled: true, limits: { callTimeoutMs: 60_000, memoryMb: 1024, cpuShare: 1 } } },
  });
}

/** Alternates `sim osd down 0` / `sim osd up 0`; checks that `name` got a new version. */
async function bump(bd: BenchDaemon, name: string, i: number): Promise<void> {
  const before = bd.d.cluster.version(name);
  await must(bd.d, ["sim", "osd", i % 2 === 0 ? "down" : "up", "0"]);
  if (bd.d.cluster.version(name) === before) {
    await must(bd.d, ["sim", "tick"]);
    if (bd.d.cluster.version(name) === before)
      throw new Error(`neither 'sim osd down|up' nor 'sim tick' changed ${name}`);
  }
}

/** Cost of one sync isolate→host call (getMgrIp) from module code, in µs. */
async function hostCallUs(bd: BenchDaemon): Promise<number> {
  const base: number[] = [];
  const runs: number[] = [];
  for (let i = 0; i < 20; i++) base.push(await timed(bd, ["bench", "hostcall", "0"]));
  for (let i = 0; i < 5; i++) runs.push(await timed(bd, ["bench", "hostcall", String(REPEAT_N)]));
  return ((median(runs) - median(base)) * 1000) / REPEAT_N;
}

interface GetCosts {
  repeatUs: number;
  firstMs: number;
  renderMs: number;
  intoIsolateMs: number;
  jsonBytes: number;
  firstN: number;
}

async function measureGet(ctx: GroupContext, bd: BenchDaemon, name: string, firstRuns: number): Promise<GetCosts> {
  await must(bd.d, ["bench", "get", name, "1"]);
  const base: number[] = [];
  for (let i = 0; i < 30; i++) base.push(await timed(bd, ["bench", "get", name, "0"]));
  const b = median(base);
  const rep: number[] = [];
  for (let i = 0; i < 5; i++) rep.push(await timed(bd, ["bench", "get", name, String(REPEAT_N)]));
  const repeatUs = ((median(rep) - b) * 1000) / REPEAT_N;
  const first: number[] = [];
  let i = 0;
  for (; i < firstRuns && (ctx.ok(15_000) || i < 5); i++) {
    await bump(bd, name, i);
    first.push((await timed(bd, ["bench", "get", name, "1"])) - b);
  }
  // split of the first call: host render alone, then the module's get with the text ready
  const render: number[] = [];
  const into: number[] = [];
  for (let k = 0; k < 10 && (ctx.ok(15_000) || k < 3); k++, i++) {
    await bump(bd, name, i);
    const t0 = performance.now();
    bd.d.cluster.getJson(name);
    render.push(performance.now() - t0);
    into.push((await timed(bd, ["bench", "get", name, "1"])) - b);
  }
  return {
    repeatUs,
    firstMs: median(first),
    renderMs: median(render),
    intoIsolateMs: median(into),
    jsonBytes: Buffer.byteLength(bd.d.cluster.getJson(name) ?? ""),
    firstN: first.length,
  };
}

/** Time of ClusterCells.patchOf for osd_map on a fresh ClusterCells: the host's cost of a patch. */
async function patchHostMs(bd: BenchDaemon): Promise<number> {
  const cluster = bd.d.cluster;
  const cells = new ClusterCells(cluster, () => cluster.generation!());
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const base = cells.textOf("osd_map")!.version;
    const before = cluster.version("osd_map");
    await must(bd.d, ["sim", "osd", "down", "0"]);
    if (cluster.version("osd_map") === before) await must(bd.d, ["sim", "osd", "up", "0"]);
    cells.textOf("osd_map");
    const t0 = performance.now();
    const patch = cells.patchOf("osd_map", base);
    times.push(performance.now() - t0);
    if (!patch) throw new Error("no patch for osd_map after 'sim osd down|up'");
  }
  return median(times);
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export async function run(ctx: GroupContext): Promise<void> {
  // 1,000 OSDs: the DESIGN figure
  {
    const bd = await clusterDaemon(50, 20);
    try {
      const c = await measureGet(ctx, bd, "osd_map", 25);
      const call = await hostCallUs(bd);
      const what = `50 hosts × 20 OSDs, osd_map ${kb(c.jsonBytes)} of JSON`;
      ctx.set(
        "sync_host_call_us",
        call,
        `one sync isolate→host call from module code (this.getMgrIp() in a loop of ${REPEAT_N}), host-timed; every get() makes one (the version check)`,
      );
      ctx.set(
        "get_osd_map_repeat_us",
        c.repeatUs,
        `${what}: (t(n=${REPEAT_N}) − t(n=0)) / ${REPEAT_N}, one epoch: version check (a sync host call, ${call.toFixed(1)} µs here) + cached frozen snapshot`,
      );
      ctx.set(
        "get_osd_map_first_ms",
        c.firstMs,
        `${what}: first get after 'sim osd down|up', t(n=1) − t(n=0), median of ${c.firstN} (render ${c.renderMs.toFixed(1)} ms + into isolate ${c.intoIsolateMs.toFixed(1)} ms)`,
      );
      ctx.set(
        "get_osd_map_first_render_ms",
        c.renderMs,
        `part of the first get: the host renders osd_map's JSON (once per version), median of 10`,
      );
      ctx.set(
        "get_osd_map_first_into_isolate_ms",
        c.intoIsolateMs,
        `part of the first get: the new version into the isolate (a patch from the version it held, or the JSON text) + parse + freeze, median of 10`,
      );
      ctx.set(
        "get_osd_map_patch_host_ms",
        await patchHostMs(bd),
        `the host's part of a patched push, once per version for all modules: both versions' JSON parsed + compared (ClusterCells.patchOf), median of 10`,
      );
      // same epoch, but the isolate collected garbage since the last get: a snapshot the
      // module no longer references may have to be parsed again
      const base: number[] = [];
      const after: number[] = [];
      for (let k = 0; k < 12 && ctx.ok(15_000); k++) {
        await must(bd.d, ["bench", "get", "osd_map", "1"]);
        base.push(await timed(bd, ["bench", "get", "osd_map", "0"]));
        await must(bd.d, ["bench", "churn", "256"]);
        after.push(await timed(bd, ["bench", "get", "osd_map", "1"]));
      }
      ctx.set(
        "get_osd_map_after_gc_ms",
        median(after) - median(base),
        `${what}: same epoch, the first get after the module allocated 256 MiB of garbage (isolate GC), t(n=1) − t(n=0), median of ${after.length}`,
      );
    } finally {
      await bd.stop();
    }
  }
  // 2,048 PGs: 16 hosts × 4 OSDs give the default pool 2,048 PGs (pgsPerOsd 100 / size 3,
  // rounded to a power of two) plus device_health_metrics' 1
  {
    const bd = await clusterDaemon(16, 4);
    try {
      const pgs = (JSON.parse(await must(bd.d, ["sim", "status"], "json")) as { pgs?: number }).pgs;
      const c = await measureGet(ctx, bd, "pg_dump", 21);
      const what = `16 hosts × 4 OSDs, ${pgs ?? "?"} PGs, pg_dump ${mb(c.jsonBytes)} of JSON`;
      ctx.set("get_pg_dump_repeat_us", c.repeatUs, `${what}: (t(n=${REPEAT_N}) − t(n=0)) / ${REPEAT_N}, one version`);
      ctx.set(
        "get_pg_dump_first_ms",
        c.firstMs,
        `${what}: first get after 'sim osd down|up' changed the PG map, median of ${c.firstN} (render ${c.renderMs.toFixed(1)} ms + into isolate ${c.intoIsolateMs.toFixed(1)} ms)`,
      );
      ctx.set(
        "get_pg_dump_first_render_ms",
        c.renderMs,
        `part of the first get: the host renders pg_dump's JSON, median of 10`,
      );
      ctx.set(
        "get_pg_dump_first_into_isolate_ms",
        c.intoIsolateMs,
        `part of the first get: JSON text into the isolate + JSON.parse + deep freeze, median of 10`,
      );
      ctx.set(
        "pg_dump_json_mb",
        c.jsonBytes / 1024 / 1024,
        `size of get('pg_dump') as JSON with ${pgs ?? "?"} PGs (DESIGN quotes 4.9 MB for a real 2,048-PG cluster)`,
      );
    } finally {
      await bd.stop();
    }
  }
  // companions: 100 and 10,000 OSDs
  for (const [hosts, per, label] of [
    [10, 10, "100"],
    [500, 20, "10k"],
  ] as const) {
    if (!ctx.ok(20_000)) break;
    const bd = await clusterDaemon(hosts, per);
    try {
      const c = await measureGet(ctx, bd, "osd_map", 21);
      const what = `${hosts} hosts × ${per} OSDs, osd_map ${c.jsonBytes > 1 << 20 ? mb(c.jsonBytes) : kb(c.jsonBytes)}`;
      ctx.set(`get_osd_map_${label}_repeat_us`, c.repeatUs, `${what}: as get_osd_map_repeat_us`);
      ctx.set(
        `get_osd_map_${label}_first_ms`,
        c.firstMs,
        `${what}: as get_osd_map_first_ms (render ${c.renderMs.toFixed(1)} ms + into isolate ${c.intoIsolateMs.toFixed(1)} ms)`,
      );
    } finally {
      await bd.stop();
    }
  }
}
