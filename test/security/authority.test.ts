// Rule 5 of the issue, "no ambient authority": every function injected into an isolate takes
// only copied plain data in, gives only copied plain data out, and is bound to its module when
// the table is built, so module A cannot make the host act as module B whatever it passes.
// Checked from inside an isolate (what a module sees) and on buildHostTable() itself.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { buildHostTable, type ModuleContext } from "../../runtime/api/index.ts";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { KvStore, ModuleStore, openSqliteStore } from "../../runtime/store/index.ts";
import { cleanup, tempDir } from "../_util.ts";
import { Arena, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
const closers: (() => Promise<unknown> | unknown)[] = [];
test.after.each(async () => {
  await a?.close();
  a = undefined;
  for (const c of closers.splice(0).reverse()) await c();
});

// ---- what a module sees ----------------------------------------------------------------------

test("every value the injected functions return is plain data of the isolate's realm: no functions, accessors or host prototypes", async () => {
  a = await Arena.open({ hostile: { auth_plain_results: { allow: { commands: ["osd pool ls"] } } } });
  assert.equal(await a.report(["auth_plain_results"]), {
    types: {
      get: "object",
      getHealth: "object",
      getServer: "object",
      listServers: "array",
      getMetadata: "object",
      getDaemonStatus: "object",
      getPerfSchema: "object",
      getCounter: "object",
      getLatestCounter: "object",
      haveMonConnection: "boolean",
      getMgrId: "string",
      getActiveUri: "string",
      getModuleOption: "string",
      getStore: "string",
      getStorePrefix: "object",
      stopping: "boolean",
      sendCommand: "object",
      setStore: "undefined",
    },
    bad: [],
  });
  await a.checkHost();
});

test("a module cannot speak for the daemon or another module by raising the daemon's MGR_MODULE_ERROR check", async () => {
  // res_loop_ctor fails at start, so the daemon has a real MGR_MODULE_ERROR to report
  a = await Arena.open({ hostile: { auth_health_forge: {}, res_loop_ctor: {} } });
  const r = await a.report<{ threw?: { name: string; message: string } }>(["auth_health_forge"]);
  assert.ok(r.threw, "raising MGR_MODULE_ERROR from a module is refused");
  assert.match(r.threw!.message, /MGR_MODULE_ERROR/);
  const health = (await a.cmd(["health", "detail"])).stdout;
  assert.ok(
    health.includes("Module 'res_loop_ctor' has failed"),
    `the daemon's own report of the failed module is intact:\n${health}`,
  );
  assert.not.ok(
    health.includes("Module 'canary' has failed"),
    `a module made the daemon report the canary failed:\n${health}`,
  );
  await a.checkHost();
});

// ---- buildHostTable() itself ---------------------------------------------------------------

interface Bench {
  kv: KvStore;
  table: (name: string) => ReturnType<typeof buildHostTable>;
  calls: string[];
}

/** Real store and sim cluster; each module's context records what the host did on its behalf. */
async function bench(): Promise<Bench> {
  const dir = tempDir("tsmgr-sec-table-");
  const kv = await KvStore.open(openSqliteStore(join(dir, "store.db")));
  const cluster = createSimCluster({ hosts: 1, osdsPerHost: 2, seed: 1, tickMs: 0 });
  await cluster.start();
  closers.push(
    () => cleanup(dir),
    () => kv.close(),
    () => cluster.stop(),
  );
  const calls: string[] = [];
  const table = (name: string) => {
    const store = new ModuleStore(kv, name);
    closers.push(() => store.dispose());
    const ctx: ModuleContext = {
      name,
      role: "active",
      mgrId: "t",
      mgrIp: "127.0.0.1",
      phase: () => "running",
      log: (level, message) => void calls.push(`${name}:log:${level}:${message}`),
      activeUri: () => "",
      getOption: (opt) => {
        calls.push(`${name}:getOption:${opt}`);
        return null;
      },
      serveHttp: (address) => {
        calls.push(`${name}:serveHttp:${address}`);
        return "";
      },
      cluster,
      store,
      dataGranted: () => true,
      unknownData: () => {},
      sendCommand: async (cmd) => {
        calls.push(`${name}:sendCommand:${JSON.stringify(cmd)}`);
        return { retval: 0, stdout: "", stderr: "" };
      },
      setOption: async (opt, value) => void calls.push(`${name}:setOption:${opt}=${JSON.stringify(value)}`),
      setHealthChecks: (checks) => void calls.push(`${name}:setHealthChecks:${JSON.stringify(checks)}`),
      // ---- remote calls, progress events, cluster log (issue 15) ----
      remote: async (target, method, args) => (calls.push(`${name}:remote:${target}.${method}${args}`), "null"),
      progress: {
        update: (id) => void calls.push(`${name}:progress:${id}`),
        complete: (id) => void calls.push(`${name}:progress-done:${id}`),
        fail: (id) => void calls.push(`${name}:progress-fail:${id}`),
      },
      clusterLog: (channel, _priority, message) => void calls.push(`${name}:clusterLog:${channel}:${message}`),
      getLocalizedOption: (opt) => {
        calls.push(`${name}:getLocalizedOption:${opt}`);
        return null;
      },
      setLocalizedOption: async (opt, value) =>
        void calls.push(`${name}:setLocalizedOption:${opt}=${JSON.stringify(value)}`),
      // ---- web-standard globals and fetch (issue 18) ----
      fetch: async (head) => (
        calls.push(`${name}:fetch:${head}`),
        "e" + JSON.stringify({ name: "PermissionDenied", message: "test" })
      ),
      fetchAbort: (id) => void calls.push(`${name}:fetchAbort:${String(id)}`),
    } as ModuleContext;
    return buildHostTable(ctx);
  };
  return { kv, table, calls };
}

test("buildHostTable() binds each function to its module: arguments naming module B never reach B's data", async () => {
  const { kv, table, calls } = await bench();
  await kv.set("mgr/b/secret", "b-secret");
  const A = table("a");
  const fn = (n: string) => A[n]!.fn as (...args: unknown[]) => unknown;
  for (const key of ["../b/secret", "mgr/b/secret", "/mgr/b/secret", "b/secret"])
    assert.is(fn("getStore")(key), undefined, key);
  for (const prefix of ["", "../", "../b/", "mgr/b/"]) assert.is(fn("getStorePrefix")(prefix), "{}", prefix);
  await fn("setStore")("../b/secret", "pwned");
  assert.is(kv.get("mgr/b/secret"), "b-secret");
  assert.is(kv.get("mgr/a/../b/secret"), "pwned", "the write landed in a's own namespace");
  await fn("sendCommand")(JSON.stringify({ prefix: "osd pool ls", module: "b" }), "");
  await fn("setModuleOption")("mgr/b/opt", JSON.stringify("x"));
  fn("setHealthChecks")(JSON.stringify({ FROM_B: { severity: "warning", summary: "b" } }));
  fn("log")("info", '{"module":"b"}');
  assert.ok(calls.length >= 4);
  assert.equal(
    calls.filter((c) => !c.startsWith("a:")),
    [],
    "every host action was taken on behalf of module a",
  );
});

test("buildHostTable() functions refuse non-string arguments with TypeError instead of coercing them", async () => {
  const { table } = await bench();
  const A = table("a");
  const refusedBy: Record<string, string> = {};
  const probe = async (name: string, args: unknown[]) => {
    try {
      await A[name]!.fn(...args);
      refusedBy[name] = "accepted";
    } catch (e) {
      refusedBy[name] = (e as Error).name;
    }
  };
  const obj = { toString: () => "osd_map" };
  await probe("getModuleOption", [obj]);
  await probe("dataVersion", [obj]);
  await probe("dataJson", [obj]);
  await probe("getServer", [obj]);
  await probe("getMetadata", ["osd", obj]);
  await probe("getCounter", ["osd", "0", obj]);
  await probe("getStore", [obj]);
  await probe("setStore", [obj, "v"]);
  await probe("getStorePrefix", [obj]);
  await probe("sendCommand", [{ prefix: "osd pool ls" }, ""]);
  await probe("setModuleOption", ["opt", { value: 1 }]);
  await probe("setHealthChecks", [{}]);
  await probe("serveHttp", [obj]);
  await probe("getLocalizedModuleOption", [obj]);
  await probe("setLocalizedModuleOption", ["opt", { value: 1 }]);
  await probe("getLocalizedStore", [obj]);
  await probe("setLocalizedStore", [obj, "v"]);
  for (const [name, outcome] of Object.entries(refusedBy)) assert.is(outcome, "TypeError", `${name}() given an object`);
});

test("buildHostTable() functions return only primitives (JSON text for structured data), never host objects", async () => {
  const { table } = await bench();
  const A = table("a");
  const calls: [string, unknown[]][] = [
    ["getMgrId", []],
    ["getMgrIp", []],
    ["getActiveUri", []],
    ["getModuleOption", ["opt"]],
    ["dataVersion", ["osd_map"]],
    ["dataJson", ["osd_map"]],
    ["getServer", ["host0"]],
    ["listServers", []],
    ["getMetadata", ["osd", "0"]],
    ["getDaemonStatus", ["osd", "0"]],
    ["getPerfSchema", ["osd", "0"]],
    ["getCounter", ["osd", "0", "osd.op_w"]],
    ["getLatestCounter", ["osd", "0", "osd.op_w"]],
    ["haveMonConnection", []],
    ["getStore", ["k"]],
    ["getStorePrefix", [""]],
    ["sendCommand", [JSON.stringify({ prefix: "osd pool ls" }), ""]],
    ["setStore", ["k", "v"]],
    ["setModuleOption", ["opt", "null"]],
    ["setHealthChecks", ["{}"]],
    // ---- remote calls, progress events, cluster log (issue 15) ----
    ["remote", ["b", "ls", "[]"]],
    ["updateProgressEvent", ["ev", "m", 0.5, "{}"]],
    ["completeProgressEvent", ["ev"]],
    ["failProgressEvent", ["ev", "m"]],
    ["clusterLog", ["cluster", 1, "m"]],
    ["getLocalizedModuleOption", ["opt"]],
    ["setLocalizedModuleOption", ["opt", "null"]],
    ["getLocalizedStore", ["k"]],
    ["setLocalizedStore", ["k", "v"]],
    // ---- perf counters, daemon commands, Ceph options ----
    ["getAllPerfCounters", [5, ""]],
    ["sendDaemonCommand", [JSON.stringify({ prefix: "version" }), "", "osd.0", ""]],
    ["getCephOption", ["fsid"]],
    ["getForeignCephOption", ["osd.0", "osd_max_backfills"]],
    ["get", ["mgr_ips"]],
    // ---- web-standard globals and fetch (issue 18) ----
    ["webRandom", [16]],
    ["webDigest", ["sha256", "abc"]],
    ["webUrlSource", []],
    [
      "fetch",
      [
        JSON.stringify({
          id: 1,
          method: "GET",
          url: "http://127.0.0.1:1/",
          headers: [],
          redirect: "follow",
          hasBody: false,
        }),
        "",
      ],
    ],
    ["fetchAbort", [1]],
  ];
  const kinds: Record<string, string> = {};
  for (const [name, args] of calls) {
    const v = await A[name]!.fn(...args);
    kinds[name] = v === null ? "null" : typeof v;
  }
  const bad = Object.entries(kinds).filter(([, k]) => !["string", "number", "boolean", "undefined"].includes(k));
  assert.equal(bad, [], "every result is a primitive");
  const table2 = Object.keys(A).filter((n) => !calls.some(([c]) => c === n) && n !== "log" && n !== "serveHttp");
  assert.equal(
    table2,
    [],
    "every injected function was checked (log is an event and serveHttp returns its URI string)",
  );
});

test.run();
