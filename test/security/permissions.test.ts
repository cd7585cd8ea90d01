// Permissions: what mgr.json does not grant a module stays out of reach, whatever it passes.
// The store namespace of another module, mon commands beyond allow.commands (or with forged
// fields), HTTP without allow.net, data beyond allow.data, another module's options and log
// identity, the frozen API itself, and everything a standby daemon must not call.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { buildHostTable, type ModuleContext } from "../../runtime/api/index.ts";
import { ModuleBuilder } from "../../runtime/loader/index.ts";
import { ModuleSandbox } from "../../runtime/sandbox/index.ts";
import { startTestDaemon, waitFor, type TestDaemon } from "../_util.ts";
import { Arena, HOSTILE, LIMITS, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
let standby: TestDaemon | undefined;
test.after.each(async () => {
  await standby?.stop();
  standby = undefined;
  await a?.close();
  a = undefined;
});

const refused = (name: string, message: string) => ({ threw: { name, message } });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.on("connect", () => (c.destroy(), resolve(true)));
    c.on("error", () => resolve(false));
  });
}

/** Every key the hostile module holds, from the daemon's view of the store. */
async function keysOf(a: Arena, module: string): Promise<string[]> {
  const dump = JSON.parse((await a.cmd(["config-key", "dump"], { format: "json" })).stdout) as Record<string, string>;
  return Object.keys(dump)
    .filter((k) => k.startsWith(`mgr/${module}/`))
    .sort();
}

// ---- the store -----------------------------------------------------------------------------

test("a module cannot read or overwrite another module's store keys with ../, raw or encoded key names", async () => {
  a = await Arena.open({ hostile: { perm_store_traversal: {} } });
  const r = await a.report<{ read: Record<string, unknown>; write: Record<string, unknown>; mine: number }>([
    "perm_store_traversal",
  ]);
  assert.equal(
    Object.values(r.read),
    [null, null, null, null, null, null, null],
    "no key name reads the canary's secret",
  );
  assert.equal(
    Object.values(r.write),
    [{}, {}, {}, {}, {}, {}, {}],
    "every write lands (in the module's own namespace)",
  );
  assert.is(r.mine, 7);
  const mine = await keysOf(a, "perm_store_traversal");
  assert.is(mine.length, 7);
  assert.ok(mine.includes("mgr/perm_store_traversal/../canary/secret"), mine.join(", "));
  await a.checkHost();
});

test("getStorePrefix() lists only the module's own keys, whatever the prefix", async () => {
  a = await Arena.open({ hostile: { perm_store_prefix: {} } });
  assert.equal(await a.report(["perm_store_prefix"]), {
    '""': { mine: "1" },
    '"../"': {},
    '"../canary/"': {},
    '"mgr/"': {},
    '"mgr/canary/"': {},
    '"/"': {},
    '"tsmgr/"': {},
    '"config/"': {},
  });
  await a.checkHost();
});

test("the store functions refuse non-strings, objects with toString and huge prefixes by type", async () => {
  a = await Arena.open({ hostile: { perm_store_forged_args: {} } });
  const r = await a.report<Record<string, { threw?: { name: string; message: string }; value?: unknown }>>([
    "perm_store_forged_args",
  ]);
  assert.equal(r.getNumber, refused("TypeError", "getStore(): key must be a non-empty string, got number"));
  assert.equal(r.getEmpty, refused("TypeError", 'getStore(""): key must be a non-empty string'));
  assert.equal(r.getToString, refused("TypeError", '() => "../canary/secret" could not be cloned.'));
  assert.equal(r.getPlainObject, refused("TypeError", "getStore(): key must be a non-empty string, got object"));
  assert.equal(r.getArray, refused("TypeError", "getStore(): key must be a non-empty string, got array"));
  assert.equal(r.setValueNumber, refused("TypeError", 'setStore("k"): value must be a string or null, got number'));
  assert.equal(r.setValueToString, refused("TypeError", '() => "../canary/secret" could not be cloned.'));
  assert.equal(r.setKeyArray, refused("TypeError", "setStore(): key must be a non-empty string, got array"));
  assert.equal(
    r.prefixHuge,
    refused("RangeError", "getStorePrefix(): the prefix is 5000 characters long: the limit is 4096"),
  );
  assert.equal(
    r.prefixToString,
    { value: {} },
    "the prelude turns the object into its own string: still the module's namespace",
  );
  assert.equal(await keysOf(a, "perm_store_forged_args"), []);
  await a.checkHost();
});

test("the cluster accessors refuse non-strings and oversized arguments with TypeError and RangeError", async () => {
  a = await Arena.open({ hostile: { perm_accessor_forged_args: {} } });
  const r = await a.report<Record<string, unknown>>(["perm_accessor_forged_args"]);
  assert.equal(r.getNumber, refused("TypeError", "get(): the data name must be a string, got number"));
  assert.equal(r.getHugeName, refused("RangeError", "get(): the data name is 300 characters long: the limit is 256"));
  assert.equal(
    r.metadataHuge,
    refused("RangeError", "getMetadata() argument 2 is 5000 characters long: the limit is 4096"),
  );
  assert.equal(
    r.optionHuge,
    refused("RangeError", "getModuleOption(): the option name is 300 characters long: the limit is 256"),
  );
  assert.equal(
    r.healthNotObject,
    refused("TypeError", "setHealthChecks(): pass an object of { CODE: { severity, summary, count?, detail? } }"),
  );
  assert.ok(
    "value" in (r.counterObject as object),
    "an object argument is turned into a string inside the isolate, not passed to the host",
  );
  await a.checkHost();
});

// ---- mon commands ----------------------------------------------------------------------------

test("a module cannot send a mon command mgr.json does not grant", async () => {
  a = await Arena.open({ hostile: { perm_send_ungranted: {} } });
  assert.equal(
    await a.report(["perm_send_ungranted"]),
    refused(
      "PermissionDenied",
      'module "perm_send_ungranted" requires permission to send the mon command "osd pool ls" (perm r): grant it in mgr.json at modules.perm_send_ungranted.allow.commands (e.g. ["osd pool ls"])',
    ),
  );
  await a.checkHost();
});

test("a module granted read commands cannot send commands that need write or exec caps", async () => {
  a = await Arena.open({ hostile: { perm_send_more_caps: { allow: { commands: ["r"] } } } });
  const denied = (prefix: string, perm: string) =>
    refused(
      "PermissionDenied",
      `module "perm_send_more_caps" requires permission to send the mon command "${prefix}" (perm ${perm}): grant it in mgr.json at modules.perm_send_more_caps.allow.commands (e.g. ["${prefix}"])`,
    );
  assert.equal(await a.report(["perm_send_more_caps"]), {
    read: 0,
    create: denied("osd pool create", "rw"),
    configKeySet: denied("config-key set", "rw"),
    authAdd: denied("auth get-or-create", "rwx"),
  });
  const pools = await a.cmd(["sim", "osd", "pool", "ls"]).catch(() => undefined);
  if (pools && pools.retval === 0) assert.not.match(pools.stdout, /evil/);
  await a.checkHost();
});

test("the grant is checked on the command as serialized: a toJSON swap or a flipping getter gains nothing", async () => {
  a = await Arena.open({ hostile: { perm_send_tojson_swap: { allow: { commands: ["osd pool ls"] } } } });
  const r = await a.report<{ swapped: unknown; flipping: { value: { retval: number; stderr: string } } }>([
    "perm_send_tojson_swap",
  ]);
  assert.equal(
    r.swapped,
    refused(
      "PermissionDenied",
      'module "perm_send_tojson_swap" requires permission to send the mon command "osd pool rm" (perm rw): grant it in mgr.json at modules.perm_send_tojson_swap.allow.commands (e.g. ["osd pool rm"])',
    ),
  );
  assert.is(
    r.flipping.value.retval,
    -22,
    "the getter was read once, as the granted prefix, and the extra argument refused",
  );
  assert.match(r.flipping.value.stderr, /^invalid command: unknown argument "pool" for "osd pool ls"/);
  await a.checkHost();
});

test("extra fields naming caps or another module are refused as unknown arguments, not obeyed", async () => {
  a = await Arena.open({ hostile: { perm_send_forged_fields: { allow: { commands: ["osd pool ls"] } } } });
  const r = await a.report<Record<string, { value?: { retval: number; stderr: string }; threw?: unknown }>>([
    "perm_send_forged_fields",
  ]);
  assert.is(r.caps!.value!.retval, -22);
  assert.match(r.caps!.value!.stderr, /^invalid command: unknown argument "caps" for "osd pool create"/);
  assert.is(r.module!.value!.retval, -22);
  assert.match(r.module!.value!.stderr, /^invalid command: unknown argument "module" for "osd pool create"/);
  await a.checkHost();
});

test("a command result with forged fields is reduced to retval, stdout and stderr, with retval made negative", async () => {
  a = await Arena.open({ hostile: { perm_forged_result: {} } });
  assert.equal(await a.cmd(["perm_forged_result"]), { retval: -13, stdout: "forged", stderr: "" });
  await a.checkHost();
});

// ---- HTTP, data, options, logs, the API object ----------------------------------------------

test("a module cannot listen for HTTP without an allow.net grant", async () => {
  a = await Arena.open({ hostile: { perm_serve_http_ungranted: {} } });
  assert.equal(
    await a.report(["perm_serve_http_ungranted"]),
    refused(
      "PermissionDenied",
      'module "perm_serve_http_ungranted" requires net access to serve HTTP: grant an address in mgr.json at modules.perm_serve_http_ungranted.allow.net (e.g. ["127.0.0.1:PORT"]), then run tsmgr module reload perm_serve_http_ungranted',
    ),
  );
  assert.equal(
    (JSON.parse((await a.cmd(["mgr", "services"], { format: "json" })).stdout) as Record<string, string>)
      .perm_serve_http_ungranted,
    undefined,
  );
  await a.checkHost();
});

test("a module granted one address cannot listen on another port or on every interface", async () => {
  const [granted, other] = [await freePort(), await freePort()];
  a = await Arena.open({ hostile: { perm_serve_http_other_port: { allow: { net: [`127.0.0.1:${granted}`] } } } });
  const denied = (addr: string) =>
    refused(
      "PermissionDenied",
      `module "perm_serve_http_other_port" requires net access to "${addr}": grant it in mgr.json at modules.perm_serve_http_other_port.allow.net, then run tsmgr module reload perm_serve_http_other_port`,
    );
  for (const addr of [`127.0.0.1:${other}`, `0.0.0.0:${granted}`, `[::]:${granted}`, `localhost:${granted}`]) {
    assert.equal(await a.report(["perm_serve_http_other_port", addr]), denied(addr), addr);
  }
  assert.is(await connects(other), false, "nothing listens on the ungranted port");
  await a.checkHost();
});

test("a module cannot read cluster data beyond allow.data", async () => {
  a = await Arena.open({ hostile: { perm_data_ungranted: { allow: { data: ["health"] } } } });
  assert.equal(await a.report(["perm_data_ungranted"]), {
    granted: "object",
    osdMap: refused(
      "PermissionDenied",
      'module "perm_data_ungranted" requires data access to "osd_map": grant it in mgr.json at modules.perm_data_ungranted.allow.data',
    ),
    viaApi: refused(
      "PermissionDenied",
      'module "perm_data_ungranted" requires data access to "pg_summary": grant it in mgr.json at modules.perm_data_ungranted.allow.data',
    ),
  });
  await a.checkHost();
});

test("a module cannot read or set another module's options through its own option functions", async () => {
  a = await Arena.open({ hostile: { perm_other_option: {} } });
  // it declares none itself: only the four every module has (log_level, ...)
  const none = (n: string) =>
    refused(
      "Error",
      `module perm_other_option has no option "${n}": declared options are log_level, log_to_file, log_to_cluster, log_to_cluster_level`,
    );
  assert.equal(await a.report(["perm_other_option"]), {
    get: none("secret_option"),
    getPath: none("mgr/canary/secret_option"),
    set: none("secret_option"),
    setPath: none("../canary/secret_option"),
  });
  assert.equal(await a.cmd(["config", "get", "mgr", "mgr/canary/secret_option"]), {
    retval: 0,
    stdout: "canary-default",
    stderr: "",
  });
  await a.checkHost();
});

test("a module cannot forge log records of another module: each line stays one record of its own, cut at 16 KiB", async () => {
  a = await Arena.open({ hostile: { perm_log_spoof: {} } });
  assert.equal(await a.report(["perm_log_spoof"]), "logged");
  const spoofed = a.d.logs.filter((l) => l.msg.includes("SPOOFED"));
  assert.is(spoofed.length, 2);
  assert.equal(
    spoofed.map((l) => l.module),
    ["perm_log_spoof", "perm_log_spoof"],
  );
  assert.ok(spoofed[0]!.msg.startsWith("innocent\n{"), "the forged record is text inside the attacker's own record");
  assert.is(spoofed[1]!.msg, "SPOOFED level");
  assert.not.ok(a.d.logs.some((l) => l.module === "canary" && /SPOOFED/.test(l.msg)));
  const long = a.d.logs.find((l) => l.module === "perm_log_spoof" && l.msg.startsWith("xxxx"));
  assert.is(long?.msg.length, 16384 + "…(truncated)".length);
  assert.ok(long!.msg.endsWith("…(truncated)"));
  await a.checkHost();
});

test("the injected API is frozen: a module cannot replace, extend, delete or redefine it", async () => {
  a = await Arena.open({ hostile: { perm_api_overwrite: {} } });
  assert.equal(await a.report(["perm_api_overwrite"]), {
    assignMember: refused("TypeError", "Cannot assign to read only property 'getStore' of object '#<Object>'"),
    addMember: refused("TypeError", "Cannot add property extra, object is not extensible"),
    deleteApi: refused("TypeError", "Cannot delete property '__tsmgr' of #<Object>"),
    assignApi: refused("TypeError", "Cannot assign to read only property '__tsmgr' of object '#<Object>'"),
    defineApi: refused("TypeError", "Cannot redefine property: __tsmgr"),
    frozen: true,
    stillWorks: true,
  });
  await a.checkHost();
});

// ---- standby ---------------------------------------------------------------------------------

// a standby reads the store and localized settings, as Ceph's standbys do (issue 15 item 8)
const STANDBY_ONLY =
  "MgrStandbyModule offers only log, getMgrId, getMgrIp, getActiveUri, getModuleOption, serveHttp, getStore, getLocalizedModuleOption, getLocalizedStore, getCephOption, get, serve and shutdown";
const notOnStandby = (fn: string) =>
  refused("PermissionDenied", `${fn}() is not available on a standby daemon: ${STANDBY_ONLY}`);
const STANDBY_REPORT = {
  get: refused(
    "PermissionDenied",
    `get("osd_map") is not available on a standby daemon: a standby reads only get("mgr_ips"); ${STANDBY_ONLY}`,
  ),
  getServer: notOnStandby("getServer"),
  listServers: notOnStandby("listServers"),
  getMetadata: notOnStandby("getMetadata"),
  getStore: {},
  getStorePrefix: notOnStandby("getStorePrefix"),
  setStore: notOnStandby("setStore"),
  sendCommand: notOnStandby("sendCommand"),
  setHealthChecks: notOnStandby("setHealthChecks"),
  hidden: [],
  allowed: { mgrId: "string", uri: "string" },
};

test("a standby daemon's module cannot call the active-only API: each call names itself and the standby surface", async () => {
  a = await Arena.open({ hostile: { perm_standby_api: {} } });
  // a second daemon in the same group (same data dir) becomes a standby and runs the Standby class
  standby = await startTestDaemon(a.dir, { ...a.overrides, id: "s" });
  assert.is(standby.isActive(), false);
  const line = await waitFor(
    () => standby!.logs.find((l) => l.module === "perm_standby_api" && l.msg.startsWith("REPORT ")),
    "the standby module's report",
  );
  assert.equal(JSON.parse(line.msg.slice("REPORT ".length)), STANDBY_REPORT);
  // the attempt changed nothing the active daemon holds
  assert.equal(await a.cmd(["config-key", "exists", "mgr/perm_standby_api/k"]), {
    retval: -2,
    stdout: "",
    stderr: "key 'mgr/perm_standby_api/k' doesn't exist",
  });
  await a.checkHost();
});

test("buildHostTable() gives a standby exactly the standby surface, and a real standby isolate finds nothing else", async () => {
  const logs: string[] = [];
  const ctx = {
    name: "perm_standby_api",
    role: "standby",
    mgrId: "t",
    phase: () => "running",
    log: (_level: string, message: string) => void logs.push(message),
    activeUri: () => "",
    getOption: () => null,
    store: { get: () => undefined },
    serveHttp: () => {
      throw new Error("not granted");
    },
  } as unknown as ModuleContext;
  const table = buildHostTable(ctx);
  assert.equal(Object.keys(table).sort(), [
    "get",
    "getActiveUri",
    "getCephOption",
    "getLocalizedModuleOption",
    "getLocalizedStore",
    "getMgrId",
    "getMgrIp",
    "getModuleOption",
    "getStore",
    "log",
    "serveHttp",
    // the web globals' host halves (crypto, URL's lazy source): a standby's module has them too
    "webDigest",
    "webRandom",
    "webUrlSource",
  ]);
  const builder = new ModuleBuilder("perm_standby_api", join(HOSTILE, "perm_standby_api.ts"), HOSTILE);
  const bundle = await builder.build();
  await builder.dispose();
  const sb = await ModuleSandbox.create({
    name: "perm_standby_api",
    role: "standby",
    bundle,
    displayPath: (s) => s,
    memoryMb: LIMITS.memoryMb,
    callTimeoutMs: LIMITS.callTimeoutMs,
    maxTimers: 10,
    host: table,
    onFatal: (e) => logs.push(`FATAL ${e.message}`),
    onTimerError: (e) => logs.push(`TIMER ${e.message}`),
  });
  try {
    await sb.construct("standby");
    await sb.serve();
    const line = logs.find((l) => l.startsWith("REPORT "));
    assert.ok(line, logs.join("\n"));
    assert.equal(JSON.parse(line!.slice("REPORT ".length)), {
      ...STANDBY_REPORT,
      allowed: { mgrId: "string", uri: "string" },
    });
    const err = await sb.call("handleCommand", ["", { prefix: "x" }]).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.is(
      err?.message,
      "no such entry point: handleCommand",
      "a standby isolate does not dispatch active entry points",
    );
  } finally {
    sb.dispose();
  }
});

test.run();
