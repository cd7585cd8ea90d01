// The audit log: bounded (oldest dropped, counted), module decisions rate-bounded per module
// (the rest counted), hot-path allowances counted and never logged, shared through the store
// (a second AuditLog on the same store file sees the same records); `audit ls` on a daemon.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AuditLog, parseSince } from "../../runtime/audit/index.ts";
import { KvStore, openSqliteStore } from "../../runtime/store/index.ts";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

const unit = suite("AuditLog");
let dir = "";
let kv: KvStore;
const logs: AuditLog[] = [];
const open = (opts: ConstructorParameters<typeof AuditLog>[3] = {}, daemon = "a") => {
  const a = new AuditLog(kv, daemon, () => {}, opts);
  logs.push(a);
  return a;
};
unit.before.each(async () => {
  dir = tempDir("tsmgr-audit-");
  kv = await KvStore.open(openSqliteStore(join(dir, "store.db")));
});
unit.after.each(async () => {
  for (const a of logs.splice(0)) await a.dispose();
  await kv.close();
  cleanup(dir);
});

unit("keeps the last maxRecords records, dropping (and counting) the oldest first", async () => {
  const a = open({ maxRecords: 5 });
  for (let i = 0; i < 8; i++) await a.operator("config-key set", "rw", { key: `k${i}`, val: "secret" }, "*", 0);
  const recs = a.records();
  assert.equal(
    recs.map((r) => r.args!.key),
    ["k3", "k4", "k5", "k6", "k7"],
  );
  assert.is(a.dropped(), 3);
  assert.is(recs[0]!.args!.val, "<redacted>", "values of config-key set are not logged");
  assert.is(kv.prefix("tsmgr/audit/log/").length, 5);
});

unit("a module's denials are rate-bounded: the rest are counted and logged as one suppressed record", async () => {
  let now = 1_000_000;
  const a = open({ burst: 3, perSec: 1, now: () => now });
  for (let i = 0; i < 1000; i++)
    a.decision("flood", { fn: "get", asked: "osd_map", allowed: false, key: "allow.data" });
  await a.flush();
  const recs = a.records({ module: "flood" });
  assert.equal(
    recs.map((r) => r.kind),
    ["grant", "grant", "grant", "suppressed"],
  );
  assert.is(recs[3]!.count, 997);
  assert.is(recs[0]!.key, "modules.flood.allow.data");
  assert.equal(a.counts().flood!.get, { allowed: 0, denied: 1000, suppressed: 997 });
  now += 2000; // two tokens later, denials are logged again
  a.decision("flood", { fn: "get", asked: "pg_dump", allowed: false, key: "allow.data" });
  assert.is(a.records({ module: "flood" }).at(-1)!.asked, "pg_dump");
});

unit("allowed get() decisions are counted, never logged", async () => {
  const a = open();
  for (let i = 0; i < 500; i++) a.decision("reader", { fn: "get", asked: "osd_map", allowed: true, key: "allow.data" });
  assert.equal(a.records(), []);
  assert.is(a.counts().reader!.get!.allowed, 500);
});

unit("every AuditLog on the shared store sees the same records, in sequence", async () => {
  const a = open({}, "a");
  await a.operator("mgr fail", "rw", {}, "*", 0);
  const b = open({}, "b");
  await b.operator("module enable", "rw", { module: "x" }, "rw", 0);
  await a.operator("module disable", "rw", { module: "x" }, "*", 0);
  const seen = (l: AuditLog) => l.records().map((r) => `${r.seq}:${r.daemon}:${r.command}`);
  assert.equal(seen(a), ["1:a:mgr fail", "2:b:module enable", "3:a:module disable"]);
  assert.equal(seen(b), seen(a));
});

unit("parseSince() takes ISO times and ages; anything else is a SyntaxError naming both forms", () => {
  assert.is(parseSince("2024-05-01T12:00:00Z"), Date.UTC(2024, 4, 1, 12));
  assert.is(parseSince("10m", 1_000_000), 400_000);
  for (const bad of ["yesterday", "2024-13-45", "10 minutes", "", "1700000000"]) {
    assert.throws(
      () => parseSince(bad),
      (e: Error) =>
        e instanceof SyntaxError && /an ISO 8601 time .* or an age such as 30s, 10m, 2h, 7d/.test(e.message),
      bad,
    );
  }
});

unit.run();

const live = suite("audit ls on a daemon");
let d: TestDaemon;
live.before(async () => {
  dir = tempDir("tsmgr-audit-d-");
  mkdirSync(join(dir, "modules"));
  copyFileSync(
    join(ROOT, "test", "fixtures", "hostile", "perm_data_ungranted.ts"),
    join(dir, "modules", "perm_data_ungranted.ts"),
  );
  copyFileSync(join(ROOT, "test", "fixtures", "hostile", "_lib.ts"), join(dir, "modules", "_lib.ts"));
  d = await startTestDaemon(dir, { modules: { perm_data_ungranted: { enabled: true, allow: { data: ["health"] } } } });
});
live.after(async () => {
  await d?.stop();
  cleanup(dir);
});

live("operator actions are logged with their caps and result; secrets are not", async () => {
  await d.command(["config-key", "set", "app/password", "hunter2"]);
  await d.command(["module", "disable", "nosuch"]);
  const r = await d.command(["audit", "ls"]);
  assert.is(r.retval, 0, r.stderr);
  assert.match(r.stdout, /operator\s+-\s+config-key set key=app\/password val=<redacted>\s+ok\s+caps \*/);
  assert.match(r.stdout, /operator\s+-\s+module disable module=nosuch\s+errno 2/);
  assert.not.match(r.stdout, /hunter2/);
  const reads = await d.command(["config-key", "get", "app/password"]);
  assert.is(reads.retval, 0);
  assert.not.match((await d.command(["audit", "ls"])).stdout, /config-key get/, "reads are not operator actions");
});

live("a module's refused get() is logged with the grant that refused it; --denied and --module filter", async () => {
  await d.command(["perm_data_ungranted"]);
  const r = await waitFor(async () => {
    const out = await d.command(["audit", "ls", "--module", "perm_data_ungranted", "--denied"], { format: "json" });
    const recs = (JSON.parse(out.stdout) as { records: { fn: string; asked: string; key: string; allowed: boolean }[] })
      .records;
    return recs.length >= 2 ? recs : undefined;
  }, "the denials in the audit log");
  assert.ok(r.every((x) => !x.allowed && x.fn === "get" && x.key === "modules.perm_data_ungranted.allow.data"));
  assert.equal(r.map((x) => x.asked).slice(0, 2), ["osd_map", "pg_summary"]);
});

live("audit ls --since with a bad time is EINVAL naming the accepted formats", async () => {
  const r = await d.command(["audit", "ls", "--since", "yesterday"]);
  assert.is(r.retval, -22);
  assert.match(
    r.stderr,
    /^audit ls --since: "yesterday" is not a time: give an ISO 8601 time \(2024-05-01 or 2024-05-01T12:00:00Z\) or an age such as 30s, 10m, 2h, 7d$/,
  );
  const ok = await d.command(["audit", "ls", "--since", "1h"], { format: "json" });
  assert.is(ok.retval, 0, ok.stderr);
});

live.run();
