// Daemon-level accessors of the simulated cluster (metadata, servers, perf schema and counters,
// daemon status) answer with the real mgr's shapes, and with null / {} / [] for what is unknown.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { compareShapes, fixtureText } from "./shape.ts";
import { fixedClock } from "./support.ts";

const sim = createSimCluster({ tickMs: 0, chaos: 0, clock: fixedClock() });
sim.tick(2);
const real = (name: string) => JSON.parse(fixtureText(`mgr-get/${name}.json`));

test("getMetadata returns the real keys for osd, mon and mgr daemons", () => {
  for (const [type, id, file] of [
    ["osd", "0", "get_metadata.osd.0"],
    ["mon", "a", "get_metadata.mon.a"],
    ["mgr", "x", "get_metadata.mgr.x"],
  ] as const) {
    const md = sim.getMetadata(type, id)!;
    assert.equal(Object.keys(md).sort(), Object.keys(real(file)).sort(), `${type}.${id}`);
    for (const v of Object.values(md)) assert.type(v, "string");
  }
  const osd = sim.getMetadata("osd", "5")!;
  assert.is(osd.hostname, "node02");
  assert.is(osd.osd_data, "/var/lib/ceph/osd/ceph-5");
  assert.match(osd.front_addr!, /^\[v2:10\.0\.0\.12:68\d\d\/\d+,v1:10\.0\.0\.12:68\d\d\/\d+\]$/);
});

test("getMetadata of anything unknown is null and never throws", () => {
  assert.is(sim.getMetadata("osd", "99"), real("get_metadata.osd.99"));
  assert.is(sim.getMetadata("osd", "zero"), null);
  assert.is(sim.getMetadata("mon", "z"), null);
  assert.is(sim.getMetadata("mgr", "y"), null);
  assert.is(sim.getMetadata("rgw", "gw"), null);
  assert.is(sim.getMetadata("", ""), null);
});

test("metadata is an immutable snapshot", () => {
  const md = sim.getMetadata("osd", "0")!;
  assert.throws(() => {
    (md as Record<string, string>).hostname = "elsewhere";
  });
  assert.is(sim.getMetadata("osd", "0")!.hostname, "node01");
});

test("listServers and getServer have the real shapes; an unknown host is Pacific's empty entry", () => {
  const report = compareShapes(fixtureText("mgr-get/list_servers.json"), JSON.stringify(sim.listServers()));
  assert.equal(report.mismatches, []);
  const node01 = sim.getServer("node01") as { hostname: string; services: { type: string; id: string }[] };
  assert.equal(compareShapes(fixtureText("mgr-get/get_server.vm.json"), JSON.stringify(node01)).mismatches, []);
  assert.equal(
    node01.services.map((s) => `${s.type}.${s.id}`),
    ["mgr.x", "mon.a", "osd.0", "osd.1", "osd.2"],
  );
  assert.equal(sim.getServer("no-such-host"), JSON.parse(fixtureText("mgr-get/get_server.no-such-host.json")));
});

test("getPerfSchema gives the real OSD and mon schemas; unknown daemons get {}", () => {
  const schema = sim.getPerfSchema("osd", "3") as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(schema), ["osd.3"]);
  assert.equal(schema["osd.3"], real("get_perf_schema.osd.0")["osd.0"]);
  const mon = sim.getPerfSchema("mon", "a") as Record<string, Record<string, { type: number }>>;
  assert.ok(Object.keys(mon["mon.a"]!).includes("mon.num_sessions"));
  assert.not.ok("value" in mon["mon.a"]!["mon.num_sessions"]!);
  assert.equal(sim.getPerfSchema("osd", "99"), {});
  assert.equal(sim.getPerfSchema("mds", "a"), {});
});

test("getCounter and getLatestCounter have the real shapes; unknown counters are empty", () => {
  // Objects, not JSON text: a whole-second sample time is a JS number like any other.
  const loose = (file: string, value: unknown) =>
    compareShapes(fixtureText(`mgr-get/${file}.json`), JSON.stringify(value), true).mismatches;
  assert.equal(loose("get_counter.osd.0.osd.op_w", sim.getCounter("osd", "0", "osd.op_w")), []);
  assert.equal(loose("get_counter.osd.0.osd.op_r_latency", sim.getCounter("osd", "0", "osd.op_r_latency")), []);
  const latest = sim.getLatestCounter("osd", "0", "osd.op_w")["osd.op_w"]!;
  assert.is(latest.length, 2);
  assert.equal(sim.getCounter("osd", "0", "osd.nope"), { "osd.nope": [] });
  assert.equal(sim.getCounter("osd", "99", "osd.op_w"), { "osd.op_w": [] });
  assert.equal(sim.getLatestCounter("osd", "99", "osd.op_w"), { "osd.op_w": [] as unknown as [number, number] });
});

test("a down OSD's counters stop where it stopped reporting", () => {
  const s = createSimCluster({ tickMs: 0, chaos: 0, clock: fixedClock() });
  s.tick(2);
  s.osdDown(1);
  const before = s.getLatestCounter("osd", "1", "osd.op")["osd.op"];
  s.tick(3);
  assert.equal(s.getLatestCounter("osd", "1", "osd.op")["osd.op"], before);
  assert.ok(s.getLatestCounter("osd", "0", "osd.op")["osd.op"]![0] > before![0]);
});

test("getDaemonStatus is {} for a known daemon, as for the real osd.0, and null otherwise", () => {
  assert.equal(sim.getDaemonStatus("osd", "0"), real("get_daemon_status.osd.0"));
  assert.is(sim.getDaemonStatus("osd", "99"), null);
});

test("haveMonConnection is true while the mons have quorum", () => {
  assert.is(sim.haveMonConnection(), real("have_mon_connection"));
  assert.is(sim.backend, "sim");
});

test.run();
