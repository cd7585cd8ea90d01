// The shipped status module on the simulated cluster: `osd status` in Ceph's columns for every
// OSD, a host bucket or a pattern (an unknown bucket is ENOENT), `fs status` with standby MDSs
// in text and JSON (an unknown filesystem is EINVAL), and the PrettyTable layout it relies on.
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { renderTable } from "../../modules/_lib/table.ts";
import { formatBytes, formatDimless, toPrettyIec } from "../../modules/_lib/units.ts";
import { pyDumps } from "../../modules/_lib/pyjson.ts";
import { mgrText } from "../../modules/_lib/output.ts";
import { fsStatus } from "../../modules/status/fs-status.ts";
import type { StatusReader } from "../../modules/status/counters.ts";
import { readFileSync } from "node:fs";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

const test = suite("status module");
let dir = "";
let d: TestDaemon;

test.before(async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, {
    modulePath: join(ROOT, "modules"),
    modules: { status: JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")).modules.status },
  });
  await waitFor(() => d.modules().find((m) => m.name === "status")?.state === "active", "status to be active", 20_000);
});
test.after(async () => {
  await d.stop();
  cleanup(dir);
});

const HEADER = /^ID {2}HOST +USED {2}AVAIL {2}WR OPS {2}WR DATA {2}RD OPS {2}RD DATA {2}STATE +$/;

async function osdStatus(...words: string[]) {
  const r = await d.command(["osd", "status", ...words]);
  assert.is(r.retval, 0, r.stderr);
  const [header, ...rows] = r.stdout.split("\n");
  return { header: header ?? "", rows: r.stdout === "" ? [] : rows };
}

test("osd status lists every OSD with its host, space and state in Ceph's columns", async () => {
  const { header, rows } = await osdStatus();
  assert.match(header, HEADER);
  assert.is(rows.length, 4, "the test cluster's 2 hosts of 2 OSDs");
  for (const row of rows) {
    assert.is(row.length, header.length, `every line is as wide as the header: ${JSON.stringify(row)}`);
    assert.match(row, /^ +\d+ {2}node\d+ +\S+ +\S+ +\d+ +\S+ +\d+ +\S+ +exists,up {2}$/);
  }
});

test("osd status BUCKET keeps the OSDs of the matching buckets (fnmatch); a root's children are hosts", async () => {
  const host = (await osdStatus("node01")).rows;
  assert.ok(host.length > 0);
  assert.ok(
    host.every((r) => / node01 /.test(r)),
    host.join("\n"),
  );
  const both = (await osdStatus("node0[12]")).rows;
  assert.ok(both.length > host.length);
  assert.equal((await osdStatus("default")).rows, [], "a root's items are hosts, as in Ceph");
});

test("osd status of an unknown bucket is ENOENT with Ceph's message", async () => {
  const r = await d.command(["osd", "status", "nope"]);
  assert.is(r.retval, -2);
  assert.is(r.stderr, "Bucket 'nope' not found");
});

test("fs status shows standby MDSs and their version, in text and in Ceph's JSON", async () => {
  assert.equal(await d.command(["fs", "status"]), { retval: 0, stdout: "", stderr: "" });
  assert.is((await d.command(["fs", "status"], { format: "json" })).stdout, "{}");
  assert.is((await d.command(["sim", "mds", "add", "a"])).retval, 0);
  const text = await waitFor(async () => {
    const r = await d.command(["fs", "status"]);
    return r.stdout.includes("STANDBY MDS") ? r.stdout : undefined;
  }, "the standby in fs status");
  assert.match(text, /^\nSTANDBY MDS {2}\n {5}a {7}\nMDS version: ceph version 16\.2\.\d+ .*$/);
  const json = JSON.parse((await d.command(["fs", "status"], { format: "json" })).stdout);
  assert.equal(json.mdsmap, [{ name: "a", state: "standby" }]);
  assert.match(json.mds_version, /^ceph version 16\./);
});

test("fs status of an unknown filesystem is EINVAL with Ceph's message", async () => {
  const r = await d.command(["fs", "status", "nope"]);
  assert.is(r.retval, -22);
  assert.is(r.stderr, "Invalid filesystem: nope");
});

test("fs status of a filesystem (active, failed and standby-replay ranks, pools, mixed versions) prints what Ceph's own module prints", () => {
  // the expected answers come from running Pacific's status/module.py on the same data (gen-fs-status.py)
  const fixtures = join(ROOT, "test/fixtures/status");
  const fx = JSON.parse(readFileSync(join(fixtures, "fs-cluster.json"), "utf8"));
  const series = (name: string, path: string): number[][] => fx.counters[name]?.[path] ?? [];
  const reader = {
    get: (name: string) => fx[name],
    getCounter: (_t: string, name: string, path: string) => ({ [path]: series(name, path) }),
    getLatest: (_t: string, name: string, path: string) => series(name, path).at(-1)?.[1] ?? 0,
    getMetadata: (_t: string, name: string, dflt: unknown) => fx.metadata[name] ?? dflt,
  } as unknown as StatusReader;
  const want = readFileSync(join(fixtures, "fs-status-ceph.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { format: string; stdout: string });
  const text = fsStatus(reader, undefined, false) as { text: string };
  assert.is(mgrText(text.text), mgrText(want.find((w) => w.format === "plain")!.stdout));
  const json = fsStatus(reader, undefined, true) as { json: Record<string, unknown> };
  assert.is(pyDumps(json.json, { sortKeys: true }), want.find((w) => w.format === "json")!.stdout);
  assert.equal(fsStatus(reader, "cephfs", true), json, "naming the filesystem gives the same");
});

test("the shared helpers print as PrettyTable, mgr_util and json.dumps do", () => {
  // centred by default, the odd space as str.center() puts it; colour escapes take no room
  assert.is(
    renderTable([{ name: "NEW" }, { name: "X", align: "l" }], [["*", "\x1b[1mab\x1b[0m"]]),
    "NEW  X   \n *   \x1b[1mab\x1b[0m  ",
  );
  assert.is(renderTable([{ name: "A" }], []), "");
  assert.is(formatBytes(6144, 5), "6144 ");
  assert.is(formatBytes(18432, 5), "18.0k");
  assert.is(formatBytes(1072693248, 5), "1023M");
  assert.is(formatDimless(0, 5), "   0 ");
  assert.is(formatDimless(123456, 5), " 123k");
  assert.is(formatDimless(12345, 5), "12.3k");
  assert.is(toPrettyIec(20480), "20 Ki");
  assert.is(toPrettyIec(10240), "10240 ");
  assert.is(pyDumps({ b: [], a: "é", c: { d: 1 } }, { sortKeys: true }), '{"a": "\\u00e9", "b": [], "c": {"d": 1}}');
  assert.is(pyDumps([1, { a: null }], { indent: 4 }), '[\n    1,\n    {\n        "a": null\n    }\n]');
});

test.run();
