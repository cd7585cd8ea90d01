// The samples the cluster-data types are inferred from: what a real Pacific ceph-mgr returned
// (runtime/cluster/fixtures/mgr-get/) and what the simulator publishes, before and after events
// that bring out the fields a quiet cluster lacks (a down OSD, an MDS, a service, a health check).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSimCluster, type SimCluster, type SimClusterOptions } from "../../runtime/cluster/sim/index.ts";
import { ROOT } from "./paths.ts";

export const FIXTURES = join(ROOT, "runtime", "cluster", "fixtures", "mgr-get");

/** A fixed clock: the simulator's timestamps do not change the types, but keep runs identical. */
const CLOCK = () => 1_780_000_000_000;

export function fixtureValue(file: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as unknown;
}

export function simCluster(opts: SimClusterOptions = {}): SimCluster {
  return createSimCluster({ tickMs: 0, clock: CLOCK, ...opts });
}

/** Every data name's value, parsed. */
export function simValues(sim: SimCluster): Map<string, unknown> {
  return new Map(sim.dataNames().map((n) => [n, JSON.parse(sim.getJson(n)!) as unknown]));
}

/** The events of the "busy" sample: each brings out fields a quiet cluster lacks. */
export function stir(sim: SimCluster): void {
  sim.osdDown(0);
  sim.osdOut(1);
  sim.addMds("a");
  sim.addService("rgw", "r1");
  sim.setHealthCheck("TEST_CHECK", { severity: "warning", summary: "a test check" });
  sim.tick(3);
}

/** The simulator samples the committed types are generated from: quiet, then stirred. */
export function generatorSimSamples(): Map<string, unknown>[] {
  const sim = simCluster({ seed: 1 });
  const quiet = simValues(sim);
  stir(sim);
  return [quiet, simValues(sim)];
}
