// Issue 15 items 1, 2, 9, 10: calls between modules (remote + EXPORTS + allow.remote), progress
// events in `status`, the cluster log (clusterLog, `log last`, clog notifies), self-test and
// can-run, each through a real daemon with real isolates (fixtures in test/fixtures/remote/).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

let dir = "";
let d: TestDaemon;
const FIX = join(ROOT, "test", "fixtures", "remote");
const MODULES = {
  a: { enabled: true, allow: { remote: ["b", "c", "gone"] } },
  b: { enabled: true, allow: { remote: ["a.pong", "a.bomb"] }, limits: { callTimeoutMs: 300 } },
  c: { enabled: false },
  nr: { enabled: true },
  nr2: { enabled: false },
};

test.before(async () => {
  dir = tempDir("tsmgr-remote-");
  mkdirSync(join(dir, "modules"));
  for (const m of ["a", "b", "c", "nr", "nr2"]) copyFileSync(join(FIX, `${m}.ts`), join(dir, "modules", `${m}.ts`));
  d = await startTestDaemon(dir, { modules: MODULES });
});
test.after(async () => {
  await d.stop();
  cleanup(dir);
});

// the arguments travel as a CephString, which takes printable ASCII only: escape the rest
const asciiJson = (v: unknown) =>
  JSON.stringify(v).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const js = async (op: string, ...args: unknown[]) => d.command(["a", "js", op, asciiJson(args)]);
const ok = async (op: string, ...args: unknown[]) => {
  const r = await js(op, ...args);
  assert.is(r.retval, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
};
const refused = async (op: string, ...args: unknown[]) => {
  const r = await js(op, ...args);
  assert.is.not(r.retval, 0, `expected ${op} to fail, got ${r.stdout}`);
  return r.stderr;
};

// ---- remote ---------------------------------------------------------------------------------

test("remote() calls an exported method with copied arguments and returns its copied result", async () => {
  assert.equal(await ok("remote", "b", "echo", 1, "two", { three: [3] }, null), {
    got: [1, "two", { three: [3] }, null],
  });
});

test("remote() to a module that is not running rejects with ModuleNotFound", async () => {
  assert.match(await refused("remote", "c", "echo"), /^ModuleNotFound: remote\(\): module "c" is not running/);
  assert.match(await refused("remote", "gone", "echo"), /^ModuleNotFound: .*no such module/);
});

test("remote() of a method not in EXPORTS rejects with PermissionDenied naming EXPORTS", async () => {
  const e = await refused("remote", "b", "notExported");
  assert.match(
    e,
    /^PermissionDenied: remote\(\): module "b" does not export "notExported": its static EXPORTS are \["echo"/,
  );
  assert.match(await refused("remote", "b", "handleCommand"), /^PermissionDenied: .*does not export "handleCommand"/);
});

test("remote() without an allow.remote grant is refused, naming the mgr.json key", async () => {
  // b is granted only a.pong and a.bomb
  assert.is(
    await refused("remote", "b", "callC"),
    'PermissionDenied: module "b" may not call c.echo(): add "c" or "c.echo" to modules.b.allow.remote in mgr.json',
  );
});

test("an error thrown by the callee reaches the caller with its name and message", async () => {
  assert.is(await refused("remote", "b", "boom"), "ValueError: kaput");
});

test("a cycle A→B→A works: b calls back into a while a awaits b", async () => {
  assert.equal(await ok("remote", "b", "ping", 7), { via: "b", inner: { pong: 7 } });
});

test("a remote recursion bomb stops at the depth limit with a clear error", async () => {
  const e = await refused("bomb", 0);
  assert.match(
    e,
    /LimitExceeded: remote\(\): the call chain a → b → a → b .* modules deep: the limit is 8 \(a cycle of remote calls\?\)/,
  );
  // everything unwound: a plain call still works
  assert.equal(await ok("remote", "b", "echo"), { got: [] });
});

test("a slow callee is bounded by the callee's limits.callTimeoutMs", async () => {
  assert.match(await refused("remote", "b", "slow"), /slow\(\) did not finish within 300 ms/);
});

test("remote() arguments that are not plain data are a TypeError, before anything is sent", async () => {
  for (const what of ["fn", "map", "nan", "date", "cycle"]) {
    const r = await d.command(["a", "nonplain", what]);
    assert.match(r.stderr, /^TypeError: remote\(\): argument 0\.nested/, what);
  }
});

// ---- progress events --------------------------------------------------------------------------

test("progress events show in status as Ceph draws them, and in -f json as progress_events", async () => {
  await ok("updateProgressEvent", "ev-1", "Rebalancing after osd.2 marked out", 0.3, { refs: [["osd", "2"]] });
  await ok("updateProgressEvent", "ev-2", "hidden from the text", 0.5, { addToCephS: false });
  const plain = (await d.command(["status"])).stdout;
  assert.match(
    plain,
    /\nprogress:\n    Rebalancing after osd\.2 marked out \(\d+s\)\n      \[=========\.{21}\]( \(remaining: \d+[smhd]\))?$/,
  );
  assert.not.match(plain, /hidden/);
  const json = JSON.parse((await d.command(["status"], { format: "json" })).stdout) as { progress_events: unknown };
  assert.equal(json.progress_events, {
    "ev-1": { message: "Rebalancing after osd.2 marked out", progress: 0.3, add_to_ceph_s: true },
    "ev-2": { message: "hidden from the text", progress: 0.5, add_to_ceph_s: false },
  });
  await ok("completeProgressEvent", "ev-1");
  await ok("failProgressEvent", "ev-2", "it broke");
  assert.equal(
    (JSON.parse((await d.command(["status"], { format: "json" })).stdout) as { progress_events: unknown })
      .progress_events,
    {},
  );
  assert.ok(d.logs.some((l) => l.module === "a" && l.msg === "progress event failed: it broke"));
});

test("progress: a fraction outside 0..1 and ids over 256 bytes are RangeErrors; bad types TypeErrors", async () => {
  assert.match(
    await refused("updateProgressEvent", "x", "m", 1.5),
    /^RangeError: .*progress is 1\.5: it must be from 0 to 1/,
  );
  assert.match(await refused("updateProgressEvent", "x", "m", -0.1), /^RangeError/);
  assert.match(
    await refused("updateProgressEvent", "é".repeat(129), "m", 0.1),
    /^RangeError: .*258 bytes long: the limit is 256/,
  );
  assert.match(await refused("updateProgressEvent", "x", "m", "0.5"), /^TypeError/);
  assert.match(
    await refused("updateProgressEvent", "x", "m", 0.5, { refs: "osd.1" }),
    /^TypeError: .*refs must be a list/,
  );
});

test("progress events of a module are dropped when it stops", async () => {
  await ok("updateProgressEvent", "ev-3", "m", 0.1);
  assert.ok((await d.command(["status"])).stdout.includes("progress:"));
  assert.is((await d.command(["module", "disable", "a"])).retval, 0);
  assert.not.ok((await d.command(["status"])).stdout.includes("progress:"));
  assert.is((await d.command(["module", "enable", "a"])).retval, 0);
});

// ---- cluster log -------------------------------------------------------------------------------

test("clusterLog() writes to the cluster log: log last shows it, clog subscribers receive it", async () => {
  await ok("clusterLog", "cluster", 3, "hello from a");
  const plain = await waitFor(async () => {
    const r = await d.command(["log", "last", "5"]);
    return r.stdout.includes("hello from a") ? r.stdout : undefined;
  }, "the entry in log last");
  assert.match(plain, /^\S+ mon\.\w+ \(mon\.\d+\) \d+ : cluster \[WRN\] hello from a$/m);
  const json = JSON.parse((await d.command(["log", "last", "5", "cluster"], { format: "json" })).stdout) as Record<
    string,
    unknown
  >[];
  const e = json.find((x) => x.message === "hello from a")!;
  assert.equal(Object.keys(e).sort(), ["addrs", "channel", "message", "name", "priority", "rank", "seq", "stamp"]);
  const seen = await waitFor(
    async () =>
      ((await ok("remote", "b", "lastClog")) as { message: string; priority: string }[]).find(
        (x) => x.message === "hello from a",
      ),
    "b's clog notify",
  );
  assert.is(seen.priority, "[WRN]");
});

test("clusterLog(): an unknown channel or priority is refused", async () => {
  assert.match(await refused("clusterLog", "nope", 1, "m"), /^RangeError: clusterLog\(\): channel "nope"/);
  assert.match(await refused("clusterLog", "cluster", 9, "m"), /^RangeError: clusterLog\(\): priority 9/);
  assert.match(await refused("clusterLog", "cluster", "1", "m"), /^TypeError/);
});

// ---- self-test and can-run ---------------------------------------------------------------------

test("mgr self-test module NAME runs selfTest() and answers in Ceph's words", async () => {
  const pass = await d.command(["mgr", "self-test", "module", "b"]);
  assert.equal([pass.retval, pass.stdout, pass.stderr], [0, "all good", "Self-test OK"]);
  const failed = await d.command(["mgr", "self-test", "module", "a"]);
  assert.equal([failed.retval, failed.stderr], [-1, "Test failed: Error: nope"]);
  const missing = await d.command(["mgr", "self-test", "module", "c"]);
  assert.equal([missing.retval, missing.stderr], [-2, "Module not found"]);
});

test("a module with canRun false is listed as not runnable with its reason, and enabling it fails with that reason", async () => {
  const ls = JSON.parse((await d.command(["module", "ls"], { format: "json" })).stdout) as {
    modules: { name: string; can_run: boolean; error_string: string }[];
  };
  const nr = ls.modules.find((m) => m.name === "nr")!;
  assert.equal([nr.can_run, nr.error_string], [false, "needs the foo library"]);
  const en = await d.command(["module", "enable", "nr2"]);
  assert.is.not(en.retval, 0);
  assert.match(en.stderr, /cannot run here: no device here/);
});

// ---- the constructor rule ----------------------------------------------------------------------

test("every new function is refused from the constructor (the circular-locking rule)", async () => {
  const r = JSON.parse((await d.command(["a", "ctor"])).stdout) as Record<string, string>;
  for (const [f, why] of Object.entries(r))
    assert.match(why, new RegExp(`^Error: ${f}\\(\\) called from the constructor of module a`), f);
  assert.is(Object.keys(r).length, 5);
});

test("on a standby every new function is refused with PermissionDenied naming the standby surface", async () => {
  const s = await startTestDaemon(dir, { id: "s", modules: MODULES });
  try {
    const line = await waitFor(
      () => s.logs.find((l) => l.module === "a" && l.msg.startsWith("REPORT ")),
      "the standby's report",
    );
    const rep = JSON.parse(line.msg.slice("REPORT ".length)) as Record<string, string>;
    assert.is(Object.keys(rep).length, 5);
    for (const [f, why] of Object.entries(rep))
      assert.match(
        why,
        new RegExp(`^PermissionDenied: ${f}\\(\\) is not available on a standby daemon: MgrStandbyModule offers only `),
        f,
      );
  } finally {
    await s.stop();
  }
});

test.run();
