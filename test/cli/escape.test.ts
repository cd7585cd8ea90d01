// Terminal control characters a module wrote never reach the operator's terminal as such: the
// CLI's plain output and the pretty log show them as visible escapes, JSON output keeps them exact.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createLogger, prettyDestination } from "../../runtime/log/index.ts";
import { escapeControl } from "../../runtime/text.ts";
import { cleanup, cli, ROOT, startTestDaemon, tempDir, waitFor, writeConfig, type TestDaemon } from "../_util.ts";

const HOSTILE = join(ROOT, "test", "fixtures", "hostile");
const FORGE = "\r\x1b[2K\x1b[32mHEALTH_OK\x1b[8m";
const SHOWN = "\\r\\x1b[2K\\x1b[32mHEALTH_OK\\x1b[8m";
/** Any control character but the newline and tab that plain output keeps. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const unit = suite("escapeControl");

unit("escapeControl() writes C0, DEL, C1 and bidi controls as visible escapes", () => {
  assert.is(escapeControl(FORGE), SHOWN);
  assert.is(escapeControl("a\nb\tc\x7f\x9b\u202e"), "a\\nb\\tc\\x7f\\x9b\\u202e");
  assert.is(escapeControl("a\nb\tc", { newlines: true, tabs: true }), "a\nb\tc");
  assert.is(escapeControl("plain ünïcode ✓ \\x1b"), "plain ünïcode ✓ \\x1b");
});

unit("a pretty log line keeps a module's newline and escape sequences visible, as one record", () => {
  const lines: string[] = [];
  const logger = createLogger({ destination: prettyDestination({ write: (t: string) => lines.push(t) }) });
  logger
    .child({ module: "term_forge" })
    .error({ note: "x\x1b]0;owned\x07\u009b2J" }, `forged\n12:00:00.000 INFO  [canary] all good${FORGE}`);
  assert.is(lines.length, 1);
  const line = lines[0]!;
  assert.is(line.indexOf("\n"), line.length - 1, "one line: the module's newline is shown as \\n");
  // the only real escape sequences are the level's colour and its reset
  assert.is(line.replace(/\x1b\[(31|0)m/g, "").search(RAW_CONTROL), -1, JSON.stringify(line));
  assert.ok(line.includes(`forged\\n12:00:00.000 INFO  [canary] all good${SHOWN}`), line);
  assert.ok(line.includes("\\u001b]0;owned\\u0007\\x9b2J"), line);
});

unit.run();

const test = suite("hostile text through the CLI");
let dir = "";
let cfg = "";
let d: TestDaemon | undefined;

test.before(async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  for (const n of ["term_forge", "term_forge_ctor"])
    copyFileSync(join(HOSTILE, `${n}.ts`), join(dir, "modules", `${n}.ts`));
  d = await startTestDaemon(dir, { modules: { term_forge: { enabled: true }, term_forge_ctor: { enabled: true } } });
  cfg = writeConfig(dir, {});
  await waitFor(
    () => d!.modules().find((m) => m.name === "term_forge")?.state === "active",
    "term_forge to be active",
    30_000,
  );
  assert.is((await d.command(["term_forge", "raise"])).retval, 0);
});

test.after(async () => {
  await d?.stop();
  cleanup(dir);
});

test("health and health detail show a module's control characters escaped: the line still reads HEALTH_ERR", async () => {
  for (const words of [["health"], ["health", "detail"]]) {
    const r = await cli(["-c", cfg, ...words]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.search(RAW_CONTROL), -1, JSON.stringify(r.stdout.slice(0, 400)));
    assert.match(r.stdout, /^HEALTH_ERR /);
    assert.ok(r.stdout.includes(`disk on fire${SHOWN}`), r.stdout.slice(0, 400));
  }
  const detail = await cli(["-c", cfg, "health", "detail"]);
  assert.ok(detail.stdout.includes(`osd.0 burning${SHOWN}\\x1b]0;owned\\x07`), detail.stdout.slice(0, 400));
});

test("-f json keeps the module's text exact", async () => {
  const r = await cli(["-c", cfg, "-f", "json", "health", "detail"]);
  assert.is(r.code, 0, r.stderr);
  const h = JSON.parse(r.stdout) as { checks: Record<string, { summary: { message: string } }> };
  assert.is(h.checks.TERM_FORGE!.summary.message, `disk on fire${FORGE}`);
});

test("module ls shows a module's error with its control characters escaped", async () => {
  await waitFor(
    () => d!.modules().find((m) => m.name === "term_forge_ctor")?.state === "failed",
    "term_forge_ctor to fail",
    30_000,
  );
  const r = await cli(["-c", cfg, "module", "ls"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.search(RAW_CONTROL), -1, JSON.stringify(r.stdout.slice(0, 600)));
  assert.ok(r.stdout.includes("\\r\\x1b[2K\\x1b[32mall fine"), r.stdout.slice(0, 600));
});

test("a module command's plain stdout and stderr are escaped", async () => {
  const r = await cli(["-c", cfg, "term_forge", "say"]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, `out${SHOWN}\n`);
  assert.is(r.stderr, `err${SHOWN}\n`);
});

test.run();
