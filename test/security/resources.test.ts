// Resource attacks: memory, CPU in every place module code runs (constructor, notify, commands,
// timers, promise chains, serve), the stack, microtasks, timers, the log, command output,
// HTTP bodies and the store. Each stops or refuses only the module, with the limit named, while
// the canary keeps answering and the daemon keeps running.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { request } from "node:http";
import { createServer } from "node:net";
import { waitFor } from "../_util.ts";
import { Arena, failureReports, sleep, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
test.after.each(async () => {
  await a?.close();
  a = undefined;
});

const refused = (name: string, message: string) => ({ threw: { name, message } });
const cpu = (name: string, what: string) =>
  `module ${name}: ${what}() ran for more than 300 ms of CPU (limits.callTimeoutMs in mgr.json): the module was stopped`;
const memory = (name: string, what: string) =>
  `module ${name} exceeded its memory limit of 32 MB (limits.memoryMb in mgr.json) in ${what}(): the module was stopped`;

/** The module is failed with this reason, in `module ls -f json` and in `health detail`. */
async function assertStopped(a: Arena, name: string, reason: string | RegExp): Promise<void> {
  // Wait for the failure in the log first: asking for module status while the isolate still
  // spins outside a call blocks the daemon's thread (see crash.test.ts), and this one's too.
  await waitFor(
    () => a.d.logs.some((l) => l.module === name && l.msg.startsWith("module failed: ")),
    `module ${name} to fail`,
  );
  const { ls } = await waitFor(async () => {
    const r = await failureReports(a, name);
    return r.ls.state === "failed" ? r : undefined;
  }, `module ${name} to be marked failed`);
  const { health } = await failureReports(a, name);
  const message = ls.error?.message ?? "";
  if (typeof reason === "string") assert.is(message, `LimitExceeded: ${reason}`);
  else assert.match(message, reason);
  assert.ok(health.startsWith("HEALTH_ERR"), health);
  assert.ok(health.includes(`[ERR] MGR_MODULE_ERROR: Module '${name}' has failed: ${message.split("\n")[0]}`), health);
  assert.ok(health.includes(`    Module '${name}' has failed: ${message.split("\n")[0]}`), health);
}

// ---- memory --------------------------------------------------------------------------------

test("an array memory bomb stops only that module, with the memory limit named", async () => {
  a = await Arena.open({ hostile: { res_memory_array: {} } });
  assert.equal(await a.cmd(["res_memory_array"]), {
    retval: -5,
    stdout: "",
    stderr: memory("res_memory_array", "handleCommand"),
  });
  await assertStopped(a, "res_memory_array", memory("res_memory_array", "handleCommand"));
  await a.checkHost();
});

test("a memory bomb in serve() after a sleep() is reported as in serve(), not in a timer callback", async () => {
  a = await Arena.open({ hostile: { res_memory_serve: {} } });
  await assertStopped(a, "res_memory_serve", memory("res_memory_serve", "serve"));
  await a.checkHost();
});

test("a string memory bomb stops only that module, with the memory limit named", async () => {
  a = await Arena.open({ hostile: { res_memory_string: {} } });
  assert.equal(await a.cmd(["res_memory_string"]), {
    retval: -5,
    stdout: "",
    stderr: memory("res_memory_string", "handleCommand"),
  });
  await assertStopped(a, "res_memory_string", memory("res_memory_string", "handleCommand"));
  await a.checkHost();
});

// ---- CPU, wherever module code runs ------------------------------------------------------------

test("while(true) in the constructor fails the module at start with the CPU limit named, and no daemon file blamed", async () => {
  a = await Arena.open({ hostile: { res_loop_ctor: {} } });
  const s = a.status("res_loop_ctor")!;
  assert.is(s.state, "failed");
  assert.is(
    s.error?.message,
    `module res_loop_ctor: constructor failed: LimitExceeded: ${cpu("res_loop_ctor", "constructor")}`,
  );
  assert.not.match(
    s.error?.location ?? "",
    /runtime\//,
    `the error location points into the daemon's own source: ${s.error?.location}`,
  );
  const health = (await a.cmd(["health", "detail"])).stdout;
  assert.ok(
    health.includes(`Module 'res_loop_ctor' has failed: module res_loop_ctor: constructor failed: LimitExceeded:`),
    health,
  );
  await a.checkHost();
});

test("while(true) in notify() stops only that module, with the CPU limit named", async () => {
  a = await Arena.open({ hostile: { res_loop_notify: {} } });
  assert.is((await a.cmd(["sim", "osd", "down", "1"])).retval, 0);
  await assertStopped(a, "res_loop_notify", cpu("res_loop_notify", "notify"));
  await a.checkHost();
});

test("while(true) in handleCommand stops only that module and answers EIO with the CPU limit named", async () => {
  a = await Arena.open({ hostile: { res_loop_command: {} } });
  assert.equal(await a.cmd(["res_loop_command"]), {
    retval: -5,
    stdout: "",
    stderr: cpu("res_loop_command", "handleCommand"),
  });
  await assertStopped(a, "res_loop_command", cpu("res_loop_command", "handleCommand"));
  await a.checkHost();
});

test("limits.callTimeoutMs bounds a command's CPU even when the caller allows a longer wait (the CLI sends 30 s)", async () => {
  a = await Arena.open({ hostile: { res_loop_command: {} } });
  assert.equal(await a.cmd(["res_loop_command"], { timeoutMs: 10_000 }), {
    retval: -5,
    stdout: "",
    stderr: cpu("res_loop_command", "handleCommand"),
  });
  await a.checkHost();
});

test("while(true) in a timer callback stops only that module, with the CPU limit named", async () => {
  a = await Arena.open({ hostile: { res_loop_timer: {} } });
  assert.equal(await a.cmd(["res_loop_timer"]), { retval: 0, stdout: "armed", stderr: "" });
  await assertStopped(a, "res_loop_timer", cpu("res_loop_timer", "timer callback"));
  await a.checkHost();
});

test("an endless .then() chain started from a timer stops only that module", async () => {
  a = await Arena.open({ hostile: { res_loop_then: {} } });
  assert.equal(await a.cmd(["res_loop_then"]), { retval: 0, stdout: "armed", stderr: "" });
  await assertStopped(a, "res_loop_then", cpu("res_loop_then", "timer callback"));
  await a.checkHost();
});

test("while(true) in a promise continuation after the command returned stops only that module", async () => {
  a = await Arena.open({ hostile: { res_loop_in_then: {} } });
  assert.equal(await a.cmd(["res_loop_in_then"]), { retval: 0, stdout: "armed", stderr: "" });
  // the loop is handleCommand()'s code, resumed after its sleep(): reported as handleCommand()'s
  await assertStopped(a, "res_loop_in_then", cpu("res_loop_in_then", "handleCommand"));
  await a.checkHost();
});

test("a busy loop inside serve() is stopped by the CPU watchdog", async () => {
  a = await Arena.open({ hostile: { res_loop_serve: {} } });
  await assertStopped(
    a,
    "res_loop_serve",
    /^LimitExceeded: module res_loop_serve kept the CPU busy for \d+ ms of the last \d+ ms \(a busy loop\?\): the module was stopped$/,
  );
  await a.checkHost();
});

test("a busy loop in a continuation that runs when a host call resolves (outside any call) is stopped by the CPU watchdog", async () => {
  a = await Arena.open({ hostile: { res_spin_detached: {} } });
  assert.equal(await a.cmd(["res_spin_detached"]), { retval: 0, stdout: "armed", stderr: "" });
  await assertStopped(
    a,
    "res_spin_detached",
    /^LimitExceeded: module res_spin_detached kept the CPU busy for \d+ ms of the last \d+ ms \(a busy loop\?\): the module was stopped$/,
  );
  await a.checkHost();
});

test("a busy loop in serve() that yields briefly between 40 ms stretches (80% of a core) is still stopped", async () => {
  a = await Arena.open({ hostile: { res_loop_serve_yielding: {} } });
  await waitFor(
    () => a!.status("res_loop_serve_yielding")?.state === "failed",
    "the yielding busy loop to be stopped",
    6000,
  ).catch(() => undefined);
  const s = a.status("res_loop_serve_yielding")!;
  assert.is(s.state, "failed", "a module that keeps 80% of a core busy for 6 s is still running");
  assert.match(s.error?.message ?? "", /^LimitExceeded: module res_loop_serve_yielding .*limits\./);
  await a.checkHost();
});

test("unbounded recursion is a RangeError for that command only: the module keeps answering", async () => {
  a = await Arena.open({ hostile: { res_recursion: {} } });
  const r = await a.cmd(["res_recursion"]);
  assert.is(r.retval, -22);
  assert.match(
    r.stderr,
    /^RangeError: Maximum call stack size exceeded\n {4}at down \(modules\/res_recursion\.ts:\d+:\d+\)/,
  );
  assert.equal(await a.cmd(["res_recursion", "alive"]), { retval: 0, stdout: "alive", stderr: "" });
  assert.is(a.status("res_recursion")?.state, "active");
  await a.checkHost();
});

test("a microtask that re-queues itself forever stops only that module, with the CPU limit named", async () => {
  a = await Arena.open({ hostile: { res_microtask_flood: {} } });
  assert.equal(await a.cmd(["res_microtask_flood"]), {
    retval: -5,
    stdout: "",
    stderr: cpu("res_microtask_flood", "handleCommand"),
  });
  await assertStopped(a, "res_microtask_flood", cpu("res_microtask_flood", "handleCommand"));
  await a.checkHost();
});

test("a toJSON that never returns on a command result stops only that module", async () => {
  a = await Arena.open({ hostile: { res_tojson_loop: {} } });
  assert.equal(await a.cmd(["res_tojson_loop"]), {
    retval: -5,
    stdout: "",
    stderr: cpu("res_tojson_loop", "handleCommand"),
  });
  await assertStopped(a, "res_tojson_loop", cpu("res_tojson_loop", "handleCommand"));
  await a.checkHost();
});

// ---- timers, log, output, HTTP -------------------------------------------------------------------

test("a timer flood is refused at limits.maxTimers, and 0 ms intervals do not starve the daemon", async () => {
  a = await Arena.open({ hostile: { res_timer_flood: { limits: { maxTimers: 50 } } } });
  const limit = refused(
    "LimitExceeded",
    "module res_timer_flood has 50 timers pending: the limit is 50 (limits.maxTimers in mgr.json)",
  );
  assert.equal(await a.report(["res_timer_flood"]), { created: 50, refusal: limit.threw });
  await sleep(300); // 25 intervals of "0 ms" tick meanwhile
  assert.equal(await a.report(["res_timer_flood"]), { created: 0, refusal: limit.threw });
  assert.is(a.status("res_timer_flood")?.state, "active");
  await a.checkHost();
});

test("a log flood is cut to limits.logLinesPerSec with one counted record, and a 1 MiB line is cut at 16 KiB", async () => {
  a = await Arena.open({ hostile: { res_log_flood: { limits: { logLinesPerSec: 20 } } } });
  assert.equal(await a.cmd(["res_log_flood"]), { retval: 0, stdout: "flooded", stderr: "" });
  const mine = () => a!.d.logs.filter((l) => l.module === "res_log_flood");
  const written = mine().filter((l) => l.msg.startsWith("HHHH") || /^(console )?flood \d+$/.test(l.msg));
  assert.is(written.length, 20, "one second's worth of lines got through");
  assert.is(written[0]!.msg, "H".repeat(16384) + "…(truncated)");
  await sleep(1050);
  await a.cmd(["res_log_flood"]); // the next second reports what was dropped
  const sup = await waitFor(() => mine().find((l) => typeof l.suppressed === "number"), "the suppressed record");
  assert.is(sup.suppressed, 1 + 20_000 + 5_000 - 20);
  assert.is(sup.msg, `suppressed ${sup.suppressed} log lines (limits.logLinesPerSec)`);
  await a.checkHost();
});

test("command output over limits.maxOutputBytes is refused with EFBIG and the module keeps running", async () => {
  a = await Arena.open({ hostile: { res_huge_output: { limits: { maxOutputBytes: 4096 } } } });
  assert.equal(await a.cmd(["res_huge_output"]), {
    retval: -27,
    stdout: "",
    stderr:
      "module res_huge_output returned 4194304 bytes of output: the limit is 4096 (limits.maxOutputBytes in mgr.json)",
  });
  assert.is(a.status("res_huge_output")?.state, "active");
  await a.checkHost();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function post(port: number, body: Buffer): Promise<{ status: number; text: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, method: "POST", path: "/", agent: false, headers: { "content-length": body.length } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", (e) => resolve({ error: e.message }));
      },
    );
    req.on("error", (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(body);
  });
}

test("an HTTP body over 1 MiB is refused with 413 before the module's handler sees it", async () => {
  const port = await freePort();
  a = await Arena.open({ hostile: { res_huge_http_body: { allow: { net: [`127.0.0.1:${port}`] } } } });
  await waitFor(async () => "status" in (await post(port, Buffer.from("x"))), "the module's HTTP server");
  const big = await post(port, Buffer.alloc(2 << 20, 0x61));
  assert.equal(big, { status: 413, text: "request body larger than 1048576 bytes\n" });
  assert.equal(await post(port, Buffer.from("hello")), { status: 200, text: "got 5" });
  assert.equal(await a.cmd(["res_huge_http_body"]), { retval: 0, stdout: "[1,5]", stderr: "" });
  await a.checkHost();
});

// ---- the store ------------------------------------------------------------------------------------

test("store quota: a module cannot hold more than maxKeys keys, and may still overwrite and delete", async () => {
  a = await Arena.open({ hostile: { res_store_quota_keys: { store: { maxKeys: 3 } } } });
  assert.equal(await a.report(["res_store_quota_keys"]), {
    stored: 3,
    refusal: {
      name: "LimitExceeded",
      message:
        'module "res_store_quota_keys": setStore("k3") would add a key beyond the limit of 3 keys: delete keys with setStore(key, null) or raise modules.res_store_quota_keys.store.maxKeys in mgr.json',
    },
    overwrite: "ok",
    del: "ok",
    afterDelete: "ok",
  });
  await a.checkHost();
});

test("store quota: a key over maxKeyBytes (counted in UTF-8 bytes) is refused", async () => {
  a = await Arena.open({ hostile: { res_store_quota_key_size: { store: { maxKeyBytes: 16 } } } });
  const over = (shown: string, n: number) =>
    refused(
      "LimitExceeded",
      `module "res_store_quota_key_size": setStore(${shown}): the key is ${n} bytes, over the limit of 16: use a shorter key or raise modules.res_store_quota_key_size.store.maxKeyBytes in mgr.json`,
    );
  assert.equal(await a.report(["res_store_quota_key_size"]), {
    ascii: over(JSON.stringify("k".repeat(17)), 17),
    utf8: over(JSON.stringify("é".repeat(9)), 18),
    huge: over(JSON.stringify("k".repeat(61) + "..."), 2_000_000),
    fits: {},
  });
  await a.checkHost();
});

test("store quota: a value over maxValueBytes (counted in UTF-8 bytes) is refused", async () => {
  a = await Arena.open({ hostile: { res_store_quota_value_size: { store: { maxValueBytes: 64 } } } });
  const over = (n: number) =>
    refused(
      "LimitExceeded",
      `module "res_store_quota_value_size": setStore("k"): the value is ${n} bytes, over the limit of 64: store less or raise modules.res_store_quota_value_size.store.maxValueBytes in mgr.json`,
    );
  assert.equal(await a.report(["res_store_quota_value_size"]), {
    over: over(65),
    utf8: over(66),
    huge: over(8 << 20),
    fits: {},
    stored: 64,
  });
  await a.checkHost();
});

test("a module writing the store in a tight loop does not stop another module's writes from completing", async () => {
  a = await Arena.open({ hostile: { res_store_flood: {} } });
  await waitFor(async () => Number((await a!.cmd(["res_store_flood"])).stdout) > 20, "the flood to be running");
  const t0 = performance.now();
  for (let i = 0; i < 20; i++)
    assert.equal(await a.cmd(["canary", "put", `during${i}`, String(i)]), { retval: 0, stdout: "stored", stderr: "" });
  const ms = performance.now() - t0;
  assert.ok(ms < 10_000, `20 canary writes took ${Math.round(ms)} ms during the flood`);
  for (let i = 0; i < 20; i++)
    assert.equal(await a.cmd(["canary", "get", `during${i}`]), { retval: 0, stdout: String(i), stderr: "" });
  assert.ok(Number((await a.cmd(["res_store_flood"])).stdout) > 20, "the flood kept going meanwhile");
  await a.checkHost();
});

test.run();
