// The outside review's attacks on the daemon's own commands (security issue, items 1–3): a
// read-only HTTP key reaching the peer key through config-key, a standby lending its admin rights
// to a forwarded command, and module commands shadowing built-ins or each other's commands.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { requestHttp } from "../../runtime/http/index.ts";
import { cleanup, startTestDaemon, tempDir, writeFiles, type TestDaemon } from "../_util.ts";

let dir = "";
let daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons.reverse()) await d.stop();
  daemons = [];
  cleanup(dir);
});

/** A module file declaring `cmds` (descriptor strings, perm "r") that echoes what it was given. */
function moduleWith(cmds: string[], perm = "r"): string {
  const list = cmds.map((c) => `{ cmd: ${JSON.stringify(c)}, desc: "x", perm: "${perm}" as const }`).join(", ");
  return `import { MgrModule } from "@tsmgr/sdk";
export default class M extends MgrModule {
  static COMMANDS = [${list}];
  async handleCommand(_i: string, cmd: Record<string, unknown>) { return { retval: 0, stdout: "captured " + JSON.stringify(cmd), stderr: "" }; }
}`;
}

async function daemonWith(modules: Record<string, string>, extra: Record<string, unknown> = {}): Promise<TestDaemon> {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), Object.fromEntries(Object.entries(modules).map(([n, src]) => [`${n}.ts`, src])));
  const enabled = Object.fromEntries(Object.keys(modules).map((n) => [n, { enabled: true }]));
  const d = await startTestDaemon(dir, { modules: enabled, ...extra });
  daemons.push(d);
  return d;
}

const key = async (d: TestDaemon, entity: string, caps: string) =>
  JSON.parse((await d.command(["auth", "add", entity, caps], { format: "json" })).stdout).key as string;

// ---- 1. nothing under tsmgr/ through config-key ----------------------------------------------

test("config-key get of the peer key is ENOENT for a read-only HTTP key, and for the admin too", async () => {
  const d = await daemonWith({}, { http: { listen: "127.0.0.1:0" } });
  const ro = await key(d, "reader", "r");
  const viaHttp = await requestHttp(d.httpAddress, { argv: ["config-key", "get", "tsmgr/auth/mgr.peer"] }, 5000, ro);
  assert.is(viaHttp.retval, -2, viaHttp.stderr);
  assert.is(viaHttp.stdout, "");
  for (const k of ["tsmgr/peer-key", "tsmgr/auth/reader", "tsmgr/modules/x/enabled"]) {
    const r = await d.command(["config-key", "get", k]);
    assert.is(r.retval, -2, `${k}: ${r.stdout}`);
    assert.is(r.stderr, `error obtaining '${k}': (2) No such file or directory`);
    assert.is((await d.command(["config-key", "exists", k])).retval, -2);
  }
});

test("config-key set, rm, ls and dump neither write nor show keys under tsmgr/", async () => {
  const d = await daemonWith({}, { http: { listen: "127.0.0.1:0" } });
  await key(d, "reader", "r");
  for (const argv of [
    ["config-key", "set", "tsmgr/auth/evil", '{"key":"k","caps":"*"}'],
    ["config-key", "rm", "tsmgr/auth/reader"],
    ["config-key", "set", "tsmgr/modules/x/enabled", "true"],
  ]) {
    const r = await d.command(argv);
    assert.is(r.retval, -13, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /keys under tsmgr\/ belong to the tsmgr daemon/);
  }
  const ls = JSON.parse((await d.command(["config-key", "ls"], { format: "json" })).stdout) as string[];
  assert.equal(
    ls.filter((k) => k.startsWith("tsmgr/")),
    [],
  );
  const dump = JSON.parse((await d.command(["config-key", "dump", "tsmgr/"], { format: "json" })).stdout);
  assert.equal(dump, {});
  assert.equal((await d.command(["auth", "ls"], { format: "json" })).stdout.includes("evil"), false);
});

test("auth keys are stored as salted hashes: the store never holds a caller's key in clear", async () => {
  const d = await daemonWith({}, { http: { listen: "127.0.0.1:0" } });
  const k = await key(d, "writer", "rw");
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(join(dir, "data", "store.db"), { readonly: true });
  const rows = db.prepare("SELECT * FROM kv").all() as Record<string, unknown>[];
  db.close();
  const text = JSON.stringify(rows);
  assert.ok(text.includes("tsmgr/auth/writer"), "the entry exists");
  assert.not.ok(text.includes(k), "the key itself is not in the store");
  const r = await requestHttp(d.httpAddress, { argv: ["config-key", "set", "a", "b"] }, 5000, k);
  assert.is(r.retval, 0, "the key still authenticates");
  const bad = await requestHttp(
    d.httpAddress,
    { argv: ["status"] },
    5000,
    k.slice(0, -1) + (k.endsWith("A") ? "B" : "A"),
  ).catch((e: Error) => e);
  assert.ok(bad instanceof Error || bad.retval !== 0, "a key one character off is refused");
});

// ---- 2. a forwarded command keeps its caller's caps -------------------------------------------

test("a standby forwards an r key's command with r caps: the active refuses w and x module commands", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), {
    "writes.ts": moduleWith(["writes do"], "w"),
    "execs.ts": moduleWith(["execs do"], "x"),
    "reads.ts": moduleWith(["reads do"], "r"),
  });
  const common = {
    election: { backend: "sqlite", leaseMs: 600 },
    modules: { writes: { enabled: true }, execs: { enabled: true }, reads: { enabled: true } },
  };
  const a = await startTestDaemon(dir, { ...common, id: "a" });
  daemons.push(a);
  const ro = await key(a, "reader", "r"); // before the standby starts: a SQLite standby reads keys at start
  const b = await startTestDaemon(dir, { ...common, id: "b", http: { listen: "127.0.0.1:0" } });
  daemons.push(b);
  assert.ok(a.isActive() && !b.isActive());
  const read = await requestHttp(b.httpAddress, { argv: ["reads", "do"] }, 5000, ro);
  assert.is(read.retval, 0, read.stderr);
  for (const argv of [
    ["writes", "do"],
    ["execs", "do"],
    ["config-key", "set", "k", "v"],
  ]) {
    const r = await requestHttp(b.httpAddress, { argv }, 5000, ro);
    assert.is(r.retval, -13, `${argv.join(" ")} through the standby: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /caps/);
  }
  assert.is((await a.command(["config-key", "get", "k"])).retval, -2, "nothing was written");
});

test("a request's own caps field can only narrow its channel's caps", async () => {
  const d = await daemonWith({ writes: moduleWith(["writes do"], "w") }, { http: { listen: "127.0.0.1:0" } });
  const ro = await key(d, "reader", "r");
  const r = await requestHttp(d.httpAddress, { argv: ["writes", "do"], caps: "*" }, 5000, ro);
  assert.is(r.retval, -13, "claiming * over an r key does not widen it");
  const narrowed = await d.command(["writes", "do"], { caps: "*" });
  assert.is(narrowed.retval, 0);
});

// ---- 3. no module takes a built-in's words or another module's --------------------------------

for (const [cmd, argv] of [
  ["health detail", ["health", "detail"]],
  ["config-key name=a,type=CephString name=b,type=CephString name=c,type=CephString", ["config-key", "set", "K", "V"]],
  ["mgr name=a,type=CephString name=b,type=CephString", ["mgr", "fail", "X"]],
  ["config name=a,type=CephString,n=N", ["config", "get", "mgr"]],
  ["auth name=a,type=CephString,n=N", ["auth", "add", "NAME", "r"]],
] as const) {
  test(`a module declaring "${cmd.split(" name=")[0]}" with arguments is a load error, and "${argv.join(" ")}" stays the daemon's`, async () => {
    const d = await daemonWith({ shadow: moduleWith([cmd]) });
    const st = d.modules().find((m) => m.name === "shadow")!;
    assert.is(st.state, "failed");
    assert.match(st.error!.message, /built-in tsmgr command|words meant for the built-in command/);
    const r = await d.command([...argv]);
    assert.not.match(r.stdout, /captured/);
    assert.is((await d.command(["config-key", "dump"])).retval, 0, "config-key dump still works");
  });
}

test("victim <a> <b> cannot take victim login SECRET from another module, in either load order", async () => {
  for (const [first, second] of [
    ["aaa_victim", "zzz_attacker"],
    ["zzz_victim", "aaa_attacker"],
  ] as const) {
    const d = await daemonWith({
      [first]: moduleWith(["victim login name=secret,type=CephString"]),
      [second]: moduleWith(["victim name=a,type=CephString name=b,type=CephString"]),
    });
    const victim = first.endsWith("victim") ? first : second;
    const answer = await d.command(["victim", "login", "SECRET"]);
    assert.is(answer.retval, 0, answer.stderr);
    const owner = d.modules().find((m) => m.commands.some((c) => c.startsWith("victim login")))!;
    assert.is(owner.name, victim);
    assert.match(answer.stdout, /"secret":"SECRET"/, `${first}/${second}: ${answer.stdout}`);
    await d.stop();
    daemons = [];
    cleanup(dir);
  }
});

test("a module whose prefix is the start of a running module's prefix is a load error naming both", async () => {
  const d = await daemonWith({
    aaa_victim: moduleWith(["victim login name=secret,type=CephString"]),
    zzz_attacker: moduleWith(["victim name=a,type=CephString name=b,type=CephString"]),
  });
  const st = d.modules().find((m) => m.name === "zzz_attacker")!;
  assert.is(st.state, "failed");
  assert.match(st.error!.message, /command "victim" would take words meant for "victim login" of module aaa_victim/);
});

test.run();
