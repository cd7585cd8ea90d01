// The simulated cluster is built to size from the options (4×3 by default, up to 10,000 OSDs),
// settles active+clean, and is the same cluster every time for the same seed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { fixedClock, parse } from "./support.ts";

test("the default cluster is 4 hosts × 3 OSDs, 3 mons, two pools, all PGs active+clean", () => {
  const sim = createSimCluster({ tickMs: 0, clock: fixedClock() });
  const osdMap = parse(sim.getJson("osd_map"));
  assert.is(osdMap.osds.length, 12);
  assert.is(osdMap.max_osd, 12);
  assert.ok(osdMap.osds.every((o: { up: number; in: number }) => o.up === 1 && o.in === 1));
  assert.equal(
    osdMap.pools.map((p: { pool_name: string }) => p.pool_name),
    ["device_health_metrics", "rbdpool"],
  );
  assert.is(osdMap.pools[1].size, 3);
  const tree = parse(sim.getJson("osd_map_tree"));
  assert.is(tree.nodes.length, 1 + 4 + 12);
  assert.is(parse(sim.getJson("osd_map_crush")).buckets.length, 2 + 2 * 4);
  assert.is(Object.keys(parse(sim.getJson("osd_metadata"))).length, 12);
  assert.is(parse(sim.getJson("mon_map")).mons.length, 3);
  const summary = parse(sim.getJson("pg_summary"));
  assert.equal(Object.keys(summary.all), ["active+clean"]);
  assert.is(summary.all["active+clean"], 1 + osdMap.pools[1].pg_num);
  assert.is(parse(parse(sim.getJson("health")).json).status, "HEALTH_OK");
  assert.is(sim.listServers().length, 4);
});

test("each PG's up set spans distinct hosts and every OSD carries a fair share", () => {
  const sim = createSimCluster({ tickMs: 0, clock: fixedClock() });
  const hostOf = new Map(
    Object.entries(parse(sim.getJson("osd_metadata"))).map(([id, m]) => [
      Number(id),
      (m as { hostname: string }).hostname,
    ]),
  );
  const pgs = parse(sim.getJson("pg_stats")).pg_stats as { up: number[]; acting: number[] }[];
  for (const pg of pgs) assert.is(new Set(pg.up.map((o) => hostOf.get(o))).size, pg.up.length);
  const perOsd = parse(sim.getJson("osd_stats")).osd_stats.map((o: { num_pgs: number }) => o.num_pgs);
  const mean = perOsd.reduce((a: number, b: number) => a + b, 0) / perOsd.length;
  assert.ok(Math.min(...perOsd) > mean * 0.6 && Math.max(...perOsd) < mean * 1.4, String(perOsd));
});

test("10,000 OSDs (500 hosts × 20) build in well under a few seconds with every count right", () => {
  const started = performance.now();
  const sim = createSimCluster({ hosts: 500, osdsPerHost: 20, tickMs: 0, clock: fixedClock() });
  const buildMs = performance.now() - started;
  assert.ok(buildMs < 3000, `built in ${buildMs.toFixed(0)} ms`);
  const osdMap = parse(sim.getJson("osd_map"));
  assert.is(osdMap.osds.length, 10_000);
  assert.is(osdMap.osd_xinfo.length, 10_000);
  assert.is(parse(sim.getJson("osd_map_tree")).nodes.length, 1 + 500 + 10_000);
  assert.is(Object.keys(parse(sim.getJson("osd_metadata"))).length, 10_000);
  assert.is(parse(sim.getJson("osd_stats")).osd_stats.length, 10_000);
  assert.is(sim.listServers().length, 500);
  // PGs stay printable: the default pools are capped at maxPgs.
  assert.ok(sim.summary().pgs <= 16_384 + 1);
  sim.tick();
  assert.is(sim.summary().osds, 10_000);
});

test("pgsPerOsd and explicit pools size the PG count", () => {
  const sparse = createSimCluster({ tickMs: 0, pgsPerOsd: 25, clock: fixedClock() });
  assert.is(sparse.summary().pgs, 1 + 128);
  const explicit = createSimCluster({
    tickMs: 0,
    clock: fixedClock(),
    pools: [
      { name: "rbd", pgNum: 2048 },
      { name: "cephfs.data", pgNum: 64, application: "cephfs" },
    ],
  });
  assert.is(explicit.summary().pgs, 1 + 2048 + 64);
  const pools = parse(explicit.getJson("osd_map")).pools;
  assert.equal(
    pools.map((p: { pool_name: string }) => p.pool_name),
    ["device_health_metrics", "rbd", "cephfs.data"],
  );
  assert.equal(pools[2].application_metadata, { cephfs: {} });
});

test("the same seed and clock give the same cluster and the same history", () => {
  const a = createSimCluster({ tickMs: 0, seed: 42, chaos: 2, clock: fixedClock() });
  const b = createSimCluster({ tickMs: 0, seed: 42, chaos: 2, clock: fixedClock() });
  a.tick(60);
  b.tick(60);
  for (const name of a.dataNames()) assert.is(a.getJson(name), b.getJson(name), name);
  assert.equal(a.epochs(), b.epochs());
  const other = createSimCluster({ tickMs: 0, seed: 43, chaos: 2, clock: fixedClock() });
  other.tick(60);
  assert.is.not(other.getJson("osd_map"), a.getJson("osd_map"));
});

test("invalid options are refused with the field named", () => {
  assert.throws(() => createSimCluster({ hosts: 0 }), /cluster\.sim\.hosts/);
  assert.throws(() => createSimCluster({ osdsPerHost: 1.5 }), /cluster\.sim\.osdsPerHost/);
  assert.throws(() => createSimCluster({ hosts: 1000, osdsPerHost: 200 }), /hosts × osdsPerHost/);
  assert.throws(() => createSimCluster({ tickMs: -1 }), /cluster\.sim\.tickMs/);
  assert.throws(() => createSimCluster({ pools: [{ name: "a" }, { name: "a" }] }), /cluster\.sim\.pools\[1\]\.name/);
  assert.throws(() => createSimCluster({ chaos: -1 }), /cluster\.sim\.chaos/);
  assert.is(createSimCluster({ hosts: undefined, tickMs: 0 }).options.hosts, 4, "undefined fields take the default");
});

test.run();
