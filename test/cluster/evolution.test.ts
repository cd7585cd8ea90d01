// The simulated cluster evolves like a real one: each change bumps exactly the versions of the
// names it changes and notifies in Ceph's order; failures raise and clear health checks; new and
// purged OSDs leave the transient map/metadata mismatches modules must cope with.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { bumped, fixedClock, parse, recorder, versions } from "./support.ts";

const quiet = () => createSimCluster({ tickMs: 0, chaos: 0, clock: fixedClock() });
test("a quiet tick moves io: it bumps pgmap views only, each of them really changed, and notifies pg_summary", () => {
  const sim = quiet();
  const rec = recorder(sim);
  for (let i = 0; i < 5; i++) {
    const before = versions(sim);
    const texts = new Map(sim.dataNames().map((n) => [n, sim.getJson(n)]));
    sim.tick();
    const changed = bumped(before, sim);
    for (const name of ["pg_dump", "pg_stats", "pg_summary", "io_rate", "df", "pool_stats", "osd_stats"])
      assert.ok(changed.includes(name), name);
    for (const name of changed) {
      assert.ok(
        [
          "pg_",
          "pool_stats",
          "osd_stats",
          "osd_pool_stats",
          "osd_ping_times",
          "df",
          "io_rate",
          "active_clean_pgs",
        ].some((p) => name.startsWith(p)),
        name,
      );
      assert.is.not(sim.getJson(name), texts.get(name), `${name} was bumped without changing`);
    }
    assert.equal(rec.types(), ["pg_summary"]);
  }
  const rate = parse(sim.getJson("io_rate")).pg_stats_delta;
  assert.ok(rate.stat_sum.num_read > 0 && rate.stat_sum.num_write > 0);
  assert.is(rate.stamp_delta, "1.000000");
});

test("through failures, recoveries and commands, no name is bumped without its content changing", async () => {
  const sim = createSimCluster({ tickMs: 0, seed: 5, chaos: 3, clock: fixedClock() });
  let bumps = 0;
  for (let i = 0; i < 120; i++) {
    const before = new Map(sim.dataNames().map((n) => [n, [sim.version(n), sim.getJson(n)]] as const));
    if (i % 40 === 10) await sim.sendCommand({ prefix: "osd set", key: "noscrub" }, "");
    else if (i % 40 === 20) await sim.sendCommand({ prefix: "osd unset", key: "noscrub" }, "");
    else if (i % 40 === 30) await sim.sendCommand({ prefix: "osd pool ls", format: "json" }, "");
    else sim.tick();
    for (const [name, [version, text]] of before) {
      if (sim.version(name) === version) continue;
      bumps += 1;
      assert.is.not(sim.getJson(name), text, `${name} bumped at step ${i} without a change`);
    }
  }
  assert.ok(bumps > 1000);
});

test("getJson returns the identical string while the version is unchanged", () => {
  const sim = quiet();
  for (const name of ["osd_map", "pg_dump", "config_options"]) {
    const v = sim.version(name);
    const first = sim.getJson(name);
    assert.ok(first === sim.getJson(name), name);
    assert.is(sim.version(name), v);
  }
  const oldDump = sim.getJson("pg_dump");
  const oldMap = sim.getJson("osd_map");
  sim.tick();
  assert.ok(sim.getJson("pg_dump") !== oldDump);
  assert.ok(sim.getJson("osd_map") === oldMap, "a PG-only change leaves osd_map alone");
});

test("an OSD failure bumps the osdmap, tree, pgmap and health, and notifies in Ceph's order", () => {
  const sim = quiet();
  const rec = recorder(sim);
  const before = versions(sim);
  const epoch = sim.epochs().osdmap;
  sim.osdDown(4);
  assert.is(sim.epochs().osdmap, epoch + 1);
  const changed = bumped(before, sim);
  for (const name of ["osd_map", "osd_map_tree", "health", "pg_summary", "pg_dump", "mon_status"])
    assert.ok(changed.includes(name), name);
  for (const name of ["osd_map_crush", "osd_metadata", "mon_map", "config", "mgr_map"])
    assert.not.ok(changed.includes(name), name);
  const types = rec.take().map((n) => n.type);
  assert.equal(
    types.filter((t) => t !== "clog"),
    ["osd_map", "pg_summary", "health"],
  );
  assert.ok(types.indexOf("health") < types.indexOf("clog"));
  const osd = parse(sim.getJson("osd_map")).osds[4];
  assert.is(osd.up, 0);
  assert.equal(osd.state, ["exists"]);
  assert.is(osd.down_at, epoch + 1);
  const health = parse(parse(sim.getJson("health")).json);
  assert.is(health.status, "HEALTH_WARN");
  assert.equal(health.checks.OSD_DOWN.summary, { message: "1 osds down", count: 1 });
  assert.match(health.checks.OSD_DOWN.detail[0].message, /^osd\.4 \(root=default,host=node02\) is down$/);
  // Right after the failure the PGs that lost a member are peering; a tick later they are degraded.
  assert.match(
    health.checks.PG_AVAILABILITY.summary.message,
    /^Reduced data availability: \d+ pgs inactive, \d+ pgs peering$/,
  );
  sim.tick();
  const later = parse(parse(sim.getJson("health")).json);
  assert.match(
    later.checks.PG_DEGRADED.summary.message,
    /^Degraded data redundancy: \d+\/\d+ objects degraded \(\d+\.\d{3}%\), \d+ pgs degraded, \d+ pgs undersized$/,
  );
  assert.not.ok(later.checks.PG_AVAILABILITY);
});

test("clog notifications carry a LogEntry shaped like the real mon's", () => {
  const sim = quiet();
  const rec = recorder(sim);
  sim.osdDown(1);
  const entries = rec
    .take()
    .filter((n) => n.type === "clog")
    .map((n) => n.id as Record<string, unknown>);
  assert.ok(entries.length >= 2);
  assert.equal(Object.keys(entries[0]!), ["addrs", "seq", "channel", "message", "name", "rank", "stamp", "priority"]);
  assert.ok(entries.some((e) => e.message === "Health check failed: 1 osds down (OSD_DOWN)" && e.priority === "[WRN]"));
  assert.ok((entries[1]!.seq as number) > (entries[0]!.seq as number));
});

test("PGs go peering → degraded → recovering → clean and health clears with a log line", () => {
  const sim = quiet();
  const rec = recorder(sim);
  sim.osdDown(0);
  const states = () => Object.keys(parse(sim.getJson("pg_summary")).all);
  assert.ok(states().includes("peering"));
  sim.tick();
  assert.ok(states().includes("active+undersized+degraded"), states().join());
  sim.osdUp(0);
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    sim.tick();
    for (const s of states()) seen.add(s);
  }
  assert.ok(seen.has("active+recovering+degraded") || seen.has("active+recovery_wait+degraded"), [...seen].join());
  assert.equal(
    states().filter((s) => !s.startsWith("active+clean")),
    [],
  );
  assert.is(parse(parse(sim.getJson("health")).json).status, "HEALTH_OK");
  const log = rec
    .take()
    .filter((n) => n.type === "clog")
    .map((n) => (n.id as { message: string }).message);
  assert.ok(log.includes("Health check cleared: OSD_DOWN (was: 1 osds down)"));
  assert.ok(log.includes("Cluster is now healthy"));
});

test("an OSD marked out is backfilled through pg_temp, which clears when backfill ends", () => {
  const sim = quiet();
  sim.osdOut(2);
  let sawTemp = false;
  let sawBackfill = false;
  for (let i = 0; i < 15; i++) {
    sim.tick();
    if (parse(sim.getJson("osd_map")).pg_temp.length) sawTemp = true;
    if (Object.keys(parse(sim.getJson("pg_summary")).all).some((s) => s.includes("backfilling"))) sawBackfill = true;
  }
  assert.ok(sawTemp && sawBackfill);
  assert.equal(parse(sim.getJson("osd_map")).pg_temp, []);
  assert.is(parse(sim.getJson("osd_stats")).osd_stats.find((o: { osd: number }) => o.osd === 2).num_pgs, 0);
  assert.equal(
    Object.keys(parse(sim.getJson("pg_summary")).all).filter((s) => !s.startsWith("active+clean")),
    [],
  );
});

test("a down OSD is marked out after the grace, unless noout is set", () => {
  const guarded = quiet();
  guarded.setFlag("noout", true);
  guarded.osdDown(3);
  guarded.tick(35);
  assert.is(parse(guarded.getJson("osd_map")).osds[3].in, 1);
  assert.ok(parse(parse(guarded.getJson("health")).json).checks.OSDMAP_FLAGS);
  const open = quiet();
  open.osdDown(3);
  open.tick(35);
  assert.is(parse(open.getJson("osd_map")).osds[3].in, 0);
  assert.ok(
    open.summary().checks.every((c) => c !== "OSD_DOWN"),
    "a down+out OSD raises no OSD_DOWN",
  );
});

test("a new OSD is in the osdmap before its metadata reaches the mgr", () => {
  const sim = quiet();
  const rec = recorder(sim);
  const id = sim.addOsd("node03");
  assert.is(id, 12);
  const added = parse(sim.getJson("osd_map")).osds.find((o: { osd: number }) => o.osd === id);
  assert.equal(added.state, ["exists", "new"]);
  assert.is(sim.getMetadata("osd", String(id)), null);
  assert.ok(parse(sim.getJson("osd_map_crush")).devices.some((d: { id: number }) => d.id === id));
  sim.tick();
  assert.is(parse(sim.getJson("osd_map")).osds.find((o: { osd: number }) => o.osd === id).up, 1);
  assert.is(sim.getMetadata("osd", String(id)), null, "booted, metadata still in flight");
  rec.take();
  sim.tick(3);
  assert.is(sim.getMetadata("osd", String(id))!.hostname, "node03");
  assert.ok(rec.take().some((n) => n.type === "perf_schema_update" && n.id === `osd.${id}`));
});

test("a purged OSD's metadata outlives it for a few ticks", () => {
  const sim = quiet();
  sim.osdDown(7);
  sim.osdOut(7);
  sim.removeOsd(7);
  assert.not.ok(parse(sim.getJson("osd_map")).osds.some((o: { osd: number }) => o.osd === 7));
  assert.is(sim.getMetadata("osd", "7")!.hostname, "node03");
  assert.ok("7" in parse(sim.getJson("osd_metadata")));
  sim.tick(5);
  assert.is(sim.getMetadata("osd", "7"), null);
  assert.not.ok("7" in parse(sim.getJson("osd_metadata")));
});

test("left running, the seeded cluster fails, heals and produces those mismatches on its own", () => {
  const sim = createSimCluster({ tickMs: 0, seed: 5, clock: fixedClock() });
  const rec = recorder(sim);
  let withoutMetadata = false;
  let orphanMetadata = false;
  const checks = new Set<string>();
  for (let t = 0; t < 120; t++) {
    sim.tick();
    const ids: number[] = parse(sim.getJson("osd_map")).osds.map((o: { osd: number }) => o.osd);
    if (ids.some((id) => sim.getMetadata("osd", String(id)) === null)) withoutMetadata = true;
    if (Object.keys(parse(sim.getJson("osd_metadata"))).some((id) => !ids.includes(Number(id)))) orphanMetadata = true;
    for (const c of sim.summary().checks) checks.add(c);
  }
  assert.ok(withoutMetadata && orphanMetadata);
  assert.ok(checks.has("OSD_DOWN") && checks.has("PG_DEGRADED"), [...checks].join());
  const types = new Set(rec.take().map((n) => n.type));
  for (const t of ["osd_map", "pg_summary", "health", "clog", "perf_schema_update"] as const)
    assert.ok(types.has(t), t);
});

test("perf counters grow per tick; averages come as (t, sum, count)", () => {
  const sim = quiet();
  sim.tick(3);
  const series = sim.getCounter("osd", "0", "osd.op_w")["osd.op_w"]!;
  assert.is(series.length, 4);
  for (let i = 1; i < series.length; i++) {
    assert.ok(series[i]![0] > series[i - 1]![0]);
    assert.ok(series[i]![1] > series[i - 1]![1]);
  }
  const avg = sim.getLatestCounter("osd", "0", "osd.op_r_latency")["osd.op_r_latency"]!;
  assert.is(avg.length, 3);
  sim.tick(30);
  assert.is(sim.getCounter("osd", "0", "osd.op_w")["osd.op_w"]!.length, 20, "the mgr keeps 20 samples");
  assert.is(
    sim.getLatestCounter("osd", "0", "osd.numpg")["osd.numpg"]![1],
    parse(sim.getJson("osd_stats")).osd_stats[0].num_pgs,
  );
});

test("start() evolves on an unref'd timer and stop() halts it", async () => {
  const sim = createSimCluster({ tickMs: 10, chaos: 0 });
  const v = sim.version("pg_dump");
  await sim.start();
  await new Promise((r) => setTimeout(r, 60));
  await sim.stop();
  assert.ok(sim.epochs().tick >= 2);
  assert.is.not(sim.version("pg_dump"), v);
  const ticks = sim.epochs().tick;
  await new Promise((r) => setTimeout(r, 30));
  assert.is(sim.epochs().tick, ticks);
});

test("a throwing subscriber neither stops the others nor the change", () => {
  const sim = quiet();
  let calls = 0;
  sim.subscribe(() => {
    throw new Error("boom");
  });
  const off = sim.subscribe(() => calls++);
  sim.tick();
  assert.ok(calls > 0);
  off();
  const before = calls;
  sim.tick();
  assert.is(calls, before);
});

test.run();
