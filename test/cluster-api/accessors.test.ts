// Cluster data as a module sees it through a real daemon and the simulated cluster: frozen
// snapshots shared within an epoch, Ceph's answers for missing data, sendCommand with grants and
// notify("command"), and notify delivery rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

let dir = "";
let d: TestDaemon | undefined;
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

async function daemon(grants: Record<string, unknown> = {}): Promise<TestDaemon> {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test/fixtures/modules/data_user.ts"), join(dir, "modules/data_user.ts"));
  return startTestDaemon(dir, { modules: { data_user: { enabled: true, ...grants } } });
}
const out = async (argv: string[]) => {
  const r = await d!.command(argv);
  assert.is(r.retval, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test("get() returns Ceph's shapes, the same frozen object within an epoch, and a new one after a change", async () => {
  d = await daemon();
  const m1 = await out(["du", "get", "osd_map"]);
  assert.type(m1.epoch, "number");
  assert.is(m1.osds.length, 4);
  assert.is(await out(["du", "same", "osd_map"]), true);
  const r = await d.command(["du", "mutate"]);
  assert.is(r.retval, -22);
  assert.match(r.stderr, /TypeError: Cannot assign to read only property 'epoch'/);
  await d.command(["sim", "osd", "down", "1"]);
  const m2 = await out(["du", "get", "osd_map"]);
  assert.ok(m2.epoch > m1.epoch);
  assert.is(m2.osds.find((o: { osd: number }) => o.osd === 1).up, 0);
  const health = await out(["du", "get", "health"]);
  assert.type(health.json, "string");
  assert.type(JSON.parse(health.json).status, "string");
});

test("a snapshot is deep-frozen, also when module code added enumerable keys to Object.prototype (which stay its own)", async () => {
  d = await daemon();
  // each name read here for the first time, so it is parsed and frozen inside this command
  for (const [name, pollute] of [
    ["mon_map", "no"],
    ["pg_dump", "yes"],
    ["osd_map", "no"],
  ]) {
    assert.equal(
      await out(["du", "frozen", name!, pollute!]),
      { deep: true, extraFrozen: false },
      `${name} ${pollute}`,
    );
  }
});

test("an unknown data name gives null and a warning naming the valid ones", async () => {
  d = await daemon();
  assert.is(await out(["du", "get", "no_such_thing"]), null);
  const w = await waitFor(
    () => d!.logs.find((l) => l.module === "data_user" && l.msg.startsWith('get("no_such_thing"): no such data')),
    "the warning",
  );
  assert.match(w.msg, /valid names are .*osd_map.*pg_dump/);
});

test("missing metadata, hosts and counters answer as Ceph does, never throwing", async () => {
  d = await daemon();
  assert.is(await out(["du", "meta", "osd", "nope"]), null);
  assert.is(await out(["du", "meta", "nosuchtype", "0"]), null);
  const meta = await out(["du", "meta", "osd", "0"]);
  assert.type(meta.hostname, "string");
  assert.equal(await out(["du", "server", "no-such-host"]), {
    hostname: "no-such-host",
    services: [],
    ceph_version: "",
  });
  const servers = await out(["du", "servers"]);
  assert.is(servers.length, 2);
  const server = await out(["du", "server", servers[0].hostname]);
  assert.ok(server.services.some((s: { type: string }) => s.type === "osd"));
  const c = await out(["du", "counter"]);
  assert.ok(Array.isArray(c.c["osd.op_w"]));
  assert.equal(c.none, { "x.y": [] });
  assert.ok(c.s.length > 0);
});

test("sendCommand needs a grant: refused with the mgr.json key, allowed by prefix, and notify('command') follows", async () => {
  d = await daemon({ allow: { commands: ["osd pool ls"] } });
  const denied = await d.command(["du", "send", JSON.stringify({ prefix: "osd pool create", pool: "p1", pg_num: 8 })]);
  assert.is(denied.retval, -22);
  assert.is(
    denied.stderr,
    'PermissionDenied: module "data_user" requires permission to send the mon command "osd pool create" (perm rw): grant it in mgr.json at modules.data_user.allow.commands (e.g. ["osd pool create"])',
  );
  const ls = await out(["du", "send", JSON.stringify({ prefix: "osd pool ls", format: "json" })]);
  assert.is(ls.retval, 0);
  assert.ok(Array.isArray(JSON.parse(ls.stdout)));
  await waitFor(
    async () => (await out(["du", "notifies"])).some((n: string) => n.startsWith("command:data_user.")),
    "notify('command', tag)",
  );
});

test("sendCommand with the r class may read but not write; errors come back as Ceph's", async () => {
  d = await daemon({ allow: { commands: ["r"] } });
  const bad = await out(["du", "send", JSON.stringify({ prefix: "osd pool get", pool: "nope", var: "size" })]);
  assert.equal(bad, { retval: -2, stdout: "", stderr: "unrecognized pool 'nope'", tag: bad.tag });
  assert.match(bad.tag, /^data_user\.\d+$/);
  const malformed = await out([
    "du",
    "send",
    JSON.stringify({ prefix: "osd pool get", pool: "nope", var: "bogus_var" }),
  ]);
  assert.is(malformed.retval, -22);
  const write = await d.command(["du", "send", JSON.stringify({ prefix: "osd out", ids: ["0"] })]);
  assert.match(write.stderr, /PermissionDenied: .*"osd out"/);
});

test("granted writes change the maps and deliver the matching notify", async () => {
  d = await daemon({ allow: { commands: ["rw"] } });
  const before = await out(["du", "get", "osd_map"]);
  const r = await out(["du", "send", JSON.stringify({ prefix: "osd pool create", pool: "newpool", pg_num: 8 })]);
  assert.is(r.retval, 0, r.stderr);
  const after = await out(["du", "get", "osd_map"]);
  assert.ok(after.pools.some((p: { pool_name: string }) => p.pool_name === "newpool"));
  assert.ok(after.epoch > before.epoch);
  await waitFor(async () => (await out(["du", "notifies"])).includes("osd_map:"), "notify('osd_map')");
});

test("a data name not granted in allow.data is refused with PermissionDenied naming the key", async () => {
  d = await daemon({ allow: { data: ["osd_map"] } });
  assert.type((await out(["du", "get", "osd_map"])).epoch, "number");
  const r = await d.command(["du", "get", "pg_dump"]);
  assert.is(
    r.stderr,
    'PermissionDenied: module "data_user" requires data access to "pg_dump": grant it in mgr.json at modules.data_user.allow.data',
  );
});

test("a burst of the same notify is coalesced and delivered in order, one at a time", async () => {
  d = await daemon();
  for (let i = 0; i < 30; i++) await d.command(["sim", "osd", i % 2 ? "up" : "down", "2"]);
  const notes = await waitFor(async () => {
    const n = (await out(["du", "notifies"])) as string[];
    return n.filter((x) => x === "osd_map:").length >= 2 ? n : undefined;
  }, "osd_map notifies");
  const status = d.modules().find((m) => m.name === "data_user")!;
  const delivered = notes.filter((x: string) => x === "osd_map:").length;
  assert.ok(delivered < 30, `${delivered} of 30 osd_map notifies delivered: a burst is coalesced`);
  assert.ok(status.notifies_coalesced > 0);
});

test.run();
