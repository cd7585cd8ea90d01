// Every data name and command output of the simulated cluster has the key paths and JSON types of
// what a real Ceph 16.2.15 cluster returned (fixtures captured from a real mgr and `ceph -f json`).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { compareShapes, fixtureText } from "./shape.ts";
import { fixedClock } from "./support.ts";

const PACIFIC_NAMES = [
  "osd_map",
  "osd_map_tree",
  "osd_map_crush",
  "osd_metadata",
  "pg_summary",
  "pg_status",
  "pg_dump",
  "pg_stats",
  "pool_stats",
  "osd_pool_stats",
  "osd_stats",
  "df",
  "io_rate",
  "health",
  "mon_status",
  "mon_map",
  "fs_map",
  "mgr_map",
  "service_map",
  "config",
  "config_options",
  "modified_config_options",
  "devices",
  "mds_metadata",
  "osd_ping_times",
  "pg_ready",
  "pg_progress",
  "osdmap_crush_map_text",
  "mgr_ips",
  "have_local_config_map",
  "active_clean_pgs",
];
const ACCEPTANCE = [
  "osd_map",
  "osd_map_tree",
  "osd_map_crush",
  "osd_metadata",
  "pg_summary",
  "pg_dump",
  "pg_stats",
  "pool_stats",
  "osd_stats",
  "df",
  "io_rate",
  "health",
  "mon_status",
  "mon_map",
  "fs_map",
  "mgr_map",
  "service_map",
  "config",
  "osd_pool_stats",
  "pg_status",
];

const fresh = createSimCluster({ tickMs: 0, clock: fixedClock() });
fresh.tick(2);

test("dataNames() lists every name Pacific's get() serves", () => {
  for (const name of PACIFIC_NAMES) assert.ok(fresh.dataNames().includes(name), name);
});

for (const name of PACIFIC_NAMES) {
  test(`get("${name}") has every key path and JSON type of the real Pacific answer`, () => {
    const report = compareShapes(fixtureText(`mgr-get/get.${name}.json`), fresh.getJson(name)!);
    assert.equal(report.mismatches, [], `${report.matched}/${report.total}`);
  });
}

test("the acceptance set matches ≥ 98 % of the fixtures' paths, also after an eventful run", () => {
  const eventful = createSimCluster({ tickMs: 0, seed: 3, chaos: 3, clock: fixedClock() });
  eventful.tick(120);
  for (const sim of [fresh, eventful]) {
    let total = 0;
    let matched = 0;
    for (const name of ACCEPTANCE) {
      const r = compareShapes(fixtureText(`mgr-get/get.${name}.json`), sim.getJson(name)!);
      total += r.total;
      matched += r.matched;
    }
    assert.ok(matched / total >= 0.98, `${matched}/${total}`);
  }
});

test("health and mon_status wrap a JSON string whose content has the real shape", () => {
  for (const name of ["health", "mon_status"]) {
    const ours = JSON.parse(fresh.getJson(name)!) as { json: unknown };
    assert.type(ours.json, "string");
    const report = compareShapes(JSON.parse(fixtureText(`mgr-get/get.${name}.json`)).json, ours.json as string);
    assert.equal(report.mismatches, []);
  }
});

test("floats are written as floats and the 64-bit feature mask keeps its digits", () => {
  const osdMap = fresh.getJson("osd_map")!;
  assert.match(osdMap, /"weight":1\.0,"primary_affinity":1\.0/);
  assert.match(osdMap, /"laggy_probability":0\.0/);
  assert.match(osdMap, /"features":4540138314316775423/);
  assert.match(fresh.getJson("mgr_map")!, /"active_mgr_features":4540138314316775423/);
});

test("osdmap_crush_map_text is an empty string, as the real mgr's NUL-truncated binary map", () => {
  assert.is(fresh.getJson("osdmap_crush_map_text"), `""`);
});

test("an unknown name has no version and no JSON", () => {
  assert.is(fresh.version("no_such_thing"), undefined);
  assert.is(fresh.getJson("no_such_thing"), undefined);
  assert.is(fresh.getJson("osd_crush_map_text"), undefined);
});

test('"device <devid>" serves one device from get("devices")', () => {
  const devid = (JSON.parse(fresh.getJson("devices")!) as { devices: { devid: string }[] }).devices[0]!.devid;
  const one = JSON.parse(fresh.getJson(`device ${devid}`)!) as { device: { devid: string; daemons: string[] } };
  assert.is(one.device.devid, devid);
  assert.equal(one.device.daemons, ["osd.0"]);
  assert.is(fresh.version(`device ${devid}`), fresh.version("devices"));
  assert.is(fresh.getJson("device NOPE"), undefined);
});

const CLI: [string, Record<string, unknown>][] = [
  ["status", { prefix: "status" }],
  ["df", { prefix: "df" }],
  ["df-detail", { prefix: "df", detail: "detail" }],
  ["osd-df", { prefix: "osd df" }],
  ["osd-pool-ls-detail", { prefix: "osd pool ls", detail: "detail" }],
  ["mon-dump", { prefix: "mon dump" }],
  ["pg-stat", { prefix: "pg stat" }],
  ["osd-stat", { prefix: "osd stat" }],
  ["health-detail", { prefix: "health", detail: "detail" }],
  ["config-dump", { prefix: "config dump" }],
  ["osd-tree", { prefix: "osd tree" }],
  ["osd-dump", { prefix: "osd dump" }],
  ["pg-dump", { prefix: "pg dump" }],
  ["pg-dump-pgs-brief", { prefix: "pg dump", dumpcontents: ["pgs_brief"] }],
  ["pg-ls", { prefix: "pg ls" }],
  ["fs-dump", { prefix: "fs dump" }],
  ["mgr-dump", { prefix: "mgr dump" }],
  ["osd-perf", { prefix: "osd perf" }],
  ["mon-stat", { prefix: "mon stat" }],
  ["quorum-status", { prefix: "quorum_status" }],
  ["versions", { prefix: "versions" }],
  ["osd-pool-stats", { prefix: "osd pool stats" }],
  ["osd-crush-dump", { prefix: "osd crush dump" }],
  ["osd-metadata", { prefix: "osd metadata" }],
  ["mon-metadata", { prefix: "mon metadata" }],
];

for (const [file, cmd] of CLI) {
  test(`\`ceph ${cmd.prefix as string}${cmd.detail ? " detail" : ""} -f json\` has the shape of the real output (${file})`, async () => {
    const res = await fresh.sendCommand({ ...cmd, prefix: cmd.prefix as string, format: "json" }, "");
    assert.is(res.retval, 0, res.stderr);
    // The mon's JSON formatter prints 1.0 as 1, so only "number" is compared here.
    const report = compareShapes(fixtureText(`cli/${file}.json`), res.stdout, true);
    assert.equal(report.mismatches, []);
  });
}

test.run();
