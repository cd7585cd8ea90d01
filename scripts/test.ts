// `npm test`: runs every test/**/*.test.ts with uvu in one node process (carrying
// --no-node-snapshot, which isolated-vm needs), then prints one plain summary line.
// Pass a regex to run a subset: `npm test -- store`.
//
// Files that need a system program (etcd, Chromium, Ceph: see test/_needs.ts) are left out when
// it is missing; a banner at the start and the summary at the end name them and the apt line.
// TSMGR_REQUIRE_ALL=1 (as .ci/run sets) runs them anyway (they fail naming what to install) and
// fails the run, whatever else passed.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { missingMessage, probe, requireAll, SYSTEM_PROGRAMS, type SystemProgram } from "../test/_needs.ts";

const filter = process.argv[2] ?? "";
const pattern = filter ? `(?:${filter}).*\\.test\\.ts$` : "\\.test\\.ts$";

/** The test files uvu would run: its own rule, the pattern (case-insensitive) over paths under test/. */
function selectedFiles(): string[] {
  const re = new RegExp(pattern, "i");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? e.name === "node_modules"
          ? []
          : walk(join(dir, e.name))
        : [relative("test", join(dir, e.name))],
    );
  return walk("test").filter((f) => re.test(f));
}

/** Each missing program whose files are selected: why it is missing, and those files. */
function skipped(files: string[]): { program: SystemProgram; why: string; files: string[] }[] {
  const out = [];
  for (const program of Object.keys(SYSTEM_PROGRAMS) as SystemProgram[]) {
    const mine = files.filter((f) => SYSTEM_PROGRAMS[program].files.test(f));
    if (mine.length === 0) continue;
    const why = probe(program);
    if (why) out.push({ program, why, files: mine });
  }
  return out;
}

/**
 * The whole-tree checks a full run starts with: the layout rules (scripts/check-layout.ts) and the
 * formatter's check. Their failures fail the run after the tests, so one run shows everything.
 */
function treeChecks(): string[] {
  if (filter) return [];
  const failed: string[] = [];
  const checks = [
    ["layout", ["--import", "tsx", "scripts/check-layout.ts"]],
    ["format", ["node_modules/prettier/bin/prettier.cjs", "--check", ".", "--log-level", "warn"]],
  ] as const;
  for (const [name, args] of checks) {
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    process.stdout.write(r.stdout + r.stderr);
    if (r.status !== 0) failed.push(name);
  }
  return failed;
}

const treeFailures = treeChecks();
const skips = skipped(selectedFiles());
const rule = "=".repeat(78);
const banner = skips
  .map(
    (s) =>
      `  ${requireAll() ? "FAILING" : "SKIPPED"} ${s.files.map((f) => `test/${f}`).join(", ")}\n    ${missingMessage(s.program, s.why)}`,
  )
  .join("\n");
if (skips.length) {
  const head = requireAll()
    ? "MISSING SYSTEM PROGRAMS: TSMGR_REQUIRE_ALL=1, so these files run and fail"
    : "SKIPPING TEST FILES: system programs missing (TSMGR_REQUIRE_ALL=1 fails instead)";
  console.log(`${rule}\n${head}\n${banner}\n${rule}\n`);
}
// uvu's --ignore is a regex over the same relative paths
const ignore = requireAll()
  ? []
  : skips.flatMap((s) => s.files.map((f) => ["--ignore", `^${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`]));

const child = spawn(
  process.execPath,
  ["--no-node-snapshot", "--import", "tsx", "node_modules/uvu/bin.js", "test", pattern, ...ignore.flat()],
  {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  },
);
let tail = "";
child.stdout.on("data", (d: Buffer) => {
  process.stdout.write(d);
  tail = (tail + d.toString()).slice(-2000);
});
child.on("exit", (code, signal) => {
  const num = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(tail)?.[1] ?? NaN);
  const total = num("Total");
  const passed = num("Passed");
  const skipped = num("Skipped") || 0;
  if (skips.length)
    console.log(
      `\n${rule}\n${requireAll() ? "FAILED for want of system programs" : "NOT RUN for want of system programs"}:\n${banner}\n${rule}`,
    );
  const notRun = requireAll() ? 0 : skips.reduce((n, s) => n + s.files.length, 0);
  const files = notRun ? `, ${notRun} file(s) not run for want of system programs` : "";
  if (Number.isFinite(total))
    console.log(`\ntests: ${passed} passed, ${total - passed} failed, ${skipped} skipped${files}`);
  else console.log(`\ntests: the runner ended without a summary (${signal ?? `exit ${code}`})`);
  if (treeFailures.length) {
    console.log(`tests: the ${treeFailures.join(" and ")} check failed (see the top of this output): failing the run`);
    process.exit(code || 1);
  }
  if (requireAll() && (skips.length || skipped > 0)) {
    console.log(
      `tests: TSMGR_REQUIRE_ALL=1 and ${skips.length ? "system programs are missing" : `${skipped} test(s) were skipped`}: failing the run`,
    );
    process.exit(code || 1);
  }
  process.exit(code ?? 1);
});
