// The module host through the library API: startDaemon → modules → commands → stop, and every
// kind of broken module, each leaving the daemon and the other modules running.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { useDaemon } from "../_daemon.ts";
import { ROOT, waitFor, type TestDaemon } from "../_util.ts";

const daemons = useDaemon(test);
let d: TestDaemon;

test("startDaemon() runs the shipped hello module and its command answers through the library", async () => {
  d = await daemons.start({ config: { modulePath: join(ROOT, "modules"), modules: { hello: { enabled: true } } } });
  const hello = d.modules().find((m) => m.name === "hello");
  assert.is(hello?.state, "active");
  assert.match(hello!.version ?? "", /^[0-9a-f]{12}$/);
  assert.equal(await d.command(["hello", "bob"]), { retval: 0, stdout: "hello bob", stderr: "" });
  assert.equal(await d.command({ prefix: "hello" }), { retval: 0, stdout: "hello world", stderr: "" });
  assert.equal((await d.command(["hello", "count"])).stdout, "2");
});

test("module logs carry the module name and the Ceph severity of each level", async () => {
  d = await daemons.start({ fixtures: ["sandbox_probe"] });
  await d.command(["probe", "console"]);
  const info = await waitFor(() => d!.logs.find((l) => l.msg === 'from console.log {"a":1}'), "the console.log record");
  assert.is(info.module, "sandbox_probe");
  assert.is(info.severity, 4);
  const err = d.logs.find((l) => l.msg === "from console.error");
  assert.is(err?.severity, 0);
});

test("a module cannot reach require, process, Buffer, fetch or the injected host functions", async () => {
  d = await daemons.start({ fixtures: ["sandbox_probe"] });
  const r = await d.command(["probe", "globals"]);
  assert.is(r.retval, 0, r.stderr);
  // fetch is the isolate's own, checked against modules.NAME.allow.fetch (issue 18)
  assert.equal(JSON.parse(r.stdout), {
    require: "undefined",
    process: "undefined",
    Buffer: "undefined",
    fetch: "function",
    module: "undefined",
    __tsmgr_module: "undefined",
    h: [],
    WebAssembly: "undefined",
    SharedArrayBuffer: "undefined",
  });
});

test("timers, intervals, clearTimeout and sleep() work inside the isolate", async () => {
  d = await daemons.start({ fixtures: ["sandbox_probe"] });
  assert.equal(await d.command(["probe", "timers"]), { retval: 0, stdout: "timeout,tick1,tick2,tick3", stderr: "" });
  assert.equal((await d.command(["probe", "sleep"])).stdout, "true");
});

test("a handleCommand that never returns gets ETIMEDOUT and the module keeps answering", async () => {
  d = await daemons.start({ fixtures: ["sandbox_probe"], config: { limits: { callTimeoutMs: 200 } } });
  const r = await d.command(["probe", "wait"]);
  assert.is(r.retval, -110);
  assert.match(r.stderr, /handleCommand\(\) did not finish within 200 ms/);
  assert.is((await d.command(["probe", "sleep"])).stdout, "true");
});

test("an exception in handleCommand is EINVAL with a stack mapped to the .ts line", async () => {
  d = await daemons.start({ fixtures: ["sandbox_probe"] });
  const r = await d.command(["probe", "throw"]);
  assert.is(r.retval, -22);
  assert.match(r.stderr, /TypeError: probe threw on purpose/);
  assert.match(r.stderr, /modules\/sandbox_probe\.ts:45:15/);
});

test("a module that floods the log is rate-limited with a counted suppressed record", async () => {
  d = await daemons.start({
    fixtures: ["sandbox_probe"],
    modules: { sandbox_probe: { limits: { logLinesPerSec: 50 } } },
  });
  await d.command(["probe", "log", "500"]);
  await new Promise((r) => setTimeout(r, 1100));
  await d.command(["probe", "log", "1"]); // the next second reports what was dropped
  const lines = d.logs.filter((l) => l.module === "sandbox_probe" && /^line \d+$/.test(l.msg));
  assert.is(lines.length, 51);
  const sup = await waitFor(
    () => d!.logs.find((l) => l.module === "sandbox_probe" && l.suppressed === 450),
    "the suppressed record",
  );
  assert.match(sup.msg, /suppressed 450 log lines/);
});

test("a syntax error is reported with file:line:col and a code frame; other modules keep running", async () => {
  d = await daemons.start({ fixtures: ["good", "syntax_error"] });
  const s = d.modules().find((m) => m.name === "syntax_error")!;
  assert.is(s.state, "failed");
  assert.match(s.error!.message, /modules\/syntax_error\.ts:4:61: Expected "}" but found "stderr"/);
  assert.match(s.error!.frame!, /4 \|.*stdout: "v99" stderr/);
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
  const h = await d.command(["health", "detail"]);
  assert.match(h.stdout, /HEALTH_ERR/);
  assert.match(h.stdout, /MGR_MODULE_ERROR/);
  assert.match(h.stdout, /syntax_error\.ts:4:61/);
});

test("a constructor that throws fails that module with the message and .ts location", async () => {
  d = await daemons.start({ fixtures: ["good", "ctor_throws"] });
  const s = d.modules().find((m) => m.name === "ctor_throws")!;
  assert.is(s.state, "failed");
  assert.match(
    s.error!.message,
    /constructor failed: Error: constructor refuses to start \(at modules\/ctor_throws\.ts:5:\d+\)/,
  );
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
});

test("a module without a default export, or not extending MgrModule, says what was expected", async () => {
  d = await daemons.start({ fixtures: ["good", "no_default", "not_a_module"] });
  const nd = d.modules().find((m) => m.name === "no_default")!;
  assert.match(
    nd.error!.message,
    /the default export must be a class extending MgrModule from "@tsmgr\/sdk" \(found no default export\)/,
  );
  const nm = d.modules().find((m) => m.name === "not_a_module")!;
  assert.match(nm.error!.message, /\(found a class that does not extend MgrModule\)/);
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
});

test("calling a cluster accessor in the constructor fails with the circular-locking message", async () => {
  d = await daemons.start({ fixtures: ["ctor_accessor"] });
  const s = d.modules().find((m) => m.name === "ctor_accessor")!;
  assert.is(s.state, "failed");
  assert.match(s.error!.message, /get\(\) called from the constructor of module ctor_accessor: .*circular locking/);
  // the summary points at the module's own line, not at the sdk frame that refused the call
  assert.match(s.error!.message, /\(at modules\/ctor_accessor\.ts:5:\d+\)$/);
  assert.is(s.error!.location?.startsWith("modules/ctor_accessor.ts:5:"), true);
});

test("a serve() that rejects marks the module failed, reports it, and restarts it with back-off", async () => {
  d = await daemons.start({
    fixtures: ["good", "serve_rejects"],
    config: { limits: { restartBackoffMs: 50, maxRestarts: 2 } },
  });
  const failed = await waitFor(
    () =>
      d!
        .modules()
        .find((m) => m.name === "serve_rejects" && m.state === "failed" && m.error?.message.includes("gave up after")),
    "two restarts, then failed for good",
  );
  assert.match(failed.error!.message, /serve gave up/);
  assert.match(failed.error!.message, /gave up after 2 restarts/);
  assert.match(failed.error!.message, /modules\/serve_rejects\.ts:5:\d+/);
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
});

test("a shutdown() that never returns is cut off at limits.shutdownMs and the daemon stops", async () => {
  d = await daemons.start({ fixtures: ["shutdown_hangs"], config: { limits: { shutdownMs: 300 } } });
  const t0 = Date.now();
  await d.stop();
  const took = Date.now() - t0;
  assert.ok(took < 3000, `stop took ${took} ms`);
  assert.ok(
    d.logs.some((l) => l.module === "shutdown_hangs" && /did not return within 300 ms/.test(l.msg)),
    "a warning names the deadline",
  );
});

test("module ls lists each module with state, version, error and grants", async () => {
  d = await daemons.start({ fixtures: ["good", "syntax_error"], modules: { syntax_error: { enabled: false } } });
  const r = await d.command(["module", "ls"], { format: "json" });
  const ls = JSON.parse(r.stdout);
  assert.equal(ls.enabled_modules, ["good"]);
  assert.equal(ls.disabled_modules, ["syntax_error"]);
  const good = ls.modules.find((m: { name: string }) => m.name === "good");
  assert.is(good.state, "active");
  assert.ok(good.loaded_at);
  assert.equal(good.grants, { net: [], commands: [], data: ["*"], remote: [], fetch: [] });
});

test("module disable stops a module, enable starts it again, and the choice survives a restart", async () => {
  d = await daemons.start({ fixtures: ["good"] });
  assert.is((await d.command(["module", "disable", "good"])).retval, 0);
  assert.is((await d.command(["good", "ping"])).retval, -22);
  await d.stop();
  d = await daemons.start({ fixtures: ["good"] });
  assert.is(d.modules().find((m) => m.name === "good")!.state, "disabled");
  assert.is((await d.command(["module", "enable", "good"])).retval, 0);
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
});

test("notify() receives only the types listed in NOTIFY_TYPES", async () => {
  d = await daemons.start({ fixtures: ["good"] });
  await d.command(["sim", "osd", "down", "1"]);
  const seen = await waitFor(async () => {
    const s = JSON.parse((await d!.command(["good", "notifies"])).stdout) as string[];
    return s.some((x) => x.startsWith("osd_map:")) ? s : undefined;
  }, "an osd_map notify");
  assert.not.ok(
    seen.some((x) => x.startsWith("health:") || x.startsWith("pg_summary:")),
    `unsubscribed types arrived: ${seen.join(", ")}`,
  );
});

test.run();
