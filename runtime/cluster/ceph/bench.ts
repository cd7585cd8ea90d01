// Costs of the ceph backend itself, for the bench: the helper's floor (a round trip that never
// leaves the helper), a mon command's round trip, the on-change cost of turning `osd dump` and
// `pg dump` into get() texts, and a cached getJson(). Module-level figures (through an isolate)
// are measured by test/ceph/bench.ts on a daemon.
import type { CephCluster } from "./cluster.ts";
import { osdMapText, pgViews } from "./views.ts";

export interface CephBenchFigure {
  name: string;
  p50: number;
  p90: number;
  unit: "ms" | "µs";
  n: number;
}

export type CephBenchFigures = CephBenchFigure[];

async function sample(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

function figure(name: string, ms: number[], unit: "ms" | "µs"): CephBenchFigure {
  const k = unit === "µs" ? 1000 : 1;
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(ms.length * q))]! * k * 1000) / 1000;
  return { name, p50: at(0.5), p90: at(0.9), unit, n: ms.length };
}

/** Measures a started CephCluster; `n` samples per figure (fewer for the big dumps). */
export async function benchCephBackend(cluster: CephCluster, n = 300): Promise<CephBenchFigures> {
  const figures: CephBenchFigures = [];
  await sample(20, () => cluster.ping());
  figures.push(
    figure("librados helper round trip, no cluster (transport floor)", await sample(n, () => cluster.ping()), "ms"),
  );
  const ls = { prefix: "osd pool ls", format: "json" };
  await sample(20, () => cluster.sendCommand(ls, ""));
  figures.push(
    figure(
      "sendCommand('osd pool ls') to the mon, backend round trip",
      await sample(n, () => cluster.sendCommand(ls, "")),
      "ms",
    ),
  );
  const dump = { prefix: "osd dump", format: "json" };
  figures.push(
    figure("mon 'osd dump' round trip", await sample(Math.min(n, 100), () => cluster.sendCommand(dump, "")), "ms"),
  );
  const pg = { prefix: "pg dump", format: "json" };
  figures.push(
    figure("mgr 'pg dump' round trip", await sample(Math.min(n, 100), () => cluster.sendCommand(pg, "")), "ms"),
  );

  const osdDump = (await cluster.sendCommand(dump, "")).stdout;
  const pgDump = (await cluster.sendCommand(pg, "")).stdout;
  figures.push(
    figure(
      "osd_map text from 'osd dump' (on each new epoch)",
      await sample(Math.min(n, 100), () => osdMapText(osdDump)),
      "ms",
    ),
  );
  figures.push(
    figure(
      "all 11 pgmap names from 'pg dump' (on each new pgmap)",
      await sample(Math.min(n, 100), () => pgViews(pgDump, undefined)),
      "ms",
    ),
  );
  figures.push(
    figure("getJson('osd_map') within one epoch", await sample(n * 10, () => cluster.getJson("osd_map")), "µs"),
  );
  return figures;
}
