// sdk/cluster-types.ts (the types of get(name) and getMetadata(type, id)) is generated from the
// real Pacific fixtures and the simulator: these tests fail when either stops matching it, so
// the types cannot drift from the data modules really get.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { dataNames, dataShapes, generate, isMap, metadataShapes } from "../../scripts/cluster-types/generate.ts";
import { OUTPUT } from "../../scripts/cluster-types/paths.ts";
import { fixtureValue, simCluster, simValues, stir } from "../../scripts/cluster-types/samples.ts";
import { infer, mismatches } from "../../scripts/cluster-types/shape.ts";

const test = suite("cluster data types");
const shapes = dataShapes();

test("sdk/cluster-types.ts is what the generator makes of today's fixtures and simulator", () => {
  const fresh = generate();
  assert.ok(
    fresh === readFileSync(OUTPUT, "utf8"),
    "sdk/cluster-types.ts is stale: run node --no-node-snapshot --import tsx scripts/gen-cluster-types.ts and commit it",
  );
});

test("the types cover exactly the 31 names the simulator serves, each with a real Pacific answer", () => {
  const names = dataNames();
  assert.is(names.length, 31);
  assert.equal(names, [...simCluster().dataNames()].sort());
});

/** Simulated clusters the generator never saw: other seeds and sizes, events, many ticks. */
function variants(): [string, Map<string, unknown>][] {
  const out: [string, Map<string, unknown>][] = [];
  for (const opts of [{ seed: 7 }, { seed: 3, hosts: 2, osdsPerHost: 1 }, { seed: 11, hosts: 6, osdsPerHost: 4 }]) {
    const sim = simCluster(opts);
    out.push([`quiet ${JSON.stringify(opts)}`, simValues(sim)]);
    stir(sim);
    sim.replaceOsd(1);
    sim.addHost("extra", 2);
    sim.setHostUp("extra", false);
    sim.addMon("z");
    sim.fillPool("device_health_metrics", 90);
    sim.tick(20);
    out.push([`after events ${JSON.stringify(opts)}`, simValues(sim)]);
  }
  return out;
}

test("every simulated answer fits the generated types (structural check, field by field)", () => {
  for (const [label, values] of variants()) {
    for (const [name, value] of values) {
      const problems = mismatches(value, shapes.get(name)!, name);
      assert.equal(problems, [], `${label}: get("${name}") does not fit sdk/cluster-types.ts:\n${problems.join("\n")}`);
    }
  }
});

test("the real Pacific answers fit the generated types", () => {
  for (const name of dataNames())
    assert.equal(mismatches(fixtureValue(`get.${name}.json`), shapes.get(name)!, name), []);
  const meta = metadataShapes();
  assert.equal(mismatches(fixtureValue("get_metadata.osd.0.json"), meta.get("osd")!, "osd"), []);
});

test("the structural check catches a renamed field, a changed type and a missing field", () => {
  const s = infer({ osds: [{ osd: 0, up: 1, state: ["exists"] }] }, "x", isMap);
  assert.equal(mismatches({ osds: [{ osd: 0, up: 1, state: ["exists"] }] }, s, "x"), []);
  assert.equal(mismatches({ osds: [{ osd: 0, upp: 1, state: [] }] }, s, "x"), [
    "x.osds[0].upp: a field the types do not have",
    "x.osds[0].up: missing, where the types say it is always there",
  ]);
  assert.equal(mismatches({ osds: [{ osd: "0", up: 1, state: [] }] }, s, "x"), [
    'x.osds[0].osd: string "0", where the types say number',
  ]);
});

test.run();
