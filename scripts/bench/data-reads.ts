// Reads that cost no host call: getModuleOption() from the in-isolate mirror (host-timed:
// (t(n=N) − t(n=0)) / N), and the first get('osd_map') after a new epoch in a module subscribed to
// osd_map, timed once its notify was delivered (the snapshot moved in with it). 1,000 OSDs, sim
// with tickMs 0, in-process daemon. The floor beside it: a bare JSON.parse of the same text.
import { loadavg } from "node:os";
import { inProcessDaemon, median, moduleDir, must, tempDir, waitFor, type GroupContext } from "./lib.ts";

const N = 100_000;

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("data-reads");
  moduleDir(dir, [{ template: "sub", file: "sub.ts" }]);
  const bd = await inProcessDaemon(dir, {
    cluster: { sim: { hosts: 50, osdsPerHost: 20, tickMs: 0 } },
    modules: { sub: { enabled: true, limits: { callTimeoutMs: 60_000, memoryMb: 1024, cpuShare: 1 } } },
  });
  const t = async (argv: string[]) => {
    const t0 = performance.now();
    await must(bd.d, argv);
    return performance.now() - t0;
  };
  const perCall = async (cmd: string): Promise<number> => {
    const base: number[] = [];
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) base.push(await t(["sub", cmd, "0"]));
    for (let i = 0; i < 5; i++) runs.push(await t(["sub", cmd, String(N)]));
    return ((median(runs) - median(base)) * 1000) / N;
  };
  try {
    const load = loadavg()[0]!.toFixed(2);
    ctx.set(
      "module_option_read_us",
      await perCall("optget"),
      `this.getModuleOption() inside the isolate (the mirror: a shared-counter check + Map lookup), ${N} reads; load ${load}`,
    );
    await must(bd.d, ["sub", "get", "osd_map", "1"]);
    const base: number[] = [];
    for (let i = 0; i < 30; i++) base.push(await t(["sub", "get", "osd_map", "0"]));
    const b = median(base);
    const first: number[] = [];
    const parse: number[] = [];
    for (let i = 0; i < 25 && ctx.ok(10_000); i++) {
      const seen = Number(await must(bd.d, ["sub", "count"]));
      await must(bd.d, ["sim", "osd", i % 2 === 0 ? "down" : "up", "0"]);
      await waitFor(async () => Number(await must(bd.d, ["sub", "count"])) > seen, "the osd_map notify");
      first.push((await t(["sub", "get", "osd_map", "1"])) - b);
      const text = bd.d.cluster.getJson("osd_map")!;
      const p0 = performance.now();
      JSON.parse(text);
      parse.push(performance.now() - p0);
    }
    ctx.set(
      "get_osd_map_first_subscribed_ms",
      median(first),
      `50 hosts × 20 OSDs, module subscribed to osd_map: first get() after 'sim osd down|up', once notify() ran, t(n=1) − t(n=0), median of ${first.length} (a bare JSON.parse of the same text on the host: ${median(parse).toFixed(2)} ms); load ${load}`,
    );
  } finally {
    await bd.stop();
  }
}
