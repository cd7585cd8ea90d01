// The shipped iostat module on the simulated cluster: one sample laid out as Ceph's
// get_pretty_row (and get_pretty_header), at the width asked, and a width out of range refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

const test = suite("iostat module");
let dir = "";
let d: TestDaemon;

test.before(async () => {
  dir = tempDir();
  d = await startTestDaemon(dir, {
    modulePath: join(ROOT, "modules"),
    modules: { iostat: JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")).modules.iostat },
  });
  await waitFor(() => d.modules().find((m) => m.name === "iostat")?.state === "active", "iostat to be active", 20_000);
});
test.after(async () => {
  await d.stop();
  cleanup(dir);
});

const RATE = /^ *\d+ (Ki|Mi|Gi|Ti|Pi|Ei)?B\/s $/;

test("iostat prints one row of six cells, 80 columns by default: three byte rates, three IOPS", async () => {
  const r = await d.command(["iostat"]);
  assert.is(r.retval, 0, r.stderr);
  assert.not.ok(r.stdout.includes("\n"));
  const cells = r.stdout.split("|").slice(1, -1);
  assert.is(cells.length, 6);
  assert.ok(
    cells.every((c) => c.length === 12),
    JSON.stringify(cells),
  ); // 80 / 6 = 13: 11 wide, " |"
  for (const c of cells.slice(0, 3)) assert.match(c, RATE);
  for (const c of cells.slice(3)) assert.match(c, /^ *\d+ $/);
});

test("iostat WIDTH true adds Ceph's dashed header, every line as wide", async () => {
  const r = await d.command(["iostat", "100", "true"]);
  assert.is(r.retval, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.is(lines.length, 4);
  assert.is(lines[0], "+" + "---------------+".repeat(6));
  assert.is(
    lines[1],
    "|          Read |         Write |         Total |     Read IOPS |    Write IOPS |    Total IOPS |",
  );
  assert.is(lines[2], lines[0]);
  assert.is(lines[3]!.length, lines[0]!.length);
  assert.equal(await d.command(["iostat", "--width", "100", "--print-header"]), r);
});

test("iostat refuses a width out of range (below 12 Ceph's formatting fails) and takes 12", async () => {
  for (const w of ["11", "0", "-5", "4097"]) {
    const r = await d.command(["iostat", "--width", w]);
    assert.is(r.retval, -22, w);
    assert.match(r.stderr, new RegExp(`width ${w} is out of range: give 12\\.\\.4096`));
  }
  const narrow = await d.command(["iostat", "12"]);
  assert.is(narrow.retval, 0, narrow.stderr);
  assert.match(narrow.stdout, /^\|\d+ B\/s \|\d+ B\/s \|\d+ B\/s \|\d+ \|\d+ \|\d+ \|$/);
  assert.is((await d.command(["iostat", "x"])).retval, -22, "not an integer: refused by the descriptor");
});

test.run();
