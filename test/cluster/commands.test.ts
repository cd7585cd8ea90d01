// Mon commands sent to the simulated cluster change it the way the real mon does, answer in
// JSON or Ceph's plain text, notify like the real mgr, and fail with the mon's own errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { fixtureText } from "./shape.ts";
import { fixedClock, parse, recorder } from "./support.ts";

const sim = () => createSimCluster({ tickMs: 0, chaos: 0, clock: fixedClock() });
type Cmd = { prefix: string; [k: string]: unknown };
const asTuple = (r: { retval: number; stdout: string; stderr: string }) => [r.retval, r.stdout, r.stderr];

test("`osd pool ls -f json` answers as the real mon did", async () => {
  const res = await sim().sendCommand({ prefix: "osd pool ls", format: "json" }, "");
  assert.equal(asTuple(res), JSON.parse(fixtureText("mgr-get/mon_command.osd_pool_ls.json")));
});

test('an unknown prefix fails with EINVAL "command not known", exactly as the real mon', async () => {
  const res = await sim().sendCommand({ prefix: "no such command" }, "");
  assert.equal(asTuple(res), JSON.parse(fixtureText("mgr-get/mon_command.bad_prefix.json")));
});

test("an unknown pool fails with ENOENT \"unrecognized pool 'nope'\", exactly as the real mon", async () => {
  const res = await sim().sendCommand({ prefix: "osd pool get", pool: "nope", var: "size", format: "json" }, "");
  assert.equal(asTuple(res), JSON.parse(fixtureText("mgr-get/mon_command.bad_arg.json")));
});

test("sendCommand answers asynchronously, after the osd_map notify of its own change", async () => {
  const s = sim();
  const rec = recorder(s);
  const pending = s.sendCommand({ prefix: "osd set", key: "noout" }, "");
  let settled = false;
  void pending.then(() => (settled = true));
  assert.is(settled, false);
  const res = await pending;
  assert.equal(res, { retval: 0, stdout: "", stderr: "noout is set" });
  assert.is(rec.types()[0], "osd_map");
  const map = parse(s.getJson("osd_map"));
  assert.ok(map.flags_set.includes("noout"));
  assert.is(map.flags, "noout,sortbitwise,recovery_deletes,purged_snapdirs,pglog_hardlimit");
  const flags = parse(parse(s.getJson("health")).json).checks.OSDMAP_FLAGS;
  assert.equal(flags.summary, { message: "noout flag(s) set", count: 5 });
  await s.sendCommand({ prefix: "osd unset", key: "noout" }, "");
  assert.is(parse(parse(s.getJson("health")).json).status, "HEALTH_OK");
});

test("osd out/in/down report per id like the mon and change the maps", async () => {
  const s = sim();
  const send = (c: Cmd) => s.sendCommand(c, "");
  assert.equal(await send({ prefix: "osd out", ids: ["3", "99"] }), {
    retval: 0,
    stdout: "",
    stderr: "marked out osd.3. osd.99 does not exist. ",
  });
  assert.equal((await send({ prefix: "osd out", ids: ["osd.3"] })).stderr, "osd.3 is already out. ");
  assert.is(parse(s.getJson("osd_map")).osds[3].in, 0);
  assert.is(parse(s.getJson("osd_map")).osd_xinfo[3].old_weight, 65536);
  assert.equal((await send({ prefix: "osd in", ids: ["3"] })).stderr, "marked in osd.3. ");
  assert.is(parse(s.getJson("osd_map")).osds[3].weight, 1);
  assert.equal((await send({ prefix: "osd down", ids: ["5"] })).stderr, "marked down osd.5. ");
  assert.is(parse(s.getJson("osd_map")).osds[5].up, 0);
  s.tick(3);
  assert.is(parse(s.getJson("osd_map")).osds[5].up, 1, "a running daemon marked down boots again");
  assert.equal((await send({ prefix: "osd down", ids: ["nonsense"] })).retval, -22);
});

test("osd pool create/set/get/delete behave and answer like the mon", async () => {
  const s = sim();
  const rec = recorder(s);
  const send = (c: Cmd) => s.sendCommand(c, "");
  assert.equal(await send({ prefix: "osd pool create", pool: "scratch", pg_num: 16 }), {
    retval: 0,
    stdout: "",
    stderr: "pool 'scratch' created",
  });
  assert.equal((await send({ prefix: "osd pool create", pool: "scratch" })).stderr, "pool 'scratch' already exists");
  assert.ok(rec.types().includes("osd_map"));
  const pool = parse(s.getJson("osd_map")).pools.find((p: { pool_name: string }) => p.pool_name === "scratch");
  assert.is(pool.pool, 3);
  assert.is(pool.pg_num, 16);
  assert.ok(
    Object.keys(parse(s.getJson("pg_summary")).by_pool["3"]).every((st) => st.includes("creating") || st === "peering"),
  );
  s.tick(2);
  assert.equal(parse(s.getJson("pg_summary")).by_pool["3"], { "active+clean": 16 });

  assert.equal(await send({ prefix: "osd pool set", pool: "scratch", var: "size", val: "2" }), {
    retval: 0,
    stdout: "",
    stderr: "set pool 3 size to 2",
  });
  assert.equal(await send({ prefix: "osd pool get", pool: "scratch", var: "size", format: "json" }), {
    retval: 0,
    stdout: `{"pool":"scratch","pool_id":3,"size":2}`,
    stderr: "",
  });
  assert.is((await send({ prefix: "osd pool get", pool: "scratch", var: "size" })).stdout, "size: 2\n");
  assert.equal(await send({ prefix: "osd pool set", pool: "scratch", var: "size", val: "11" }), {
    retval: -22,
    stdout: "",
    stderr: "pool size must be between 1 and 10",
  });
  assert.is((await send({ prefix: "osd pool set", pool: "scratch", var: "pg_num", val: "abc" })).retval, -22);
  assert.equal(
    (await send({ prefix: "osd pool get", pool: "scratch", var: "target_size_ratio" })).stderr,
    "option 'target_size_ratio' is not set on pool 'scratch'",
  );
  await send({ prefix: "osd pool set", pool: "scratch", var: "target_size_ratio", val: "0.2" });
  assert.equal(parse(s.getJson("osd_map")).pools[2].options, { target_size_ratio: 0.2 });

  const refused = await send({ prefix: "osd pool delete", pool: "scratch" });
  assert.is(refused.retval, -1);
  assert.match(refused.stderr, /^WARNING: this will \*PERMANENTLY DESTROY\* all data stored in pool scratch/);
  await send({ prefix: "config set", who: "mon", name: "mon_allow_pool_delete", value: "false" });
  const disabled = await send({
    prefix: "osd pool delete",
    pool: "scratch",
    pool2: "scratch",
    yes_i_really_really_mean_it: true,
  });
  assert.equal(disabled, {
    retval: -1,
    stdout: "",
    stderr:
      "pool deletion is disabled; you must first set the mon_allow_pool_delete config option to true before you can destroy a pool",
  });
  await send({ prefix: "config set", who: "mon", name: "mon_allow_pool_delete", value: "true" });
  assert.equal(
    await send({ prefix: "osd pool delete", pool: "scratch", pool2: "scratch", yes_i_really_really_mean_it: true }),
    { retval: 0, stdout: "", stderr: "pool 'scratch' removed" },
  );
  assert.is(parse(s.getJson("osd_map")).pools.length, 2);
  assert.equal((await send({ prefix: "osd pool delete", pool: "scratch" })).stderr, "pool 'scratch' does not exist");
});

test("creating more PGs than mon_max_pg_per_osd allows fails with ERANGE", async () => {
  const res = await sim().sendCommand({ prefix: "osd pool create", pool: "huge", pg_num: 4096 }, "");
  assert.is(res.retval, -34);
  assert.match(
    res.stderr,
    /^pg_num 4096 size 3 would mean \d+ total pgs, which exceeds max 3000 \(mon_max_pg_per_osd 250 \* num_in_osds 12\)$/,
  );
});

test("config set/get/rm/dump use the real option list, and the mgr's own config follows", async () => {
  const s = sim();
  const send = (c: Cmd) => s.sendCommand(c, "");
  const v = s.version("config");
  assert.equal(await send({ prefix: "config set", who: "mgr", name: "mgr_tick_period", value: "5" }), {
    retval: 0,
    stdout: "",
    stderr: "",
  });
  assert.is(parse(s.getJson("config")).mgr_tick_period, "5");
  assert.is.not(s.version("config"), v);
  assert.is((await send({ prefix: "config get", who: "mgr.x", key: "mgr_tick_period" })).stdout, "5\n");
  assert.is(
    (await send({ prefix: "config get", who: "osd.1", key: "osd_max_backfills", format: "json" })).stdout,
    `"2"`,
  );
  assert.is((await send({ prefix: "config get", who: "osd.1", key: "mon_osd_nearfull_ratio" })).stdout, "0.850000\n");
  assert.equal(await send({ prefix: "config get", who: "osd", key: "nope" }), {
    retval: -2,
    stdout: "",
    stderr: "unrecognized key 'nope'",
  });
  assert.equal(await send({ prefix: "config set", who: "osd", name: "nope", value: "1" }), {
    retval: -22,
    stdout: "",
    stderr: "unrecognized config option 'nope'",
  });
  assert.is((await send({ prefix: "config set", who: "osd", name: "osd_max_backfills", value: "lots" })).retval, -22);
  const dump = JSON.parse((await send({ prefix: "config dump", format: "json" })).stdout);
  assert.ok(
    dump.some(
      (e: { section: string; name: string; value: string }) =>
        e.section === "mgr" && e.name === "mgr_tick_period" && e.value === "5",
    ),
  );
  await send({ prefix: "config rm", who: "mgr", name: "mgr_tick_period" });
  assert.is(parse(s.getJson("config")).mgr_tick_period, "2");
});

test("health, status, df and pg stat read like the CLI in plain text", async () => {
  const s = sim();
  const send = async (c: Cmd) => (await s.sendCommand(c, "")).stdout;
  assert.is(await send({ prefix: "health" }), "HEALTH_OK\n");
  s.osdDown(0);
  s.tick();
  assert.match(
    await send({ prefix: "health", detail: "detail" }),
    /^HEALTH_WARN 1 osds down; Degraded data redundancy: .*\n\[WRN\] OSD_DOWN: 1 osds down\n {4}osd\.0 \(root=default,host=node01\) is down\n/,
  );
  const status = await send({ prefix: "status" });
  assert.match(status, /^ {2}cluster:\n {4}id: {5}[0-9a-f-]{36}\n {4}health: HEALTH_WARN\n {12}1 osds down\n/);
  assert.match(status, /\n {4}osd: 12 osds: 11 up \(since \d+s\), 12 in \(since \d+[smhdw]\)\n/);
  assert.match(status, /\n {4}pools: {3}2 pools, 513 pgs\n/);
  assert.match(
    await send({ prefix: "df" }),
    /^--- RAW STORAGE ---\nCLASS\s+SIZE\s+AVAIL\s+USED\s+RAW USED\s+%RAW USED\nhdd\s+48 TiB\s/,
  );
  assert.match(
    await send({ prefix: "pg stat" }),
    /^513 pgs: \d+ active\+clean, (.*, )?\d+ active\+undersized\+degraded(, .*)?; [\d.]+ TiB data, [\d.]+ TiB used, [\d.]+ TiB \/ 48 TiB avail/,
  );
  assert.match(
    await send({ prefix: "osd tree" }),
    /^ID\s+CLASS\s+WEIGHT\s+TYPE NAME\s+STATUS\s+REWEIGHT\s+PRI-AFF\n\s*-1\s+43\.66\d+\s+root default\s*\n/,
  );
  const json = JSON.parse(await send({ prefix: "status", format: "json" }));
  assert.is(json.osdmap.num_up_osds, 11);
  assert.is(json.health.status, "HEALTH_WARN");
  assert.not.ok("detail" in json.health.checks.OSD_DOWN, "status carries no detail");
});

test("json-pretty indents by four spaces; mon dump and pg dump say what they dumped", async () => {
  const s = sim();
  const pretty = await s.sendCommand({ prefix: "mon dump", format: "json-pretty" }, "");
  assert.match(pretty.stdout, /^\{\n {4}"epoch": 1,/);
  assert.is(pretty.stderr, "dumped monmap epoch 1");
  const brief = await s.sendCommand({ prefix: "pg dump", dumpcontents: ["pgs_brief"], format: "json" }, "");
  assert.is(brief.stderr, "dumped pgs_brief");
  assert.is(JSON.parse(brief.stdout).pg_stats.length, 513);
});

test("write commands leave audit lines in the cluster log; reads do not", async () => {
  const s = sim();
  const rec = recorder(s);
  await s.sendCommand({ prefix: "osd pool ls" }, "");
  assert.equal(rec.take(), []);
  await s.sendCommand({ prefix: "osd set", key: "noscrub" }, "");
  const audit = rec
    .take()
    .filter((n) => n.type === "clog")
    .map((n) => n.id as { channel: string; message: string })
    .filter((e) => e.channel === "audit");
  assert.equal(
    audit.map((e) => e.message),
    [
      `from='mgr.4587 127.0.0.1:0/21932' entity='mgr.x' cmd=[{"prefix":"osd set","key":"noscrub"}]: dispatch`,
      `from='mgr.4587 127.0.0.1:0/21932' entity='mgr.x' cmd=[{"prefix":"osd set","key":"noscrub"}]: finished`,
    ],
  );
  const last = JSON.parse(
    (await s.sendCommand({ prefix: "log last", channel: "audit", num: 1, format: "json" }, "")).stdout,
  );
  assert.match(last[0].message, /: finished$/);
});

test.run();
