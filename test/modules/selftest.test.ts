// The shipped selftest module against the simulated cluster: `selftest run` exercises every
// accessor, sendCommand, the store, options and health checks, and reports each check.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { checkShape, SHAPES } from "../../modules/selftest/shapes.ts";

interface RunReport {
  ok: boolean;
  passed: string[];
  failed: { check: string; why: string }[];
  skipped: { check: string; why: string }[];
  notes: string[];
}

/** selftest as the default mgr.json configures it (its grants), from the shipped modules folder. */
const SHIPPED = JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")).modules.selftest as {
  allow: { commands: string[] };
};

function selftestConfig(allow: { commands: string[] } = SHIPPED.allow): Record<string, unknown> {
  return { modulePath: join(ROOT, "modules"), modules: { selftest: { enabled: true, allow } } };
}

async function run(d: TestDaemon): Promise<{ retval: number; report: RunReport; stderr: string }> {
  const r = await d.command(["selftest", "run"], { timeoutMs: 20_000 });
  let report: RunReport;
  try {
    report = JSON.parse(r.stdout) as RunReport;
  } catch {
    throw new Error(`selftest run did not print a JSON report: retval ${r.retval}, stderr ${r.stderr}`);
  }
  return { retval: r.retval, report, stderr: r.stderr };
}

/** Lets the mon delete pools (Ceph's default is false), so the temp-pool check runs. */
async function allowPoolDelete(d: TestDaemon): Promise<void> {
  const r = await d.cluster.sendCommand(
    { prefix: "config set", who: "mon", name: "mon_allow_pool_delete", value: "true" },
    "",
  );
  assert.is(r.retval, 0, r.stderr);
}

const UNKNOWN_COMMAND_CHECK = "sendCommand() of an unknown command answers -EINVAL, and completes with a notify too";

let dir = "";
let d: TestDaemon | undefined;
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

test("selftest run passes every check against the simulated cluster with the default grants", async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, selftestConfig());
  await allowPoolDelete(d);
  const { retval, report } = await run(d);
  assert.equal(report.failed, [], JSON.stringify(report.failed, null, 2));
  assert.equal(report.skipped, [], JSON.stringify(report.skipped, null, 2));
  assert.is(retval, 0);
  assert.ok(report.ok);
  // every data name, every accessor and each kind of command was exercised
  for (const name of ["osd_map", "pg_dump", "health", "mon_status", "df", "devices", "mgr_map", "config_options"]) {
    assert.ok(report.passed.includes(`get("${name}") has the Pacific shape`), name);
  }
  for (const fragment of [
    "getServer",
    "listServers",
    "getMetadata(osd)",
    "getMetadata() of a missing",
    "getDaemonStatus",
    "getPerfSchema",
    "getCounter",
    "getLatestCounter",
    "haveMonConnection",
    "getMgrId",
    "osd set/unset",
    "temporary pool",
    "-ENOENT",
    "PermissionDenied",
    "getStorePrefix",
    "setModuleOption",
    "setHealthChecks",
    "circular locking",
  ]) {
    assert.ok(
      report.passed.some((p) => p.includes(fragment)),
      `no passed check mentions ${fragment}: ${report.passed.join(" | ")}`,
    );
  }
  assert.ok(report.passed.length >= 55, `${report.passed.length} checks`);
  // it put back what it changed: no temp pool, no flag, no store keys left
  const osdMap = JSON.parse(d.cluster.getJson("osd_map")!) as { pools: { pool_name: string }[]; flags_set: string[] };
  assert.not.ok(
    osdMap.pools.some((p) => p.pool_name.startsWith("selftest-")),
    "a temp pool was left behind",
  );
  assert.not.ok(osdMap.flags_set.includes("noscrub"), "the noscrub flag was left set");
});

test("selftest copes with an OSD that has no metadata yet and metadata of a removed OSD, and notes both", async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, selftestConfig());
  await allowPoolDelete(d);
  const added = await d.command(["sim", "osd", "add"]); // in the osd_map now, metadata a few ticks later
  assert.is(added.retval, 0, added.stderr);
  assert.is((await d.command(["sim", "osd", "rm", "1"])).retval, 0); // its metadata lingers
  const { report } = await run(d);
  assert.equal(report.failed, [], JSON.stringify(report.failed, null, 2));
  assert.ok(
    report.notes.includes(`osd.${added.stdout} is in the osd_map but has no metadata (yet)`),
    report.notes.join(" | "),
  );
  assert.ok(report.notes.includes("osd.1 has metadata but is not in the osd_map (removed)"), report.notes.join(" | "));
});

test("a check that fails is reported with its reason and the run answers -EIO", async () => {
  dir = tempDir();
  // without the "osd pool create" grant the temp-pool check cannot create its pool
  d = await startTestDaemon(dir, selftestConfig({ commands: ["r", "osd pool delete", "osd set", "osd unset"] }));
  await allowPoolDelete(d);
  const { retval, report, stderr } = await run(d);
  assert.is(retval, -5);
  assert.match(stderr, /check\(s\) failed/);
  const pool = report.failed.find((f) => f.check.includes("temporary pool"));
  assert.ok(pool, JSON.stringify(report.failed));
  assert.match(pool!.why, /PermissionDenied: .*"osd pool create".*allow\.commands/);
  assert.ok(report.passed.includes('get("osd_map") has the Pacific shape'), "the other checks still ran");
});

test("the temp-pool check is skipped, not failed, while the mon refuses pool deletes", async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, selftestConfig());
  await d.cluster.sendCommand({ prefix: "config set", who: "mon", name: "mon_allow_pool_delete", value: "false" }, "");
  const { report } = await run(d);
  const skip = report.skipped.find((s) => s.check.includes("temporary pool"));
  assert.match(skip?.why ?? "", /mon_allow_pool_delete is false/);
  assert.not.ok(report.failed.some((f) => f.check.includes("temporary pool")));
});

test("selftest health set raises checks shown by tsmgr health; clear removes them", async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, selftestConfig());
  const checks = { SELFTEST_DEMO: { severity: "warning", summary: "a demo check", detail: ["first detail"] } };
  assert.is((await d.command(["selftest", "health", "set", JSON.stringify(checks)])).retval, 0);
  const h = await d.command(["health", "detail"]);
  assert.match(h.stdout, /HEALTH_WARN/);
  assert.match(h.stdout, /SELFTEST_DEMO/);
  assert.match(h.stdout, /first detail/);
  // a run raises and clears its own check but leaves the operator's
  await run(d);
  assert.match((await d.command(["health", "detail"])).stdout, /SELFTEST_DEMO/);
  assert.is((await d.command(["selftest", "health", "clear"])).retval, 0);
  assert.not.match((await d.command(["health", "detail"])).stdout, /SELFTEST_DEMO/);
  const bad = await d.command(["selftest", "health", "set", '{"lower": {"severity": "warning", "summary": "x"}}']);
  assert.is(bad.retval, -22);
  assert.match(bad.stderr, /UPPER_CASE/);
});

test("selftest background runs a workload in serve() until stopped", async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, selftestConfig());
  assert.is((await d.command(["config", "set", "mgr", "mgr/selftest/background_interval", "0"])).retval, 0);
  assert.is((await d.command(["selftest", "background", "start", "get_spam"])).retval, 0);
  const status = async () =>
    JSON.parse((await d!.command(["selftest", "background", "status"])).stdout) as {
      running: boolean;
      iterations: number;
      errors: number;
      workload: string;
    };
  await waitFor(async () => (await status()).iterations >= 3, "three background iterations");
  assert.is((await d.command(["selftest", "background", "start", "command_spam"])).retval, 0);
  await waitFor(async () => (await status()).iterations >= 3, "three command_spam iterations");
  assert.is((await d.command(["selftest", "background", "stop"])).retval, 0);
  const stopped = await status();
  assert.is(stopped.running, false);
  assert.is(stopped.workload, "command_spam");
  assert.is(stopped.errors, 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.is((await status()).iterations, stopped.iterations, "iterations went on after stop");
});

test("the shape checker names the path and the expected type of what is wrong", () => {
  const osdMap = {
    epoch: 3,
    osds: [
      { osd: 0, up: 1 },
      { osd: "1", up: 1 },
    ],
    pools: "none",
  };
  assert.equal(
    checkShape("osd_map", osdMap, [
      "epoch:number",
      "osds[].osd:number",
      "osds[].in:number?",
      "pools[].pool:number",
      "fsid:string",
    ]),
    [
      "osd_map.osds[1].osd is a string, expected number",
      "osd_map.pools is a string, expected an array",
      "osd_map.fsid is missing (expected string)",
    ],
  );
  assert.equal(checkShape("osd_metadata", { "0": { hostname: "a" }, "1": {} }, ["{}.hostname:string"]), [
    "osd_metadata.1.hostname is missing (expected string)",
  ]);
  assert.equal(checkShape("x", { a: [] }, ["a[].b:number"]), [], "an empty list is a valid list");
  assert.ok(Object.keys(SHAPES).length >= 31, "every Pacific data name has a shape");
});

test('a sendCommand refused as unknown still completes with notify("command"), as every ceph-mgr completion does', async () => {
  // The host validates commands before the cluster sees them; a refusal is still a completion.
  dir = tempDir();
  d = await startTestDaemon(dir, selftestConfig());
  const { report } = await run(d);
  assert.ok(
    report.passed.includes(UNKNOWN_COMMAND_CHECK),
    JSON.stringify(report.failed.find((f) => f.check === UNKNOWN_COMMAND_CHECK)),
  );
});

test.run();
