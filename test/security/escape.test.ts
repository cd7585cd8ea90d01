// Escapes from the isolate: every way a module might reach the host realm (process, require,
// the host's Function, host objects, host stacks) through what the isolate holds, and every
// trap a module can lay in the values it throws or returns. Each attack is one hostile module
// in test/fixtures/hostile; the canary module answers throughout and the host is checked after.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Arena, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
test.after.each(async () => {
  await a?.close();
  a = undefined;
});

const refused = (name: string, message: string) => ({ threw: { name, message } });
const NO_PROCESS = refused("ReferenceError", "process is not defined");

test("a module cannot reach process or require through the Function constructor of its own class", async () => {
  a = await Arena.open({ hostile: { esc_ctor_chain: {} } });
  assert.equal(await a.report(["esc_ctor_chain"]), {
    process: NO_PROCESS,
    require: refused("ReferenceError", "require is not defined"),
    sameRealm: true,
  });
  await a.checkHost();
});

test("Function('return this')() and indirect eval give the isolate's own global, with nothing of the host on it", async () => {
  a = await Arena.open({ hostile: { esc_function_this: {} } });
  assert.equal(await a.report(["esc_function_this"]), {
    isIsolateGlobal: true,
    // fetch is the isolate's own, checked against modules.NAME.allow.fetch (test/security/fetch.test.ts)
    typeofs: [
      "process:undefined",
      "require:undefined",
      "module:undefined",
      "exports:undefined",
      "Buffer:undefined",
      "global:undefined",
      "fetch:function",
      "setImmediate:undefined",
    ],
    hostHandles: [],
  });
  await a.checkHost();
});

test("a dynamic import() hidden from the bundler is refused at run time", async () => {
  a = await Arena.open({ hostile: { esc_dynamic_import: {} } });
  const notSupported = refused("Error", "Not supported");
  assert.equal(await a.report(["esc_dynamic_import"]), {
    "node:child_process": notSupported,
    fs: notSupported,
    "data:text/javascript,export default 1": notSupported,
  });
  await a.checkHost();
});

test("a module cannot reach process through the Function constructor of an injected API function", async () => {
  a = await Arena.open({ hostile: { esc_api_fn_ctor: {} } });
  const r = await a.report<{ checked: number; escaped: string[]; foreign: string[]; refusals: string[] }>([
    "esc_api_fn_ctor",
  ]);
  assert.ok(r.checked >= 20, `every injected function was tried (${r.checked})`);
  assert.equal(r, {
    checked: r.checked,
    escaped: [],
    foreign: [],
    refusals: ["ReferenceError: process is not defined"],
  });
  await a.checkHost();
});

test("a module cannot reach process through the constructors of console.log and the timer functions", async () => {
  a = await Arena.open({ hostile: { esc_console_timer_ctor: {} } });
  assert.equal(await a.report(["esc_console_timer_ctor"]), {
    "console.log": NO_PROCESS,
    setTimeout: NO_PROCESS,
    setInterval: NO_PROCESS,
    clearTimeout: NO_PROCESS,
    queueMicrotask: NO_PROCESS,
  });
  await a.checkHost();
});

test("a get() snapshot is frozen plain data of the isolate's realm: no way back to the host from it", async () => {
  a = await Arena.open({ hostile: { esc_get_result: {} } });
  assert.equal(await a.report(["esc_get_result"]), {
    process: NO_PROCESS,
    fromArray: NO_PROCESS,
    ownRealm: true,
    frozen: true,
    notPlain: [],
  });
  await a.checkHost();
});

test("a sendCommand() result and its promise are the isolate's own: no way back to the host from them", async () => {
  a = await Arena.open({ hostile: { esc_send_result: { allow: { commands: ["osd pool ls"] } } } });
  const r = await a.report<Record<string, unknown>>(["esc_send_result"]);
  assert.equal(r, {
    result: {
      retval: 0,
      stdout: JSON.stringify(["device_health_metrics", "rbdpool"]),
      stderr: "",
      tag: "esc_send_result.1",
    },
    fromResult: NO_PROCESS,
    fromPromise: NO_PROCESS,
    ownRealm: true,
    notPlain: [],
  });
  await a.checkHost();
});

test("an error thrown or rejected by the host is an isolate TypeError with no way back to the host", async () => {
  a = await Arena.open({ hostile: { esc_host_error: {} } });
  const keys = ["message", "stack"];
  assert.equal(await a.report(["esc_host_error"]), {
    sync: {
      name: "TypeError",
      message: "getStore(): key must be a non-empty string, got number",
      isolateTypeError: true,
      process: NO_PROCESS,
      ownKeys: keys,
    },
    rejected: {
      name: "TypeError",
      message: "setStore(): key must be a non-empty string, got number",
      isolateTypeError: true,
      process: NO_PROCESS,
      ownKeys: keys,
    },
  });
  await a.checkHost();
});

test("an error thrown by the host carries no host stack frames or daemon source paths into the isolate", async () => {
  a = await Arena.open({ hostile: { leak_host_stack: {} } });
  assert.equal(await a.report(["leak_host_stack"]), { sync: [], rejected: [] });
  await a.checkHost();
});

test("Error.prepareStackTrace CallSites expose no prelude function or host receiver around host calls", async () => {
  a = await Arena.open({ hostile: { esc_prepare_stack: { allow: { commands: ["osd pool ls"] } } } });
  assert.equal(await a.report(["esc_prepare_stack"]), { sawFrames: true, exposed: [] });
  await a.checkHost();
});

test("a prepareStackTrace whose result never stringifies is never stringified: the error is answered as EINVAL", async () => {
  a = await Arena.open({ hostile: { esc_stack_trap: {} } });
  const r = await a.cmd(["esc_stack_trap"]);
  assert.equal(r, { retval: -22, stdout: "", stderr: "Error: stack trap" });
  assert.is(a.status("esc_stack_trap")?.state, "active");
  await a.checkHost();
});

test("a thrown object made by captureStackTrace, with a throwing prepareStackTrace, is answered as the module's own EINVAL", async () => {
  a = await Arena.open({ hostile: { esc_capture_stack: {} } });
  assert.equal(await a.cmd(["esc_capture_stack"]), {
    retval: -22,
    stdout: "",
    stderr: "PermissionDenied: forged by the module",
  });
  assert.is(a.status("esc_capture_stack")?.state, "active");
  await a.checkHost();
});

test("a thrown object whose message getter never returns is read without running the getter", async () => {
  a = await Arena.open({ hostile: { esc_throw_getter: {} } });
  const r = await a.cmd(["esc_throw_getter"]);
  assert.equal(r, { retval: -22, stdout: "", stderr: "Trap: " });
  assert.is(a.status("esc_throw_getter")?.state, "active");
  await a.checkHost();
});

test("throwing a number, null or undefined answers EINVAL naming the value, without the daemon's own stack frames", async () => {
  a = await Arena.open({ hostile: { esc_throw_nonerror: {} } });
  for (const [kind, shown] of [
    ["number", "42"],
    ["null", "null"],
    ["undefined", "undefined"],
  ]) {
    const r = await a.cmd(["esc_throw_nonerror", kind!]);
    assert.is(r.retval, -22, kind);
    assert.ok(r.stderr.startsWith(`Error: ${shown}`), `${kind}: ${r.stderr}`);
    assert.not.match(
      r.stderr,
      /runtime\/|isolate\.ts|module-runner\.ts|daemon\.ts/,
      `${kind}: the answer shows the daemon's own frames: ${r.stderr}`,
    );
  }
  assert.is(a.status("esc_throw_nonerror")?.state, "active");
  await a.checkHost();
});

test("throwing a symbol answers EINVAL and the module keeps running", async () => {
  a = await Arena.open({ hostile: { esc_throw_nonerror: {} } });
  assert.equal(await a.cmd(["esc_throw_nonerror", "symbol"]), {
    retval: -22,
    stdout: "",
    stderr: "Error: Symbol(s)",
  });
  assert.is(a.status("esc_throw_nonerror")?.state, "active");
  await a.checkHost();
});

test("toJSON, toString and valueOf traps on a handleCommand result run in the isolate and end as EINVAL", async () => {
  a = await Arena.open({ hostile: { esc_tojson_trap: {} } });
  const tojson = await a.cmd(["esc_tojson_trap", "tojson"]);
  assert.is(tojson.retval, -22);
  assert.match(
    tojson.stderr,
    /^TypeError: toJSON trap\n {4}at Object\.toJSON \(modules\/esc_tojson_trap\.ts:\d+:\d+\)/,
  );
  assert.equal(await a.cmd(["esc_tojson_trap", "tostring"]), {
    retval: -22,
    stdout: "",
    stderr:
      "module esc_tojson_trap returned a bad command result: stdout must be a string, got object: use JSON.stringify() for data",
  });
  assert.equal(await a.cmd(["esc_tojson_trap", "valueof"]), {
    retval: -22,
    stdout: "",
    stderr:
      "module esc_tojson_trap returned a bad command result: retval must be an integer (0 or a negative errno), got {}",
  });
  assert.is(a.status("esc_tojson_trap")?.state, "active");
  await a.checkHost();
});

test("SharedArrayBuffer, Atomics and WebAssembly are gone and cannot be rebuilt", async () => {
  a = await Arena.open({ hostile: { esc_sab_wasm: {} } });
  assert.equal(await a.report(["esc_sab_wasm"]), {
    typeofs: ["SharedArrayBuffer:undefined", "Atomics:undefined", "WebAssembly:undefined"],
    viaEval: { value: "undefinedundefinedundefined" },
    viaGrowable: { value: "function" },
    viaIntrinsic: { value: false },
  });
  await a.checkHost();
});

test("eval and new Function work inside the isolate and see nothing of the host", async () => {
  a = await Arena.open({ hostile: { esc_eval_allowed: {} } });
  assert.equal(await a.report(["esc_eval_allowed"]), {
    eval: { value: 42 },
    newFunction: { value: 42 },
    evalProcess: { value: "undefined/undefined" },
    functionProcess: NO_PROCESS,
  });
  await a.checkHost();
});

// ---- prototype pollution across the boundary ------------------------------------------

test("polluting Object.prototype in the isolate leaves the host's prototypes and the result check untouched", async () => {
  a = await Arena.open({ hostile: { pol_object_prototype: {} } });
  // retval is only inherited from the polluted prototype: the host sees a result without one
  assert.equal(await a.cmd(["pol_object_prototype"]), {
    retval: -22,
    stdout: "",
    stderr:
      "module pol_object_prototype returned a bad command result: retval must be an integer (0 or a negative errno), got undefined",
  });
  const o = {} as Record<string, unknown>;
  assert.equal(
    [o.polluted, o.retval, o.isAdmin, ([] as unknown as Record<string, unknown>).polluted],
    [undefined, undefined, undefined, undefined],
  );
  await a.checkHost();
});

test("a result carrying an own __proto__ key is read as data: the answer and the host's prototypes are unchanged", async () => {
  a = await Arena.open({ hostile: { pol_json_proto: {} } });
  assert.equal(await a.cmd(["pol_json_proto"]), { retval: 0, stdout: "proto", stderr: "" });
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  await a.checkHost();
});

test("health checks named __proto__ or constructor are refused and pollute nothing", async () => {
  a = await Arena.open({ hostile: { pol_health_proto: {} } });
  const r = await a.report<Record<string, { threw: { name: string; message: string } }>>(["pol_health_proto"]);
  assert.equal(r.proto!.threw.name, "TypeError");
  assert.ok(
    r.proto!.threw.message.startsWith(
      'setHealthChecks(): check code "__proto__" must be UPPER_CASE letters, digits and _',
    ),
    r.proto!.threw.message,
  );
  assert.ok(
    r.ctor!.threw.message.startsWith(
      'setHealthChecks(): check code "constructor" must be UPPER_CASE letters, digits and _',
    ),
    r.ctor!.threw.message,
  );
  assert.is((await a.cmd(["health"])).stdout, "HEALTH_OK");
  await a.checkHost();
});

test("store keys named __proto__ and constructor come back from getStorePrefix as own data properties", async () => {
  a = await Arena.open({ hostile: { pol_store_proto: {} } });
  assert.equal(await a.report(["pol_store_proto"]), {
    keys: ["__proto__", "constructor"],
    protoIsOwnData: '{"polluted":"yes"}',
    prototypeIntact: true,
    isolatePolluted: null,
  });
  await a.checkHost();
});

test("a mon command with an own __proto__ key is validated as sent: the hidden arguments are refused", async () => {
  a = await Arena.open({ hostile: { pol_send_proto: { allow: { commands: ["osd pool ls"] } } } });
  assert.equal(await a.report(["pol_send_proto"]), {
    retval: -22,
    stdout: "",
    stderr:
      'invalid command: unknown argument "__proto__" for "osd pool ls"; it takes detail\nusage: osd pool ls [<detail:detail>]',
    tag: "pol_send_proto.refused",
  });
  await a.checkHost();
});

test.run();
