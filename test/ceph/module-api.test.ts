// The cluster-reading part of issue 15's module API against a real single-node Ceph cluster:
// all perf counters and the latest values, commands to an OSD and a named mon (ENOENT for an OSD
// that does not exist), checkMonCommand's MonCommandFailed, Ceph options (the mgr's and another
// daemon's from the config db), and Pacific's answers for an unknown host and missing metadata.
// One cluster start; every wait is for a condition, with a deadline generous for a loaded machine.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ROOT, startTestDaemon, waitFor } from "../_util.ts";
import { brief, cephBackend, compareLive, MGR_GET, useCephLab } from "./_support.ts";

const DEADLINE = 60_000;
const test = suite("ceph module api");
const env = useCephLab(test, async (lab, dir) => {
  mkdirSync(join(dir, "modules"), { recursive: true });
  copyFileSync(join(ROOT, "test/fixtures/modules/cluster_api.ts"), join(dir, "modules/cluster_api.ts"));
  const d = await startTestDaemon(dir, {
    modulePath: join(dir, "modules"),
    cluster: cephBackend(lab),
    modules: { cluster_api: { enabled: true, allow: { commands: ["r", "osd:r", "mon:r"] } } },
  });
  await waitFor(() => d.modules().every((m) => m.state === "active"), "cluster_api to be active", DEADLINE);
  return d;
});

type Outcome = {
  value?: any;
  error?: { name: string; message: string; retval?: number; stdout?: string; stderr?: string };
};
async function call(fn: string, ...args: unknown[]): Promise<Outcome> {
  const r = await env.d.command(["ca", "call", fn, JSON.stringify(args)], { timeoutMs: DEADLINE });
  assert.is(r.retval, 0, brief(r.stderr));
  return JSON.parse(r.stdout) as Outcome;
}
async function value(fn: string, ...args: unknown[]): Promise<any> {
  const o = await call(fn, ...args);
  assert.is(o.error, undefined, JSON.stringify(o.error));
  return o.value;
}

test("getAllPerfCounters() has the OSD's and mon's counters in the real mgr's fields; getLatest() and getLatestAvg() read them", async () => {
  // the backend reads `perf schema`/`perf dump` every stats period: wait for the first
  const all = await waitFor(
    async () => {
      const v = await value("getAllPerfCounters");
      return v["osd.0"]?.["osd.op_w"] ? v : undefined;
    },
    "osd.0's counters",
    DEADLINE,
  );
  const real = JSON.parse(readFileSync(join(MGR_GET, "get_all_perf_counters.json"), "utf8"));
  for (const path of ["osd.op_w", "osd.op_r_latency"])
    assert.equal(Object.keys(all["osd.0"][path]), Object.keys(real["osd.0"][path]), path);
  assert.ok(
    Object.keys(all).some((k) => k.startsWith("mon.")),
    Object.keys(all).join(", "),
  );
  assert.type(await value("getLatest", "osd", "0", "osd.op_w"), "number");
  const avg = await value("getLatestAvg", "osd", "0", "osd.op_r_latency");
  assert.is(avg.length, 2);
  assert.ok(Object.keys(await value("getPerfSchema", "osd", "")).includes("osd.0"));
});

test("sendCommand() reaches osd.0 and a named mon; an OSD that does not exist is ENOENT, an unknown command EINVAL", async () => {
  const v = await value("sendCommand", { prefix: "version" }, "", { target: "osd.0" });
  assert.is(v.retval, 0, v.stderr);
  assert.is(JSON.parse(v.stdout).version, "16.2.15");
  const dump = await value("sendCommand", { prefix: "perf dump" }, "", { target: "osd.0", tag: "dump" });
  assert.is(dump.tag, "dump");
  assert.type(JSON.parse(dump.stdout).osd.op_w, "number");
  const missing = await value("sendCommand", { prefix: "version" }, "", { target: "osd.99" });
  assert.is(missing.retval, -2);
  const unknown = await value("sendCommand", { prefix: "osd pool ls" }, "", { target: "osd.0" });
  assert.is(unknown.retval, -22);
  const mon = (await value("get", "mon_map")).mons[0].name;
  const stat = await value("sendCommand", { prefix: "mon_status" }, "", { target: `mon.${mon}` });
  assert.is(stat.retval, 0, JSON.stringify(stat));
  assert.is(JSON.parse(stat.stdout).name, mon);
  const nomon = await value("sendCommand", { prefix: "version" }, "", { target: "mon.zz" });
  assert.is(nomon.retval, -2, nomon.stderr);
});

test("checkMonCommand() rejects with MonCommandFailed carrying the mon's retval and stderr", async () => {
  const ok = await value("checkMonCommand", { prefix: "osd pool ls", format: "json" });
  assert.is(ok.retval, 0);
  const failed = await call("checkMonCommand", { prefix: "osd pool get", pool: "nope", var: "size" });
  assert.is(failed.error?.name, "MonCommandFailed");
  assert.is(failed.error?.retval, -2);
  assert.match(failed.error!.stderr!, /nope/);
});

test("getCephOption() and getForeignCephOption() read the cluster's config, typed by Ceph's schema", async () => {
  const fsid = env.lab.ceph("fsid").trim();
  await waitFor(async () => (await call("getCephOption", "fsid")).value === fsid, "the mgr's fsid option", DEADLINE);
  assert.type(await value("getCephOption", "mgr_tick_period"), "number");
  env.lab.ceph("config", "set", "osd.0", "osd_max_backfills", "5");
  await waitFor(
    async () => (await call("getForeignCephOption", "osd.0", "osd_max_backfills")).value === 5,
    "osd.0's osd_max_backfills from the config db",
    DEADLINE,
  );
  env.lab.ceph("config", "set", "osd", "osd_recovery_sleep", "0.5");
  await waitFor(
    async () => (await call("getForeignCephOption", "osd.0", "osd_recovery_sleep")).value === 0.5,
    "the osd section's float for osd.0",
    DEADLINE,
  );
  assert.is((await call("getForeignCephOption", "osd.0", "no_such_option")).error?.name, "RangeError");
});

test("an unknown host and missing metadata answer as Pacific's", async () => {
  assert.equal(await value("getServer", "no-such-host"), { hostname: "no-such-host", services: [], ceph_version: "" });
  assert.equal(await value("getMetadata", "osd", "99", { none: "yes" }), { none: "yes" });
});

// issue 17: the manager's own commands in Ceph's spellings, side by side with the real mgr's
// answers on the same cluster: every key path of Ceph's answer is in ours with the same type
test("Ceph's spellings answer in the real mgr's shapes: mgr module ls, services, stat, dump, metadata, versions, health", async () => {
  const pairs: [string[], string[]][] = [
    [
      ["mgr", "module", "ls"],
      ["mgr", "module", "ls"],
    ],
    [
      ["mgr", "services"],
      ["mgr", "services"],
    ],
    [
      ["mgr", "stat"],
      ["mgr", "stat"],
    ],
    [
      ["mgr", "dump"],
      ["mgr", "dump"],
    ],
    [
      ["mgr", "metadata"],
      ["mgr", "metadata"],
    ],
    [
      ["health", "detail"],
      ["health", "detail"],
    ],
  ];
  const report: string[] = [];
  for (const [real, ours] of pairs) {
    const theirs = env.lab.ceph(...real, "-f", "json");
    const r = await env.d.command(ours, { format: "json" });
    assert.is(r.retval, 0, `${ours.join(" ")}: ${brief(r.stderr)}`);
    const cmp = compareLive(theirs, r.stdout);
    // paths only tsmgr has are allowed (tsmgr says more, e.g. per-module details); Ceph's must all be there
    const missing = cmp.mismatches.filter((m) => !m.includes("only ours"));
    report.push(`${real.join(" ")}: ${cmp.matched}/${cmp.total}`);
    assert.equal(missing, [], `${real.join(" ")}: ${brief(JSON.stringify(missing))}`);
  }
  // `mgr versions` is keyed by the version string: tsmgr's own, so compare the form, not the key
  const realVersions = JSON.parse(env.lab.ceph("mgr", "versions", "-f", "json")) as Record<string, unknown>;
  const ourVersions = JSON.parse((await env.d.command(["mgr", "versions"], { format: "json" })).stdout) as Record<
    string,
    unknown
  >;
  for (const v of [realVersions, ourVersions])
    assert.ok(
      Object.values(v).every((n) => Number.isInteger(n)),
      JSON.stringify(v),
    );
  assert.is(Object.keys(ourVersions)[0]!.includes("pacific"), true, JSON.stringify(ourVersions));
  console.log(`  Ceph's spellings against the real mgr: ${report.join("; ")}`);
});

test.run();
