// The shipped crash module on the simulated cluster: reports posted as ceph-crash posts them,
// kept under crash/<id> in the module store, listed, shown with their stack signature,
// archived, pruned and removed; RECENT_CRASH with its options; malformed, oversized and
// unknown input refused with Ceph's texts.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

const test = suite("crash module");
let dir = "";
let d: TestDaemon;
/** the shipped section (its store quota) */
const SHIPPED = JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")).modules.crash as Record<string, unknown>;

test.before.each(async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, { modulePath: join(ROOT, "modules"), modules: { crash: SHIPPED } });
  await waitFor(() => d.modules().find((m) => m.name === "crash")?.state === "active", "crash to be active", 20_000);
});
test.after.each(async () => {
  await d.stop();
  cleanup(dir);
});

const stamp = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString().replace("Z", "000Z");
const DAY = 86_400_000;
function meta(uuid: string, timestamp: string, extra: Record<string, unknown> = {}) {
  return {
    crash_id: `${timestamp}_${uuid}`,
    timestamp,
    entity_name: "osd.3",
    process_name: "ceph-osd",
    utsname_hostname: "node02",
    ...extra,
  };
}
async function post(m: unknown) {
  return d.command(["crash", "post"], { inbuf: typeof m === "string" ? m : JSON.stringify(m) });
}
async function recentCrash() {
  const h = JSON.parse((await d.command(["health", "detail"], { format: "json" })).stdout);
  return h.checks.RECENT_CRASH as
    { summary: { message: string; count: number }; detail: { message: string }[] } | undefined;
}

test("a posted crash is listed, shown with its stack signature, stored under crash/<id>, and raises RECENT_CRASH", async () => {
  const backtrace = [
    "/lib/libc.so.6(+0x3bfd0) [0x7f]",
    "(ceph::abort(char const*)+0x1a) [0x55]",
    "(OSD::init()+0x42) [0x56]",
  ];
  const assertMsg =
    "/src/osd/OSD.cc: In function 'int OSD::init()' thread 7f0d time 2024-01-02T03:04:05.1+0000\n/src/osd/OSD.cc: 34: FAILED ceph_assert(r == 0)\n";
  const m = meta("0001", stamp(), { backtrace, assert_msg: assertMsg });
  assert.equal(await post(m), { retval: 0, stdout: "", stderr: "" });
  const ls = await d.command(["crash", "ls"]);
  assert.is(ls.stdout, `ID${" ".repeat(m.crash_id.length)}ENTITY  NEW  \n${m.crash_id}  osd.3    *   `);
  const info = JSON.parse((await d.command(["crash", "info", m.crash_id])).stdout);
  // Ceph's calc_sig: the function of each frame, then the assert message without thread and time
  const sig = createHash("sha256")
    .update(
      "lib/libc.so.6(" +
        "ceph::abort(char const*)" +
        "OSD::init()" +
        "/src/osd/OSD.cc: In function 'int OSD::init()': FAILED ceph_assert(r == 0)",
    )
    .digest("hex");
  assert.equal(info, { ...m, stack_sig: sig });
  const stored = await d.command(["config-key", "get", `mgr/crash/crash/${m.crash_id}`]);
  assert.equal(JSON.parse(stored.stdout), info);
  assert.equal(await recentCrash(), {
    severity: "HEALTH_WARN",
    summary: { message: "1 daemons have recently crashed", count: 1 },
    detail: [{ message: `osd.3 crashed on host node02 at ${m.timestamp}` }],
    muted: false,
  } as never);
  assert.is((await d.command(["crash", "json_report", "24"])).stderr, '{"ceph-osd": 1}');
});

test("archive silences RECENT_CRASH and empties ls-new; ls -f json is Ceph's sorted, indented list", async () => {
  const a = meta("000a", stamp());
  const b = meta("000b", stamp(5));
  await post(a);
  await post(b);
  assert.is((await recentCrash())?.summary.count, 2);
  assert.is((await d.command(["crash", "archive", a.crash_id])).retval, 0);
  assert.is((await recentCrash())?.summary.count, 1);
  const listed = JSON.parse((await d.command(["crash", "ls"], { format: "json" })).stdout);
  assert.equal(
    listed.map((c: { crash_id: string }) => c.crash_id),
    [a.crash_id, b.crash_id].sort(),
  );
  assert.match(
    listed.find((c: { crash_id: string }) => c.crash_id === a.crash_id).archived,
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/,
  );
  assert.is((await d.command(["crash", "archive-all"])).retval, 0);
  assert.is(await recentCrash(), undefined);
  assert.is((await d.command(["crash", "ls-new"])).stdout, "");
  assert.is((await d.command(["crash", "ls-new"], { format: "json" })).stdout, "[]");
});

test("stat bins crashes by age; prune KEEP removes the older ones, retain_interval too; rm removes one", async () => {
  const fresh = meta("0001", stamp());
  const old = meta("0002", stamp(4 * DAY));
  const ancient = meta("0003", stamp(40 * DAY));
  for (const m of [fresh, old, ancient]) await post(m);
  assert.is(
    (await d.command(["crash", "stat"])).stdout,
    `3 crashes recorded\n2 older than 1 days old:\n${old.crash_id}\n${ancient.crash_id}\n2 older than 3 days old:\n${old.crash_id}\n${ancient.crash_id}\n1 older than 7 days old:\n${ancient.crash_id}`,
  );
  assert.is((await recentCrash())?.summary.count, 2, "warn_recent_interval is 14 days");
  assert.is((await d.command(["crash", "prune", "30"])).retval, 0);
  assert.not.ok((await d.command(["crash", "ls"])).stdout.includes(ancient.crash_id));
  // retain_interval prunes in serve(), which runs again when the module restarts
  assert.is((await d.command(["config", "set", "mgr", "mgr/crash/retain_interval", String(2 * 86_400)])).retval, 0);
  assert.is((await d.command(["module", "disable", "crash"])).retval, 0);
  assert.is((await d.command(["module", "enable", "crash"])).retval, 0);
  await waitFor(
    async () => !(await d.command(["crash", "ls"])).stdout.includes(old.crash_id),
    "the 4-day-old crash to be pruned",
  );
  assert.is((await d.command(["crash", "rm", fresh.crash_id])).retval, 0);
  assert.is((await d.command(["crash", "rm", "no-such-id"])).retval, 0, "Ceph ignores an unknown id");
  assert.is((await d.command(["crash", "stat"])).stdout, "0 crashes recorded");
});

test("warn_recent_interval decides which crashes are recent", async () => {
  await post(meta("0001", stamp(120_000)));
  assert.is((await recentCrash())?.summary.count, 1);
  assert.is((await d.command(["config", "set", "mgr", "mgr/crash/warn_recent_interval", "60"])).retval, 0);
  await waitFor(async () => (await recentCrash()) === undefined, "RECENT_CRASH to clear");
});

test("crash info and archive of an unknown id answer Ceph's EINVAL text", async () => {
  assert.equal(await d.command(["crash", "info", "nope"]), {
    retval: -22,
    stdout: "",
    stderr: "crash info: nope not found",
  });
  assert.equal(await d.command(["crash", "archive", "nope"]), {
    retval: -22,
    stdout: "",
    stderr: "crash info: nope not found",
  });
  assert.equal(await d.command(["crash", "prune", "soon"]), {
    retval: -22,
    stdout: "",
    stderr: "keep argument must be integer",
  });
  assert.equal(await d.command(["crash", "json_report", "1.5"]), {
    retval: -22,
    stdout: "",
    stderr: "<hours> argument must be integer",
  });
});

test("crash post refuses malformed metadata with Ceph's 'malformed crash metadata' and stores nothing", async () => {
  const cases: [unknown, RegExp][] = [
    ["", /^malformed crash metadata: not JSON/],
    ["{not json", /^malformed crash metadata: not JSON/],
    ["[1, 2]", /^malformed crash metadata: missing 'crash_id' field$/],
    [{ timestamp: stamp() }, /^malformed crash metadata: missing 'crash_id' field$/],
    [{ crash_id: "x" }, /^malformed crash metadata: missing 'timestamp' field$/],
    [{ crash_id: 5, timestamp: stamp() }, /^malformed crash metadata: 'crash_id' must be a non-empty string, got 5$/],
    [
      { crash_id: "x", timestamp: "yesterday" },
      /^malformed crash metadata: time data 'yesterday' does not match format '%Y-%m-%d %H:%M:%S.%f'$/,
    ],
    [{ crash_id: "x", timestamp: "2024-02-30T01:02:03.4Z" }, /does not match format/],
    [
      { crash_id: "x", timestamp: stamp(), backtrace: "not a list" },
      /^malformed crash metadata: 'backtrace' must be a list of strings$/,
    ],
    [
      { crash_id: "x", timestamp: stamp(), backtrace: [], assert_msg: "no thread here" },
      /^malformed crash metadata: 'assert_msg' is not a Ceph assert message/,
    ],
  ];
  for (const [m, want] of cases) {
    const r = await post(m);
    assert.is(r.retval, -22, JSON.stringify(m));
    assert.match(r.stderr, want);
  }
  assert.is((await d.command(["crash", "stat"])).stdout, "0 crashes recorded");
  // the older timestamp format is accepted, as Ceph's
  assert.is((await post({ crash_id: "old-format", timestamp: "2024-01-02 03:04:05.123456" })).retval, 0);
});

test("crash post of metadata larger than the store quota is EFBIG and stores nothing", async () => {
  const huge = meta("0001", stamp(), { log: "x".repeat(300_000) });
  const r = await post(huge);
  assert.is(r.retval, -27);
  assert.match(r.stderr, new RegExp(`^crash ${huge.crash_id} \\(\\d+ bytes of metadata\\) cannot be stored: `));
  assert.is((await d.command(["crash", "ls"])).stdout, "");
  assert.is(await recentCrash(), undefined);
});

test.run();
