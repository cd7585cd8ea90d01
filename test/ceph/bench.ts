// The ceph backend's figures beside a real ceph-mgr's (shared/reference/ceph-scale.md, 1 OSD / 9 PGs):
// get("osd_map") and get("pg_dump") from a module (repeated within one epoch, and the first call
// after a change), a mon command's round trip from a module, and the backend's own costs.
// `node --no-node-snapshot --import tsx test/ceph/bench.ts [--json]` brings up its own dev cluster;
// the bench can call benchCephModule() with one it already has.
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { benchCephBackend, type CephCluster } from "../../runtime/cluster/ceph/index.ts";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { startDevCluster, type DevCluster } from "./_support.ts";

export interface CephFigure {
  name: string;
  value: number;
  unit: "µs" | "ms";
  /** what the real ceph-mgr 16.2.15 measured for the same call (ceph-lab.md / ceph-scale.md), same unit */
  cephMgr?: number;
  note?: string;
}

const REPEAT_N = 100_000;

async function timed(d: TestDaemon, argv: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await d.command(argv, { timeoutMs: 120_000 });
  if (r.retval !== 0) throw new Error(`${argv.join(" ")}: ${r.retval} ${r.stderr}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Base cost of a module command that does nothing (the admin path), to subtract. */
async function baseline(d: TestDaemon, name: string): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 30; i++) xs.push(await timed(d, ["cephprobe", "loop", name, "0"]));
  return median(xs);
}

/** Waits until `name` has a version other than `before`. */
async function moved(d: TestDaemon, name: string, before: number | undefined, what: string): Promise<void> {
  await waitFor(() => d.cluster.version(name) !== before, what, 20_000);
}

async function getFigures(
  d: TestDaemon,
  name: string,
  bump: () => Promise<void>,
  firstRuns: number,
): Promise<{ repeatUs: number; firstMs: number }> {
  await timed(d, ["cephprobe", "loop", name, "1"]);
  const base = await baseline(d, name);
  const rep: number[] = [];
  for (let i = 0; i < 3; i++) rep.push(await timed(d, ["cephprobe", "loop", name, String(REPEAT_N)]));
  const first: number[] = [];
  for (let i = 0; i < firstRuns; i++) {
    const before = d.cluster.version(name);
    await bump();
    await moved(d, name, before, `a new version of ${name}`);
    first.push((await timed(d, ["cephprobe", "loop", name, "1"])) - base);
  }
  return { repeatUs: ((median(rep) - base) * 1000) / REPEAT_N, firstMs: median(first) };
}

/** Figures from a daemon attached (cluster.backend "ceph") to `lab`. */
export async function benchCephModule(lab: DevCluster): Promise<CephFigure[]> {
  const dir = tempDir("tsmgr-ceph-bench-");
  let d: TestDaemon | undefined;
  try {
    const modules = join(dir, "modules");
    mkdirSync(modules, { recursive: true });
    cpSync(join(ROOT, "test", "ceph", "modules", "cephprobe"), join(modules, "cephprobe"), { recursive: true });
    d = await startTestDaemon(dir, {
      modulePath: modules,
      cluster: { backend: "ceph", ceph: { conf: lab.conf, keyring: lab.keyring, name: "client.admin" } },
      modules: { cephprobe: { enabled: true, allow: { commands: ["r"] }, limits: { callTimeoutMs: 120_000 } } },
      log: { level: "warn" },
    });
    if (d.cluster.backend !== "ceph")
      throw new Error(
        `the daemon runs the ${d.cluster.backend} backend: runtime/daemon/daemon.ts does not choose the ceph backend yet`,
      );
    const dd = d;
    await waitFor(() => dd.modules().every((m) => m.state === "active"), "cephprobe active", 20_000);
    // a new osd_map epoch: a flag set or cleared (sent by the host, not counted)
    let flag = false;
    const bumpOsdMap = async () => {
      flag = !flag;
      const r = await dd.cluster.sendCommand({ prefix: flag ? "osd set" : "osd unset", key: "noscrub" }, "");
      if (r.retval !== 0) throw new Error(r.stderr);
    };
    // a new pgmap: the mgr publishes one every mgr_stats_period (lowered to 1 s for the bench)
    await dd.cluster.sendCommand({ prefix: "config set", who: "mgr", name: "mgr_stats_period", value: "1" }, "");
    const osdMap = await getFigures(dd, "osd_map", bumpOsdMap, 10);
    const pgDump = await getFigures(dd, "pg_dump", async () => {}, 5);
    if (flag) await bumpOsdMap();
    await dd.cluster.sendCommand({ prefix: "config rm", who: "mgr", name: "mgr_stats_period" }, "");

    const base = await baseline(dd, "osd_map");
    const cmds: number[] = [];
    for (let i = 0; i < 5; i++) cmds.push((await timed(dd, ["cephprobe", "loopcmd", "200"])) - base);
    const cmdMs = median(cmds) / 200;

    const figures: CephFigure[] = [
      {
        name: "module get('osd_map'), repeated within one epoch",
        value: round(osdMap.repeatUs),
        unit: "µs",
        cephMgr: 48,
        note: "ceph-scale.md 1 OSD / 9 PGs (ceph-lab.md: 120 µs with 2 OSDs)",
      },
      {
        name: "module get('osd_map'), first call after a new epoch",
        value: round(osdMap.firstMs * 1000),
        unit: "µs",
        cephMgr: 48,
        note: "the real mgr pays its full cost on every call",
      },
      {
        name: "module get('pg_dump'), repeated within one pgmap",
        value: round(pgDump.repeatUs),
        unit: "µs",
        cephMgr: 178,
      },
      {
        name: "module get('pg_dump'), first call after a new pgmap",
        value: round(pgDump.firstMs * 1000),
        unit: "µs",
        cephMgr: 178,
      },
      {
        name: "module sendCommand('osd pool ls') round trip",
        value: round(cmdMs),
        unit: "ms",
        cephMgr: 0.7,
        note: "ceph-lab.md: mon_command 0.70 ms, send_command+wait 0.69 ms",
      },
    ];
    for (const f of await benchCephBackend(dd.cluster as CephCluster)) {
      figures.push({ name: `backend: ${f.name} (p50; p90 ${f.p90})`, value: f.p50, unit: f.unit });
    }
    return figures;
  } finally {
    await d?.stop();
    cleanup(dir);
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Brings up a 1-OSD dev cluster, measures, tears it down. */
export async function benchCeph(): Promise<CephFigure[]> {
  const lab = await startDevCluster(1);
  try {
    return await benchCephModule(lab);
  } finally {
    await lab.purge();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const figures = await benchCeph();
  if (process.argv.includes("--json")) console.log(JSON.stringify({ figures }));
  else {
    console.log(`${"figure".padEnd(96)} ${"tsmgr".padStart(10)} ${"ceph-mgr".padStart(10)}`);
    for (const f of figures)
      console.log(
        `${f.name.padEnd(96)} ${`${f.value} ${f.unit}`.padStart(10)} ${f.cephMgr === undefined ? "" : `${f.cephMgr} ${f.unit}`.padStart(10)}`,
      );
  }
}
