// The ceph cluster backend against a real single-node Ceph cluster (2 memstore OSDs on loopback,
// started once for this file by scripts/ceph-dev-cluster.sh): the real mgr's shapes, versions and
// notifies, commands to the mon and the mgr, perf counters, the cluster log, a stopped mon, a
// killed helper. Without Ceph's packages `npm test` leaves this file out, saying so; run directly
// every test here fails, naming what to install. Every wait is for a condition, with a deadline
// generous enough for a loaded machine (2 busy cores): nothing here asserts on time.
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { CephBackendError, createCephCluster, type CephCluster } from "../../runtime/cluster/ceph/index.ts";
import { createSimCluster, type NotifyType } from "../../runtime/cluster/index.ts";
import { tempDir, waitFor } from "../_util.ts";
import { brief, compareLive, MGR_GET, reference, requireCeph, startDevCluster, type DevCluster } from "./_support.ts";

interface Seen {
  type: NotifyType;
  id: string | object;
}

const test = suite("ceph backend");
let lab: DevCluster | undefined;
let c: CephCluster | undefined;
let startError: Error | undefined;
const seen: Seen[] = [];

// lossMs well above a poll's answer time on a loaded machine, so the connection never drops by itself
const TIMING = { pollMs: 300, statsPeriodMs: 1000, commandTimeoutMs: 10_000, lossMs: 5000 };
/** How long any awaited condition may take on a loaded machine before the test fails. */
const DEADLINE = 60_000;

// uvu swallows an error thrown by a before hook: keep it, and let every test fail with it
test.before(async () => {
  try {
    lab = await startDevCluster(2);
    c = createCephCluster({ conf: lab.conf, keyring: lab.keyring, name: "client.admin" }, TIMING);
    c.subscribe((type, id) => seen.push({ type, id }));
    await c.start();
  } catch (e) {
    startError = e as Error;
  }
});

test.after(async () => {
  await c?.stop();
  await lab?.purge();
});

const live = (): CephCluster => {
  if (startError) throw startError;
  return c!;
};
const labDir = (): DevCluster => {
  live();
  return lab!;
};
const json = <T = any>(name: string): T => JSON.parse(live().getJson(name)!) as T;

/** Resolves with the first notification of `type` (matching `pred`) that arrives after now. */
function nextNotify(
  type: NotifyType,
  pred: (id: string | object) => boolean = () => true,
  timeoutMs = DEADLINE,
): Promise<Seen> {
  const from = seen.length;
  return waitFor(() => seen.slice(from).find((n) => n.type === type && pred(n.id)), `a ${type} notify`, timeoutMs);
}

test("start() attaches and serves the simulator's data names", async () => {
  assert.equal([...live().dataNames()].sort(), [...createSimCluster({ tickMs: 0 }).dataNames()].sort());
  await waitFor(() => live().haveMonConnection(), "haveMonConnection()", DEADLINE);
  assert.is(live().backend, "ceph");
});

test("every get() answer has the real mgr's key paths and types", () => {
  const report: string[] = [];
  let compared = 0;
  for (const name of live().dataNames()) {
    const ref = reference(name);
    if (!ref) continue;
    compared += 1;
    const r = compareLive(ref, live().getJson(name)!);
    // pg_status carries unknown/inactive/degraded/misplaced ratios only while such PGs exist, in
    // the real mgr as here: a young cluster still peering has them, the fixture's did not.
    const mismatches = r.mismatches.filter(
      (m) =>
        !/^\$\.\w+_pgs_ratio: only ours has it/.test(m) &&
        !/^\$\.(degraded|misplaced|unknown|inactive)_\w+: only ours has it/.test(m),
    );
    if (mismatches.length) report.push(`${name}: ${mismatches.slice(0, 5).join("; ")}`);
  }
  assert.ok(compared >= 30, `${compared} names compared`);
  assert.ok(report.length === 0, brief(report.join("\n")));
  // the mgr's quirks, as they are: JSON strings inside health and mon_status, floats as floats
  assert.type(json<{ json: string }>("health").json, "string");
  assert.is(JSON.parse(json<{ json: string }>("mon_status").json).name, "a");
  assert.match(live().getJson("osd_map")!, /"weight":1\.0/);
  assert.is(live().getJson("osdmap_crush_map_text"), `""`);
  assert.ok(!("quorum" in json("mon_map")), "mon_map carries no quorum (that is mon_status)");
  assert.is(json<{ name: string }>("config").name, "client.admin");
});

test("64-bit feature masks keep every digit", () => {
  const text = live().getJson("osd_map")!;
  const mask = /"features":(\d{16,})/.exec(text);
  assert.ok(mask, "osd_map has an OSD's 64-bit features");
  const fromMon = execFileSync("ceph", ["-c", labDir().conf, "osd", "dump", "-f", "json"], { encoding: "utf8" });
  assert.ok(fromMon.includes(mask![0]), `${mask![0]} is not in the mon's own dump`);
});

test("getJson() is the same string while version() holds; a new pgmap bumps the pgmap names and notifies pg_summary", async () => {
  const v = live().version("pg_dump");
  assert.ok(live().getJson("pg_dump") === live().getJson("pg_dump"));
  assert.is(live().version("osd_map"), live().version("osd_map"));
  assert.is(live().version("no_such_thing"), undefined);
  assert.is(live().getJson("no_such_thing"), undefined);
  await nextNotify("pg_summary");
  await waitFor(() => live().version("pg_dump") !== v, "pg_dump's version to move", DEADLINE);
  assert.is(json<{ version: number }>("pg_dump").version, live().epochs().pgmap);
});

test("sendCommand() reaches the mon and the mgr and returns Ceph's results and errors as they are", async () => {
  const ls = await live().sendCommand({ prefix: "osd pool ls", format: "json" }, "");
  assert.equal(ls, { retval: 0, stdout: JSON.stringify(["device_health_metrics", "rbdpool"]), stderr: "" });
  // a mgr command (flag 8): the mgr answers it, in plain text without a format
  const stat = await live().sendCommand({ prefix: "pg stat" }, "");
  assert.is(stat.retval, 0, stat.stderr);
  assert.match(stat.stdout, /\d+ pgs: .*active\+clean/);
  assert.equal(await live().sendCommand({ prefix: "osd pool get", pool: "nope", var: "size" }, ""), {
    retval: -2,
    stdout: "",
    stderr: "unrecognized pool 'nope'",
  });
  const unknown = await live().sendCommand({ prefix: "no such command" }, "");
  assert.is(unknown.retval, -22);
  // inbuf goes through: `config-key set` takes its value from it
  assert.is((await live().sendCommand({ prefix: "config-key set", key: "tsmgr/test" }, "from inbuf")).retval, 0);
  assert.is((await live().sendCommand({ prefix: "config-key get", key: "tsmgr/test" }, "")).stdout, "from inbuf");
  await live().sendCommand({ prefix: "config-key rm", key: "tsmgr/test" }, "");
});

test("osd out 0 shows in the next osd_map (with an osd_map notify) and in `ceph osd tree`", async () => {
  const before = json<{ epoch: number }>("osd_map").epoch;
  const notified = nextNotify("osd_map");
  const r = await live().sendCommand({ prefix: "osd out", ids: ["0"] }, "");
  assert.is(r.retval, 0, r.stderr);
  await notified;
  const map = json<{ epoch: number; osds: { osd: number; in: number; weight: number }[] }>("osd_map");
  assert.ok(map.epoch > before);
  assert.is(map.osds.find((o) => o.osd === 0)!.in, 0);
  const tree = JSON.parse(labDir().ceph("osd", "tree", "-f", "json")) as { nodes: { id: number; reweight: number }[] };
  assert.is(tree.nodes.find((n) => n.id === 0)!.reweight, 0);
  const ours = json<{ nodes: { id: number; reweight: number }[] }>("osd_map_tree");
  assert.is(ours.nodes.find((n) => n.id === 0)!.reweight, 0);
  assert.is((await live().sendCommand({ prefix: "osd in", ids: ["0"] }, "")).retval, 0);
  await waitFor(
    () => json<{ osds: { osd: number; in: number }[] }>("osd_map").osds.find((o) => o.osd === 0)!.in === 1,
    "osd.0 back in",
    DEADLINE,
  );
});

test("metadata, servers, daemon status and perf counters of the real daemons", async () => {
  assert.is(live().getMetadata("osd", "0")!.osd_objectstore, "memstore");
  assert.is(Object.keys(live().getMetadata("mon", "a")!)[0], "hostname");
  assert.ok(live().getMetadata("mgr", "x"));
  assert.is(live().getMetadata("osd", "99"), null);
  assert.equal(live().getDaemonStatus("osd", "0"), {});
  assert.is(live().getDaemonStatus("osd", "99"), null);
  const servers = live().listServers() as { hostname: string; services: { type: string; id: string }[] }[];
  const services = servers.flatMap((s) => s.services.map((d) => `${d.type}.${d.id}`)).sort();
  assert.equal(services, ["mgr.x", "mon.a", "osd.0", "osd.1"]);
  assert.equal(live().getServer(servers[0]!.hostname), servers[0]);
  assert.equal(live().getServer("no-such-host"), { hostname: "no-such-host", services: [], ceph_version: "" });
  await waitFor(
    () => live().getCounter("osd", "0", "osd.op_w")["osd.op_w"]!.length >= 2,
    "two perf samples of osd.0",
    DEADLINE,
  );
  const schema = live().getPerfSchema("osd", "0") as Record<
    string,
    Record<string, { type: number; priority: number; units: number }>
  >;
  // the real mgr's schema of osd.0, entry for entry (fields, their order, nick only where given)
  const ref = JSON.parse(readFileSync(join(MGR_GET, "get_perf_schema.osd.0.json"), "utf8"))["osd.0"] as Record<
    string,
    unknown
  >;
  const common = Object.keys(ref).filter((k) => k in schema["osd.0"]!);
  assert.ok(common.length >= 30, `${common.length} counters in common with the real mgr's schema`);
  for (const k of common) assert.equal(JSON.stringify(schema["osd.0"]![k]), JSON.stringify(ref[k]), k);
  const lat = live().getLatestCounter("osd", "0", "osd.op_r_latency")["osd.op_r_latency"]!;
  assert.is(lat.length, 3, "an average is [t, sum, count]");
  assert.equal(live().getCounter("osd", "0", "no.such"), { "no.such": [] });
  assert.equal(live().getLatestCounter("osd", "99", "osd.op_w"), { "osd.op_w": [] });
  assert.equal(live().getPerfSchema("osd", "99"), {});
  assert.ok(seen.some((n) => n.type === "perf_schema_update" && n.id === "osd.1"));
});

test("the cluster log reaches subscribers as clog notifies carrying the LogEntry", async () => {
  live(); // before the wait below starts: without a cluster it would time out after the test
  const text = `tsmgr clog test ${Date.now()}`;
  const got = nextNotify("clog", (id) => (id as { message?: string }).message === text);
  assert.is((await live().sendCommand({ prefix: "log", logtext: [text] }, "")).retval, 0);
  const entry = (await got).id as Record<string, unknown>;
  assert.equal(Object.keys(entry), ["addrs", "seq", "channel", "message", "name", "rank", "stamp", "priority"]);
  assert.is(entry.channel, "cluster");
  assert.is(entry.priority, "[INF]");
  assert.match(String(entry.stamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
  assert.ok(Object.isFrozen(entry));
});

test("a stopped mon: haveMonConnection() goes false, the last maps stay served, and it recovers by itself", async () => {
  const osdMap = live().getJson("osd_map");
  await labDir().stop("mon.a");
  await waitFor(() => !live().haveMonConnection(), "haveMonConnection() to go false", DEADLINE);
  assert.is(live().getJson("osd_map"), osdMap);
  const r = await live().sendCommand({ prefix: "osd pool ls", format: "json" }, "");
  assert.is(r.retval, -110, `a command to a stopped mon times out: ${brief(JSON.stringify(r))}`);
  await labDir().up();
  await waitFor(() => live().haveMonConnection(), "haveMonConnection() to come back", DEADLINE);
  // and the maps move again
  const notified = nextNotify("osd_map");
  assert.is((await live().sendCommand({ prefix: "osd set", key: "noout" }, "")).retval, 0);
  await notified;
  assert.ok(json<{ flags_set: string[] }>("osd_map").flags_set.includes("noout"));
  assert.is((await live().sendCommand({ prefix: "osd unset", key: "noout" }, "")).retval, 0);
});

test("a killed librados helper is replaced and the backend carries on", async () => {
  const pid = live().helperPid!;
  process.kill(pid, "SIGKILL");
  // the gap without a helper can be shorter than a poll, so only its end is waited for
  await waitFor(
    () => live().helperPid !== undefined && live().helperPid !== pid && live().haveMonConnection(),
    "a new helper",
    DEADLINE,
  );
  assert.is((await live().sendCommand({ prefix: "osd pool ls", format: "json" }, "")).retval, 0);
});

test("without python3-rados, start() fails with ENOPKG naming the package", async () => {
  requireCeph();
  const dir = tempDir();
  try {
    // -S leaves dist-packages (and so Debian's rados) off sys.path: the binding is "not installed"
    const fake = join(dir, "python3");
    writeFileSync(fake, `#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n`);
    chmodSync(fake, 0o755);
    for (const python of [fake, join(dir, "no-python3")]) {
      const b = createCephCluster(
        { conf: labDir().conf, keyring: labDir().keyring, name: "client.admin" },
        { ...TIMING, python },
      );
      const e = await b.start().then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.instance(e, CephBackendError);
      assert.is((e as CephBackendError).code, "ENOPKG");
      assert.match((e as Error).message, /python3-rados/);
      assert.is(b.helperPid, undefined);
    }
  } finally {
    execFileSync("rm", ["-rf", dir]);
  }
});

test("wrong credentials or conf fail start() with ECONNECT saying which field to check", async () => {
  const dir = tempDir();
  try {
    const keyring = join(dir, "bad.keyring");
    execFileSync("ceph-authtool", ["--create-keyring", keyring, "--gen-key", "-n", "client.admin"], {
      stdio: "ignore",
    });
    const cases: [string, string, RegExp][] = [
      [labDir().conf, keyring, /cluster\.ceph\.keyring/],
      [join(dir, "nope.conf"), "", /cluster\.ceph\.conf/],
    ];
    for (const [conf, kr, why] of cases) {
      const b = createCephCluster({ conf, keyring: kr, name: "client.admin" }, { ...TIMING, connectTimeoutMs: 10_000 });
      const e = await b.start().then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.instance(e, CephBackendError);
      assert.is((e as CephBackendError).code, "ECONNECT");
      assert.match((e as Error).message, why);
    }
  } finally {
    execFileSync("rm", ["-rf", dir]);
  }
});

test.run();
