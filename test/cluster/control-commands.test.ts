// The `sim ...` injection commands: declared with Ceph descriptors, answered like mon commands,
// and each one visibly changes the simulated cluster (maps, health, notifies).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SIM_COMMANDS, createSimCluster, handleSimCommand } from "../../runtime/cluster/index.ts";
import { fixedClock, parse, recorder } from "./support.ts";

const sim = () => createSimCluster({ tickMs: 0, chaos: 0, clock: fixedClock() });
const health = (s: ReturnType<typeof sim>) => parse(parse(s.getJson("health")).json);

test("SIM_COMMANDS use Ceph's descriptor grammar with a desc and a perm", () => {
  const arg =
    /^name=[a-z_]+,type=Ceph(String|Int|Float|Choices|OsdName|Poolname)(,(range=[\d.|]+|req=false|n=N|strings=[\w|]+))*$/;
  const prefixes = new Set<string>();
  for (const { cmd, desc, perm } of SIM_COMMANDS) {
    const words = cmd.split(" ");
    assert.is(words[0], "sim");
    const prefix = words.filter((w) => !w.includes("=")).join(" ");
    assert.not.ok(prefixes.has(prefix), `duplicate ${prefix}`);
    prefixes.add(prefix);
    for (const w of words.filter((x) => x.includes("="))) assert.match(w, arg);
    assert.ok(desc.length > 5);
    assert.ok(["r", "w", "rw"].includes(perm));
  }
  for (const p of [
    "sim osd down",
    "sim osd up",
    "sim osd out",
    "sim osd in",
    "sim host add",
    "sim pool fill",
    "sim tick",
    "sim health set",
  ]) {
    assert.ok(prefixes.has(p), p);
  }
});

test("sim osd down/up kill and restart a daemon until told otherwise", () => {
  const s = sim();
  assert.equal(handleSimCommand(s, { prefix: "sim osd down", id: 2 }), {
    retval: 0,
    stdout: "",
    stderr: "osd.2 killed",
  });
  s.tick(40);
  assert.is(parse(s.getJson("osd_map")).osds[2].up, 0, "an injected failure stays down");
  assert.is(parse(s.getJson("osd_map")).osds[2].in, 0, "and is marked out after the grace");
  assert.is(handleSimCommand(s, { prefix: "sim osd up", id: "osd.2" }).stderr, "osd.2 started");
  assert.is(parse(s.getJson("osd_map")).osds[2].up, 1);
  assert.is(handleSimCommand(s, { prefix: "sim osd in", id: 2 }).stderr, "marked in osd.2");
  assert.equal(handleSimCommand(s, { prefix: "sim osd down", id: 99 }), {
    retval: -2,
    stdout: "",
    stderr: "osd.99 does not exist",
  });
});

test("sim host add grows the cluster; the new OSDs boot, join CRUSH and get PGs", () => {
  const s = sim();
  const rec = recorder(s);
  const res = handleSimCommand(s, { prefix: "sim host add", name: "node05", osds: 2 });
  assert.equal(res, { retval: 0, stdout: "node05", stderr: "added host node05" });
  assert.ok(rec.types().includes("osd_map"));
  assert.ok(parse(s.getJson("osd_map_crush")).buckets.some((b: { name: string }) => b.name === "node05"));
  s.tick(20);
  const stats = parse(s.getJson("osd_stats")).osd_stats.filter((o: { osd: number }) => o.osd >= 12);
  assert.is(stats.length, 2);
  assert.ok(stats.every((o: { num_pgs: number }) => o.num_pgs > 0));
  assert.is(s.getServer("node05") !== null, true);
  assert.is(handleSimCommand(s, { prefix: "sim host add", name: "node05" }).retval, -17);
});

test("sim host down takes all its OSDs down and raises OSD_HOST_DOWN", () => {
  const s = sim();
  handleSimCommand(s, { prefix: "sim host down", name: "node02" });
  const h = health(s);
  assert.equal(h.checks.OSD_HOST_DOWN.summary, { message: "1 host (3 osds) down", count: 1 });
  assert.is(h.checks.OSD_HOST_DOWN.detail[0].message, "host node02 (root=default) (3 osds) is down");
  assert.is(h.checks.OSD_DOWN.summary.message, "3 osds down");
  handleSimCommand(s, { prefix: "sim host up", name: "node02" });
  assert.not.ok(health(s).checks.OSD_HOST_DOWN);
});

test("sim pool fill sets %USED and fills the OSDs to nearfull and beyond", () => {
  const s = sim();
  assert.is(handleSimCommand(s, { prefix: "sim pool fill", pool: "rbdpool", percent: 93 }).retval, 0);
  const pool = parse(s.getJson("df")).pools.find((p: { name: string }) => p.name === "rbdpool");
  assert.ok(Math.abs(pool.stats.percent_used - 0.93) < 0.001, String(pool.stats.percent_used));
  const checks = health(s).checks;
  // PGs are not perfectly spread, so some OSDs pass the thresholds before others.
  assert.ok(checks.OSD_NEARFULL || checks.OSD_BACKFILLFULL, Object.keys(checks).join());
  assert.ok(checks.POOL_NEARFULL || checks.POOL_BACKFILLFULL || checks.POOL_FULL);
  assert.match(checks.OSD_NEARFULL?.summary.message ?? "1 nearfull osd(s)", /^\d+ nearfull osd\(s\)$/);
  handleSimCommand(s, { prefix: "sim pool fill", pool: "rbdpool", percent: 100 });
  assert.is(health(s).status, "HEALTH_ERR");
  assert.ok(health(s).checks.OSD_FULL);
  handleSimCommand(s, { prefix: "sim pool fill", pool: "rbdpool", percent: 10 });
  assert.is(health(s).status, "HEALTH_OK");
  assert.is(
    handleSimCommand(s, { prefix: "sim pool fill", pool: "nope", percent: 10 }).stderr,
    "unrecognized pool 'nope'",
  );
});

test("sim tick advances the evolution by count", () => {
  const s = sim();
  handleSimCommand(s, { prefix: "sim tick", count: 5 });
  assert.is(s.epochs().tick, 5);
  handleSimCommand(s, { prefix: "sim tick" });
  assert.is(s.epochs().tick, 6);
});

test("sim health set/clear raise and drop a check with a health notify", () => {
  const s = sim();
  const rec = recorder(s);
  handleSimCommand(s, {
    prefix: "sim health set",
    code: "SIM_DISK_SMELL",
    severity: "error",
    summary: ["disks", "smell", "funny"],
  });
  assert.equal(health(s).checks.SIM_DISK_SMELL, {
    severity: "HEALTH_ERR",
    summary: { message: "disks smell funny", count: 1 },
    detail: [],
    muted: false,
  });
  assert.is(health(s).status, "HEALTH_ERR");
  assert.ok(rec.types().includes("health"));
  handleSimCommand(s, { prefix: "sim health clear", code: "SIM_DISK_SMELL" });
  assert.is(health(s).status, "HEALTH_OK");
});

test("sim mon down drops a mon from quorum: MON_DOWN, a mon_status notify, then recovery", () => {
  const s = sim();
  const rec = recorder(s);
  handleSimCommand(s, { prefix: "sim mon down", id: "b" });
  assert.ok(rec.types().includes("mon_status"));
  assert.is(health(s).checks.MON_DOWN.summary.message, "1/3 mons down, quorum a,c");
  assert.equal(parse(parse(s.getJson("mon_status")).json).quorum, [0, 2]);
  handleSimCommand(s, { prefix: "sim mon down", id: "a" });
  handleSimCommand(s, { prefix: "sim mon down", id: "c" });
  assert.is(s.haveMonConnection(), false);
  handleSimCommand(s, { prefix: "sim mon up", id: "a" });
  assert.is(s.haveMonConnection(), true);
  assert.is(handleSimCommand(s, { prefix: "sim mon down", id: "z" }).retval, -2);
});

test("sim mon add/rm change the monmap with a mon_map notify and a new election", () => {
  const s = sim();
  const rec = recorder(s);
  const election = s.epochs().election;
  handleSimCommand(s, { prefix: "sim mon add", id: "d", host: "node04" });
  assert.equal(
    rec.types().filter((t) => t !== "clog"),
    ["mon_map", "mon_status"],
  );
  const map = parse(s.getJson("mon_map"));
  assert.is(map.epoch, 2);
  assert.equal(
    map.mons.map((m: { name: string }) => m.name),
    ["a", "b", "c", "d"],
  );
  assert.is(s.epochs().election, election + 2);
  assert.is(s.getMetadata("mon", "d")!.hostname, "node04");
  handleSimCommand(s, { prefix: "sim mon rm", id: "b" });
  assert.equal(
    parse(s.getJson("mon_map")).mons.map((m: { name: string; rank: number }) => `${m.rank}:${m.name}`),
    ["0:a", "1:c", "2:d"],
  );
  assert.is(handleSimCommand(s, { prefix: "sim mon add", id: "a" }).retval, -17);
});

test("sim mds add registers a standby in the FSMap with an fs_map notify", () => {
  const s = sim();
  const rec = recorder(s);
  handleSimCommand(s, { prefix: "sim mds add", id: "alpha", host: "node02" });
  assert.ok(rec.types().includes("fs_map"));
  const fs = parse(s.getJson("fs_map"));
  assert.is(fs.epoch, 2);
  assert.is(fs.standbys[0].name, "alpha");
  assert.is(fs.standbys[0].state, "up:standby");
  assert.match(s.getJson("fs_map")!, /"features":4540138314316775423/);
  assert.is(parse(s.getJson("mds_metadata")).alpha.hostname, "node02");
  assert.is(s.getMetadata("mds", "alpha")!.hostname, "node02");
  assert.ok((s.getServer("node02") as { services: { type: string }[] }).services.some((x) => x.type === "mds"));
  handleSimCommand(s, { prefix: "sim mds rm", id: "alpha" });
  assert.equal(parse(s.getJson("fs_map")).standbys, []);
  assert.is(s.getMetadata("mds", "alpha"), null);
});

test("sim service add/rm change the service map, servers and daemon status", () => {
  const s = sim();
  const rec = recorder(s);
  const epoch = s.epochs().servicemap;
  handleSimCommand(s, { prefix: "sim service add", type: "rgw", id: "gw1", host: "node03" });
  assert.ok(rec.types().includes("service_map"));
  const map = parse(s.getJson("service_map"));
  assert.is(map.epoch, epoch + 1);
  assert.is(map.services.rgw.daemons.gw1.metadata.hostname, "node03");
  assert.equal(s.getDaemonStatus("rgw", "gw1"), {});
  assert.ok((s.getServer("node03") as { services: { type: string }[] }).services.some((x) => x.type === "rgw"));
  handleSimCommand(s, { prefix: "sim service rm", type: "rgw", id: "gw1" });
  assert.is(s.getDaemonStatus("rgw", "gw1"), null);
});

test("sim osd add/rm/replace create the map/metadata mismatches on demand", () => {
  const s = sim();
  const added = handleSimCommand(s, { prefix: "sim osd add", host: "node01" });
  assert.is(added.stdout, "12");
  assert.is(s.getMetadata("osd", "12"), null);
  handleSimCommand(s, { prefix: "sim osd rm", id: 11 });
  assert.ok(s.getMetadata("osd", "11") !== null);
  handleSimCommand(s, { prefix: "sim osd replace", id: 4 });
  s.tick(12);
  assert.ok(
    parse(s.getJson("osd_map")).osds.some((o: { osd: number }) => o.osd === 4),
    "the replacement disk reuses the id",
  );
});

test("sim commands also go through sendCommand; sim status reports the epochs", async () => {
  const s = sim();
  const res = await s.sendCommand({ prefix: "sim status", format: "json" }, "");
  const status = JSON.parse(res.stdout);
  assert.is(status.osds, 12);
  assert.is(status.epochs.osdmap, s.epochs().osdmap);
  assert.equal(await s.sendCommand({ prefix: "sim nonsense" }, ""), {
    retval: -22,
    stdout: "",
    stderr: "command not known",
  });
});

test.run();
