// A tsmgr daemon attached to a real single-node Ceph cluster (`cluster.backend: "ceph"`), seen from
// modules: the shipped selftest passes, a module's get() has the real mgr's shapes, a module that
// sends `osd out 0` sees it in its next osd_map (and `ceph osd tree` agrees), grants still decide
// what may be sent, a stopped mon is survived, and a missing python3-rados stops the daemon with 2.
// Every wait is for a condition, with a deadline generous enough for a loaded machine.
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cleanup, cli, ROOT, startTestDaemon, tempDir, waitFor, writeConfig, type TestDaemon } from "../_util.ts";
import { brief, cephBackend, compareLive, reference, requireCeph, useCephLab, type DevCluster } from "./_support.ts";

/** How long any awaited condition may take on a loaded machine (2 busy cores) before the test fails. */
const DEADLINE = 60_000;

const test = suite("ceph daemon");
/** selftest with the grants the shipped mgr.json gives it. */
const SELFTEST = JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")).modules.selftest as Record<string, unknown>;

const env = useCephLab(test, async (lab, dir) => {
  const modules = join(dir, "modules");
  mkdirSync(modules, { recursive: true });
  cpSync(join(ROOT, "modules", "selftest"), join(modules, "selftest"), { recursive: true });
  cpSync(join(ROOT, "test", "ceph", "modules", "cephprobe"), join(modules, "cephprobe"), { recursive: true });
  const d = await startTestDaemon(dir, {
    modulePath: modules,
    cluster: cephBackend(lab),
    modules: {
      selftest: { ...SELFTEST, enabled: true },
      cephprobe: { enabled: true, allow: { commands: ["r", "osd out", "osd in"] } },
    },
  });
  if (d.cluster.backend !== "ceph")
    throw new Error(`the daemon runs the "${d.cluster.backend}" backend for cluster.backend "ceph"`);
  await waitFor(
    () => d.modules().every((m) => m.state === "active"),
    "selftest and cephprobe to be active",
    2 * DEADLINE,
  );
  return d;
});
const daemon = (): TestDaemon => env.d;

async function probe<T = any>(...words: string[]): Promise<T> {
  // above cephprobe's own 30 s wait for a notify
  const r = await daemon().command(["cephprobe", ...words], { timeoutMs: DEADLINE });
  assert.is(r.retval, 0, `cephprobe ${words.join(" ")}: ${brief(r.stderr)}`);
  return JSON.parse(r.stdout) as T;
}

test("selftest run passes against the real cluster", async () => {
  const r = await daemon().command(["selftest", "run"], { timeoutMs: 3 * DEADLINE });
  let report: { ok: boolean; passed: string[]; failed: unknown[]; skipped: unknown[]; notes: string[] };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(
      `selftest run printed no JSON report: retval ${r.retval}, stderr ${brief(r.stderr)}, stdout ${brief(r.stdout)}`,
    );
  }
  assert.ok(
    report.failed.length === 0,
    `${report.failed.length} checks failed: ${brief(JSON.stringify(report.failed, null, 1))}`,
  );
  assert.ok(report.ok);
  assert.is(r.retval, 0);
  assert.ok(report.passed.length >= 40, `${report.passed.length} checks passed`);
});

test("a module's get() has the real mgr's shapes (the names an operator's check compares)", async () => {
  const bad: string[] = [];
  for (const name of [
    "osd_map",
    "osd_map_tree",
    "osd_metadata",
    "mon_map",
    "fs_map",
    "df",
    "pg_summary",
    "health",
    "osd_stats",
    "pg_dump",
    "mgr_map",
  ]) {
    const r = await daemon().command(["cephprobe", "get", name], { timeoutMs: DEADLINE });
    assert.is(r.retval, 0, brief(r.stderr));
    // through the isolate and back as JSON a whole float is written 1, not 1.0: compare numbers as numbers
    const report = compareLive(reference(name)!.replace(/(":\s*-?\d+)\.0(?=[,}\]\s])/g, "$1"), r.stdout);
    if (report.mismatches.length) bad.push(`${name}: ${report.mismatches.slice(0, 5).join("; ")}`);
  }
  assert.ok(bad.length === 0, brief(bad.join("\n")));
});

test("a module that sends `osd out 0` sees it in its next osd_map, and `ceph osd tree` agrees", async () => {
  const r = await probe<{
    r: { retval: number; stderr: string };
    before: number;
    notified: boolean;
    epoch: number;
    in: number;
  }>("out", "0");
  assert.is(r.r.retval, 0, brief(r.r.stderr));
  assert.ok(r.notified, "notify('osd_map') reached the module");
  assert.ok(r.epoch > r.before, `epoch ${r.before} → ${r.epoch}`);
  assert.is(r.in, 0);
  const tree = JSON.parse(env.lab.ceph("osd", "tree", "-f", "json")) as { nodes: { id: number; reweight: number }[] };
  assert.is(tree.nodes.find((n) => n.id === 0)!.reweight, 0);
  const back = await probe<{ retval: number; stderr: string }>(
    "send",
    JSON.stringify({ prefix: "osd in", ids: ["0"] }),
  );
  assert.is(back.retval, 0, brief(back.stderr));
});

test("grants still decide what a module may send; Ceph's errors come back as they are", async () => {
  const denied = await probe<{ error: string; message: string }>(
    "send",
    JSON.stringify({ prefix: "osd set", key: "noout" }),
  );
  assert.is(denied.error, "PermissionDenied");
  assert.match(denied.message, /modules\.cephprobe\.allow\.commands/);
  // the result also carries the tag its notify("command") delivers
  const missing = await probe("send", JSON.stringify({ prefix: "osd pool get", pool: "nope", var: "size" }));
  assert.equal(missing, { retval: -2, stdout: "", stderr: "unrecognized pool 'nope'", tag: missing.tag });
  const ls = await probe("send", JSON.stringify({ prefix: "osd pool ls", format: "json" }));
  assert.equal(ls, {
    retval: 0,
    stdout: JSON.stringify(["device_health_metrics", "rbdpool"]),
    stderr: "",
    tag: ls.tag,
  });
  assert.match(ls.tag, /^cephprobe\.\d+$/);
});

test("with the mon stopped the daemon keeps serving, modules see haveMonConnection() false, then it recovers", async () => {
  const epoch = (await probe<{ epoch: number }>("get", "osd_map")).epoch;
  await env.lab.stop("mon.a");
  try {
    await waitFor(
      async () => (await probe<boolean>("mon")) === false,
      "haveMonConnection() false in the module",
      DEADLINE,
    );
    const status = await daemon().command(["status"], { format: "json", timeoutMs: DEADLINE });
    assert.is(status.retval, 0, "the daemon answers while the mon is down");
    assert.is((await probe<{ epoch: number }>("get", "osd_map")).epoch, epoch, "the last osd_map is still served");
  } finally {
    await env.lab.up();
  }
  await waitFor(async () => (await probe<boolean>("mon")) === true, "haveMonConnection() true again", DEADLINE);
  const r = await probe<{ retval: number }>("send", JSON.stringify({ prefix: "osd pool ls", format: "json" }));
  assert.is(r.retval, 0);
});

test("`tsmgr daemon` without python3-rados exits 2 naming the package", async () => {
  requireCeph();
  const tmp = tempDir();
  try {
    const cfg = writeConfig(tmp, {
      // the conf need not lead anywhere: the daemon stops before it reads it
      cluster: cephBackend({ conf: "/etc/ceph/ceph.conf", keyring: "" } as DevCluster),
    });
    const r = await cli(["daemon", "-c", cfg], {
      env: { TSMGR_CEPH_PYTHON: join(tmp, "no-python3") },
      timeoutMs: DEADLINE,
    });
    assert.is(r.code, 2, brief(r.stdout + r.stderr));
    assert.match(r.stdout + r.stderr, /python3-rados/);
  } finally {
    cleanup(tmp);
  }
});

test.run();
