// The pg_autoscaler module (Ceph Pacific's, ported) on the simulated cluster: autoscale-status in
// Ceph's shape (json and plain), no pools, the warn-mode health checks, and pg_num changes with
// their progress events for pools in "on" mode.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cleanup, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { setOption, startPorted } from "./_ported.ts";
import { dumps, pyFloat } from "../../modules/_lib/pyjson.ts";
import { nearestPowerOfTwo } from "../../modules/pg_autoscaler/pool-status.ts";
import { formatBytes } from "../../modules/_lib/units.ts";
import { prettyDuration } from "../../modules/progress/pretty-duration.ts";

// The expected values are what Ceph 16.2.15's Python gives (mgr_util, pg_autoscaler/module.py, json).
const helpers = suite("pg_autoscaler and progress helpers");

helpers("formatBytes() is mgr_util.format_bytes", () => {
  assert.equal(
    [0, 1023, 99999, 100000, 17592186044416, 786193956864, 1536, 10 ** 15].map((n) => formatBytes(n, 6)),
    ["    0 ", " 1023 ", "99999 ", "97.65k", "16384G", "732.2G", " 1536 ", "909.4T"],
  );
  assert.equal(
    [5 * 2 ** 40, 123456789].map((n) => formatBytes(n, 5)),
    ["5120G", " 117M"],
  );
});

helpers("prettyDuration() is mgr_util.to_pretty_timedelta", () => {
  const s = [0, 119.9, 120, 7199, 7200, 172799, 172800, 14 * 86400, 84 * 86400, 730 * 86400];
  assert.equal(s.map(prettyDuration), ["0s", "119s", "2m", "119m", "2h", "47h", "2d", "2w", "2M", "2y"]);
});

helpers("dumps() prints floats as Python's json does", () => {
  const floats = [1e-5, 3, 1e16, 0.1, 6321936721522.0, 1.5e-7, 123456789012345680.0].map(pyFloat);
  assert.is(
    dumps(floats, 0).replace(/\n/g, ""),
    "[1e-05,3.0,1e+16,0.1,6321936721522.0,1.5e-07,1.2345678901234568e+17]",
  );
  assert.is(dumps({ b: 1, a: [], c: {} }), '{\n    "a": [],\n    "b": 1,\n    "c": {}\n}');
});

helpers("nearestPowerOfTwo() is pg_autoscaler's nearest_power_of_two", () => {
  assert.equal([0.5, 1, 1.5, 3, 71.2, 96, 95.9, 1000].map(nearestPowerOfTwo), [0, 1, 1, 4, 64, 128, 64, 1024]);
});

helpers.run();

const test = suite("pg_autoscaler module");
let dir = "";
let d: TestDaemon | undefined;

test.before.each(async () => {
  dir = tempDir();
  d = await startPorted(dir, { autoscaler: true });
});
test.after.each(async () => {
  await d?.stop();
  cleanup(dir);
});

/** Ceph 16.2.15's keys of an autoscale-status row, and which of them Python holds as floats. */
const KEYS = [
  "actual_capacity_ratio",
  "actual_raw_used",
  "bias",
  "bulk",
  "capacity_ratio",
  "crush_root_id",
  "effective_target_ratio",
  "logical_used",
  "pg_autoscale_mode",
  "pg_num_final",
  "pg_num_ideal",
  "pg_num_target",
  "pool_id",
  "pool_name",
  "raw_used",
  "raw_used_rate",
  "subtree_capacity",
  "target_bytes",
  "target_ratio",
  "would_adjust",
];
const FLOATS = [
  "actual_capacity_ratio",
  "actual_raw_used",
  "bias",
  "capacity_ratio",
  "effective_target_ratio",
  "raw_used",
  "raw_used_rate",
  "target_ratio",
];
const HEADER = [
  "POOL",
  "SIZE",
  "TARGET SIZE",
  "RATE",
  "RAW CAPACITY",
  "RATIO",
  "TARGET RATIO",
  "EFFECTIVE RATIO",
  "BIAS",
  "PG_NUM",
  "NEW PG_NUM",
  "AUTOSCALE",
  "BULK",
];

const sim = () =>
  d!.cluster as unknown as {
    sendCommand(cmd: Record<string, unknown>, inbuf: string): Promise<{ retval: number; stderr: string }>;
  };
async function poolNames(): Promise<string[]> {
  const r = await sim().sendCommand({ prefix: "osd pool ls", format: "json" }, "");
  return (JSON.parse((r as unknown as { stdout: string }).stdout) as string[]).sort();
}
async function mon(cmd: Record<string, unknown>): Promise<void> {
  const r = await sim().sendCommand(cmd as { prefix: string }, "");
  assert.is(r.retval, 0, `${cmd.prefix}: ${r.stderr}`);
}

test("osd pool autoscale-status -f json lists every pool with Ceph's keys, floats printed as floats", async () => {
  const r = await d!.command(["osd", "pool", "autoscale-status"], { format: "json" });
  assert.is(r.retval, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  const pools = await poolNames();
  assert.equal(rows.map((p) => p.pool_name).sort(), pools);
  for (const row of rows) assert.equal(Object.keys(row).sort(), KEYS);
  for (const key of FLOATS) assert.match(r.stdout, new RegExp(`"${key}": -?\\d+(\\.\\d+|e[+-]\\d+)`), key);
  assert.match(r.stdout, /"raw_used_rate": \d\.0/);
});

test("osd pool autoscale-status plain has Ceph's columns and one row per pool", async () => {
  const r = await d!.command(["osd", "pool", "autoscale-status"]);
  assert.is(r.retval, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.equal(lines[0]!.trim().split(/\s{2,}/), HEADER);
  assert.is(lines.length - 1, (await poolNames()).length);
  for (const line of lines) assert.ok(line.endsWith("  "), JSON.stringify(line)); // PrettyTable's right padding
});

test("osd pool autoscale-status with no pools prints nothing (plain) and [] (json)", async () => {
  await mon({ prefix: "config set", who: "mon", name: "mon_allow_pool_delete", value: "true" });
  for (const pool of await poolNames()) {
    await mon({ prefix: "osd pool delete", pool, pool2: pool, yes_i_really_really_mean_it: true });
  }
  assert.equal(await d!.command(["osd", "pool", "autoscale-status"]), { retval: 0, stdout: "", stderr: "" });
  assert.equal(await d!.command(["osd", "pool", "autoscale-status"], { format: "json" }), {
    retval: 0,
    stdout: "[]",
    stderr: "",
  });
});

test("a pool in warn mode whose pg_num is far off raises POOL_TOO_MANY_PGS with Ceph's texts", async () => {
  await mon({ prefix: "osd pool create", pool: "wide", pg_num: 128 });
  await mon({ prefix: "osd pool set", pool: "wide", var: "pg_autoscale_mode", val: "warn" });
  await setOption(d!, "pg_autoscaler", "sleep_interval", "1");
  const health = await waitFor(
    async () => {
      const h = JSON.parse((await d!.command(["health", "detail"], { format: "json" })).stdout);
      return h.checks?.POOL_TOO_MANY_PGS ? h.checks.POOL_TOO_MANY_PGS : undefined;
    },
    "POOL_TOO_MANY_PGS",
    15_000,
  );
  assert.match(JSON.stringify(health), /pools have too many placement groups/);
  assert.match(JSON.stringify(health), /Pool wide has 128 placement groups, should have \d+/);
});

test("a pool in on mode gets its pg_num set through the mon, and the change is a progress event", async () => {
  await mon({ prefix: "osd pool create", pool: "grow", pg_num: 128 });
  await mon({ prefix: "osd pool set", pool: "grow", var: "pg_autoscale_mode", val: "on" });
  await setOption(d!, "pg_autoscaler", "sleep_interval", "1");
  const final = await waitFor(
    async () => {
      const rows = JSON.parse((await d!.command(["osd", "pool", "autoscale-status"], { format: "json" })).stdout) as {
        pool_name: string;
        pg_num_target: number;
        pg_num_final: number;
      }[];
      const row = rows.find((p) => p.pool_name === "grow");
      return row && row.pg_num_target !== 128 ? row : undefined;
    },
    "grow's pg_num to change",
    15_000,
  );
  assert.is(final.pg_num_target, final.pg_num_final);
  const progress = await waitFor(
    async () => {
      const j = JSON.parse((await d!.command(["progress", "json"])).stdout) as {
        events: { message: string }[];
        completed: { message: string }[];
      };
      return [...j.events, ...j.completed].find((e) =>
        /^PG autoscaler decreasing pool \d+ PGs from 128 to \d+$/.test(e.message),
      );
    },
    "the autoscaler's progress event",
    15_000,
  );
  assert.ok(progress);
});

test("osd pool set/get/unset noautoscale answer as Ceph's", async () => {
  assert.is((await d!.command(["osd", "pool", "get", "noautoscale"])).stderr, "noautoscale is off");
  assert.is(
    (await d!.command(["osd", "pool", "set", "noautoscale"])).stderr,
    "noautoscale is set, all pools now have autoscale off",
  );
  assert.is((await d!.command(["osd", "pool", "set", "noautoscale"])).stderr, "noautoscale is already set!");
  const rows = JSON.parse((await d!.command(["osd", "pool", "autoscale-status"], { format: "json" })).stdout) as {
    pg_autoscale_mode: string;
  }[];
  assert.ok(
    rows.every((p) => p.pg_autoscale_mode === "off"),
    JSON.stringify(rows.map((p) => p.pg_autoscale_mode)),
  );
  assert.is(
    (await d!.command(["osd", "pool", "unset", "noautoscale"])).stderr,
    "noautoscale is unset, all pools now have autoscale on",
  );
});

test.run();
