// The rest of ceph-mgr's module API that reads the cluster (issue 15 items 3-6, 8, 11), through a
// real daemon on the simulated cluster: perf counters, commands to daemons with target grants and
// tags, checkMonCommand, Ceph options, what a standby reads, and Pacific's answers for missing data.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

let dir = "";
const daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons.splice(0)) await d.stop();
  cleanup(dir);
});

async function daemon(grants: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<TestDaemon> {
  dir ||= tempDir();
  mkdirSync(join(dir, "modules"), { recursive: true });
  copyFileSync(join(ROOT, "test/fixtures/modules/cluster_api.ts"), join(dir, "modules/cluster_api.ts"));
  const d = await startTestDaemon(dir, { modules: { cluster_api: { enabled: true, ...grants } }, ...extra });
  daemons.push(d);
  return d;
}

type Outcome = {
  value?: any;
  error?: { name: string; message: string; retval?: number; stdout?: string; stderr?: string };
};
async function call(d: TestDaemon, fn: string, ...args: unknown[]): Promise<Outcome> {
  const r = await d.command(["ca", "call", fn, JSON.stringify(args)]);
  assert.is(r.retval, 0, r.stderr);
  return JSON.parse(r.stdout) as Outcome;
}
const value = async (d: TestDaemon, fn: string, ...args: unknown[]) => {
  const o = await call(d, fn, ...args);
  assert.is(o.error, undefined, JSON.stringify(o.error));
  return o.value;
};
const errorName = async (d: TestDaemon, fn: string, ...args: unknown[]) => (await call(d, fn, ...args)).error?.name;

// ---- perf counters -------------------------------------------------------------------------

test("getAllPerfCounters() answers in Pacific's shape, filtered by priority and service type, and its counters move with the load", async () => {
  const d = await daemon();
  await d.command(["sim", "tick", "3"]);
  const all = await value(d, "getAllPerfCounters");
  assert.ok(
    ["mon.a", "osd.0", "osd.1", "osd.2", "osd.3"].every((k) => k in all),
    Object.keys(all).join(", "),
  );
  assert.ok(
    Object.keys(all).every((k) => /^(mon|osd)\./.test(k)),
    "no mgr: it is not in the default service types",
  );
  const w = all["osd.0"]["osd.op_w"];
  // the real mgr's answer (shared/fixtures/ceph-16.2.15) has the same fields, in the same order
  const real = JSON.parse(
    readFileSync(join(ROOT, "runtime/cluster/fixtures/mgr-get/get_all_perf_counters.json"), "utf8"),
  );
  for (const path of ["osd.op_w", "osd.op_r_latency", "osd.numpg"])
    assert.equal(Object.keys(all["osd.0"][path]), Object.keys(real["osd.0"][path]), path);
  assert.type(w.value, "number");
  assert.ok(
    Object.values(all["osd.0"]).every((c: any) => c.priority >= 5),
    "PRIO_USEFUL and above by default",
  );
  const avg = Object.values(all["osd.0"]).find((c: any) => c.type & 4) as any;
  assert.type(avg.count, "number", "averages carry their count");

  const critical = await value(d, "getAllPerfCounters", 10, ["osd"]);
  assert.ok(Object.keys(critical).every((k) => k.startsWith("osd.")));
  assert.ok(Object.values(critical["osd.0"]).every((c: any) => c.priority >= 10));

  const before = await value(d, "getLatest", "osd", "0", "osd.op_w");
  await d.command(["sim", "tick", "2"]);
  const after = await value(d, "getLatest", "osd", 0, "osd.op_w");
  assert.ok(after > before, `osd.op_w grows with the load: ${before} → ${after}`);
});

test("getLatest() and getLatestAvg() answer a number and [sum, count], 0 and [0, 0] when there is no data", async () => {
  const d = await daemon();
  await d.command(["sim", "tick", "2"]);
  const [sum, count] = await value(d, "getLatestAvg", "osd", "0", "osd.op_r_latency");
  assert.ok(sum > 0 && count > 0, `${sum}/${count}`);
  assert.is(await value(d, "getLatest", "osd", "99", "osd.op_w"), 0);
  assert.equal(await value(d, "getLatestAvg", "osd", "0", "no.such_counter"), [0, 0]);
  assert.is(await errorName(d, "getLatest", 7, "0", "osd.op_w"), "TypeError");
  assert.is(await errorName(d, "getLatestAvg", "osd", "0", null), "TypeError");
});

test("getAllPerfCounters() refuses a priority that is not 0..10 (RangeError) or not a number, and services that are not strings (TypeError)", async () => {
  const d = await daemon();
  assert.is(await errorName(d, "getAllPerfCounters", 11), "RangeError");
  assert.is(await errorName(d, "getAllPerfCounters", 2.5), "RangeError");
  assert.is(await errorName(d, "getAllPerfCounters", "5"), "TypeError");
  assert.is(await errorName(d, "getAllPerfCounters", 5, "osd"), "TypeError");
  assert.is(await errorName(d, "getAllPerfCounters", 5, [1]), "TypeError");
});

test("getPerfSchema() takes Ceph's wildcards: an empty id is every daemon of the type, an empty type every daemon", async () => {
  const d = await daemon();
  const one = await value(d, "getPerfSchema", "osd", "0");
  assert.equal(Object.keys(one), ["osd.0"]);
  const osds = await value(d, "getPerfSchema", "osd", "");
  assert.equal(Object.keys(osds).sort(), ["osd.0", "osd.1", "osd.2", "osd.3"]);
  const every = await value(d, "getPerfSchema", "", "");
  assert.ok("mon.a" in every && "osd.3" in every, Object.keys(every).join(", "));
});

test("the SDK exports Ceph's PRIO_* and PERFCOUNTER_* values, also as MgrModule statics", async () => {
  const d = await daemon();
  const r = await d.command(["ca", "consts"]);
  assert.equal(JSON.parse(r.stdout), { PRIO_CRITICAL: 10, PRIO_USEFUL: 5, PERFCOUNTER_LONGRUNAVG: 4, static: 8 });
});

// ---- commands to daemons --------------------------------------------------------------------

test("sendCommand() to an OSD is answered in a real OSD's shapes when the grant names the target", async () => {
  const d = await daemon({ allow: { commands: ["osd:r", "osd.1:config get"] } });
  const opts = { target: "osd.0" };
  const version = await value(d, "sendCommand", { prefix: "version" }, "", opts);
  assert.is(version.retval, 0);
  assert.equal(JSON.parse(version.stdout), { version: "16.2.15", release: "pacific", release_type: "stable" });
  assert.type(version.tag, "string");
  const dump = JSON.parse((await value(d, "sendCommand", { prefix: "perf dump" }, "", opts)).stdout);
  assert.type(dump.osd.op_w, "number");
  assert.equal(Object.keys(dump.osd.op_r_latency), ["avgcount", "sum", "avgtime"]);
  const schema = JSON.parse((await value(d, "sendCommand", { prefix: "perf schema" }, "", opts)).stdout);
  assert.is(schema.osd.op_w.metric_type, "counter");
  assert.equal(JSON.parse((await value(d, "sendCommand", { prefix: "dump_ops_in_flight" }, "", opts)).stdout), {
    ops: [],
    num_ops: 0,
  });
  const status = JSON.parse((await value(d, "sendCommand", { prefix: "status" }, "", opts)).stdout);
  assert.is(status.whoami, 0);
  assert.is(status.state, "active");
  const show = JSON.parse((await value(d, "sendCommand", { prefix: "config show" }, "", opts)).stdout);
  assert.type(show.osd_max_backfills, "string");
  const get = await value(d, "sendCommand", { prefix: "config get", var: "osd_max_backfills" }, "", {
    target: "osd.1",
  });
  assert.equal(JSON.parse(get.stdout), { osd_max_backfills: show.osd_max_backfills });
});

test("sendCommand() to a target answers ENOENT for a daemon that does not exist and EINVAL for a command its descriptors do not know", async () => {
  const d = await daemon({ allow: { commands: ["osd:*", "mon:*", "mds:*"] } });
  const missing = await value(d, "sendCommand", { prefix: "version" }, "", { target: "osd.99" });
  assert.is(missing.retval, -2);
  const mon = await value(d, "sendCommand", { prefix: "mon_status" }, "", { target: "mon.zz" });
  assert.equal(mon, {
    retval: -2,
    stdout: "",
    stderr: "problem getting command descriptions from mon.zz",
    tag: mon.tag,
  });
  const mds = await value(d, "sendCommand", { prefix: "version" }, "", { target: "mds.nope" });
  assert.is(mds.retval, -2);
  const unknown = await value(d, "sendCommand", { prefix: "osd pool ls" }, "", { target: "osd.0" });
  assert.is(unknown.retval, -22);
  assert.is(unknown.stderr, "command not known to osd.0");
  const badArg = await value(d, "sendCommand", { prefix: "config get" }, "", { target: "osd.0" });
  assert.is(badArg.retval, -22);
  // a named mon answers its own admin commands (`tell mon.a`), not the mon command table
  const monOk = await value(d, "sendCommand", { prefix: "mon_status" }, "", { target: "mon.a" });
  assert.is(monOk.retval, 0, monOk.stderr);
  assert.is(JSON.parse(monOk.stdout).name, "a");
  assert.is((await value(d, "sendCommand", { prefix: "mon stat" }, "", { target: "mon.a" })).retval, -22);
});

test("target grants: an osd grant does not cover a mon, an osd.ID grant only that OSD, 'r' no write, and the refusal names the grant to add", async () => {
  const d = await daemon({ allow: { commands: ["osd.0:r", "osd pool ls"] } });
  const denied = await call(d, "sendCommand", { prefix: "version" }, "", { target: "osd.1" });
  assert.is(denied.error?.name, "PermissionDenied");
  assert.is(
    denied.error?.message,
    'module "cluster_api" requires permission to send "version" (perm r) to osd.1: grant it in mgr.json at modules.cluster_api.allow.commands (e.g. ["osd:version"])',
  );
  assert.is(
    await errorName(d, "sendCommand", { prefix: "config set", var: "debug_osd", val: ["1"] }, "", { target: "osd.0" }),
    "PermissionDenied",
  );
  assert.is(await errorName(d, "sendCommand", { prefix: "mon_status" }, "", { target: "mon.a" }), "PermissionDenied");
  assert.is((await value(d, "sendCommand", { prefix: "version" }, "", { target: "osd.0" })).retval, 0);
  // an entry without a colon still covers the mon cluster, with or without options
  assert.is((await value(d, "sendCommand", { prefix: "osd pool ls" }, "", { tag: "mine" })).retval, 0);
});

test("sendCommand() refuses a malformed target (RangeError) and options of the wrong type (TypeError)", async () => {
  const d = await daemon({ allow: { commands: ["*"] } });
  for (const target of ["osd", "osd.x", "rgw.a", "mgr.x", "osd.0;rm"]) {
    assert.is(await errorName(d, "sendCommand", { prefix: "version" }, "", { target }), "RangeError", target);
  }
  assert.is(await errorName(d, "sendCommand", { prefix: "version" }, "", { target: 0 }), "TypeError");
  assert.is(await errorName(d, "sendCommand", { prefix: "version" }, "", { target: "osd.0", tag: 5 }), "TypeError");
  assert.is(await errorName(d, "sendCommand", { prefix: "version" }, "", "osd.0"), "TypeError");
});

test("the result carries the tag notify('command') delivers: the daemon's, or the caller's own", async () => {
  const d = await daemon({ allow: { commands: ["osd:r", "osd pool ls"] } });
  const own = await value(d, "sendCommand", { prefix: "version" }, "", { target: "osd.0", tag: "my-tag" });
  assert.is(own.tag, "my-tag");
  const made = await value(d, "sendCommand", { prefix: "osd pool ls" });
  assert.match(made.tag, /^cluster_api\.\d+$/);
  await waitFor(async () => {
    const tags = JSON.parse((await d.command(["ca", "notifies"])).stdout) as string[];
    return tags.includes("my-tag") && tags.includes(made.tag);
  }, "notify('command') with both tags");
});

// ---- checkMonCommand ----------------------------------------------------------------------

test("checkMonCommand() resolves to the result, or rejects with MonCommandFailed carrying retval, stdout and stderr", async () => {
  const d = await daemon({ allow: { commands: ["osd pool ls", "osd pool get"] } });
  const ok = await value(d, "checkMonCommand", { prefix: "osd pool ls", format: "json" });
  assert.is(ok.retval, 0);
  assert.ok(Array.isArray(JSON.parse(ok.stdout)));
  const failed = await call(d, "checkMonCommand", { prefix: "osd pool get", pool: "nope", var: "size" });
  assert.is(failed.error?.name, "MonCommandFailed");
  assert.is(failed.error?.retval, -2);
  assert.is(failed.error?.stdout, "");
  assert.is(failed.error?.stderr, "unrecognized pool 'nope'");
  assert.is(failed.error?.message, "osd pool get failed: unrecognized pool 'nope' retval: -2");
  assert.is(await errorName(d, "checkMonCommand", "osd pool ls"), "TypeError");
  assert.is(
    await errorName(d, "checkMonCommand", { prefix: "osd pool create", pool: "p", pg_num: 8 }),
    "PermissionDenied",
  );
});

// ---- Ceph options ----------------------------------------------------------------------------

test("getCephOption() is typed by Ceph's schema and follows the config db; unknown names are a RangeError", async () => {
  const d = await daemon({ allow: { commands: ["config set"] } });
  assert.is(await value(d, "getCephOption", "mgr_tick_period"), 2);
  assert.type(await value(d, "getCephOption", "fsid"), "string");
  assert.type(await value(d, "getCephOption", "mon_allow_pool_delete"), "boolean");
  assert.type(await value(d, "getCephOption", "osd_max_backfills"), "number");
  const set = await d.command(["config", "set", "mgr", "mgr_tick_period", "5"]);
  if (set.retval !== 0)
    await value(d, "sendCommand", { prefix: "config set", who: "mgr", name: "mgr_tick_period", value: "5" });
  await waitFor(async () => (await value(d, "getCephOption", "mgr_tick_period")) === 5, "the new value");
  assert.is(await errorName(d, "getCephOption", "no_such_option"), "RangeError");
  assert.is(await errorName(d, "getCephOption", 5), "TypeError");
});

test("getForeignCephOption() gives what the config db gives that daemon: its section, its type's, global, then the default", async () => {
  const d = await daemon({ allow: { commands: ["config set"] } });
  assert.type(await value(d, "getForeignCephOption", "osd.0", "osd_max_backfills"), "number");
  assert.is(await value(d, "getForeignCephOption", "client.admin", "ms_type"), "async+posix");
  const set = (who: string, v: string) =>
    value(d, "sendCommand", { prefix: "config set", who, name: "osd_max_backfills", value: v });
  await set("osd", "3");
  await set("osd.1", "7");
  assert.is(await value(d, "getForeignCephOption", "osd.0", "osd_max_backfills"), 3);
  assert.is(await value(d, "getForeignCephOption", "osd.1", "osd_max_backfills"), 7);
  assert.type(await value(d, "getForeignCephOption", "mon.a", "mon_allow_pool_delete"), "boolean");
  assert.is(await errorName(d, "getForeignCephOption", "osd.0", "nope"), "RangeError");
  assert.is(await errorName(d, "getForeignCephOption", "bogus.0", "osd_max_backfills"), "RangeError");
  assert.is(await errorName(d, "getForeignCephOption", "osd.0"), "TypeError");
});

// ---- small ones -------------------------------------------------------------------------------

test("getServer() of an unknown host and get() of an unknown name answer as Pacific; getMetadata() takes a default", async () => {
  const d = await daemon();
  assert.equal(await value(d, "getServer", "no-such-host"), {
    hostname: "no-such-host",
    services: [],
    ceph_version: "",
  });
  assert.is(await value(d, "get", "no_such_thing"), null);
  assert.is(await value(d, "getMetadata", "osd", "99"), null);
  assert.equal(await value(d, "getMetadata", "osd", "99", { hostname: "?" }), { hostname: "?" });
  assert.type((await value(d, "getMetadata", "osd", "0", { hostname: "?" })).ceph_version, "string");
});

test("every new function is refused from the constructor (the circular-locking rule)", async () => {
  const d = await daemon({ allow: { commands: ["*"] } });
  const r = await waitFor(async () => {
    const seen = JSON.parse((await d.command(["ca", "constructed"])).stdout);
    return seen.sendCommandToOsd && seen.checkMonCommand ? seen : undefined;
  }, "the constructor's async calls to settle");
  const shown: Record<string, string> = {
    getLatest: "getLatestCounter",
    getLatestAvg: "getLatestCounter",
    sendCommandToOsd: "sendCommand",
    checkMonCommand: "sendCommand",
  };
  for (const [name, outcome] of Object.entries(r) as [string, Outcome][]) {
    assert.ok(outcome.error, `${name} answered ${JSON.stringify(outcome)}`);
    assert.match(
      outcome.error.message,
      `${shown[name] ?? name}() called from the constructor of module cluster_api`,
      name,
    );
  }
});

test("a standby reads get('mgr_ips'), getMgrIp() and getCephOption(), and nothing else of this surface", async () => {
  await daemon();
  const standby = await daemon({}, { id: "s" });
  assert.is(standby.isActive(), false);
  const line = await waitFor(
    () => standby.logs.find((l) => l.module === "cluster_api" && l.msg.startsWith("STANDBY ")),
    "the standby's report",
  );
  const rep = JSON.parse(line.msg.slice("STANDBY ".length));
  assert.ok(Array.isArray(rep.mgrIps.value.ips), JSON.stringify(rep.mgrIps));
  assert.type(rep.mgrIp.value, "string");
  assert.type(rep.fsid.value, "string");
  assert.is(rep.tick.value, 2);
  for (const k of ["osdMap", "foreign", "allPerf", "tell"]) {
    assert.is(rep[k].error?.name, "PermissionDenied", k);
    assert.match(
      rep[k].error.message,
      /not available on a standby daemon: (a standby reads only get\("mgr_ips"\); )?MgrStandbyModule offers only /,
      k,
    );
  }
});

test.run();
