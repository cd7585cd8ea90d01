// `npm test`: runs every test/**/*.test.ts with uvu in one node process (carrying
// --no-node-snapshot, which isolated-vm needs), then prints one plain summary line.
// Pass a regex to run a subset: `npm test -- store`.
import { spawn } from "node:child_process";

const filter = process.argv[2] ?? "";
const pattern = filter ? `(?:${filter}).*\\.test\\.ts$` : "\\.test\\.ts$";
const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "node_modules/uvu/bin.js", "test", pattern], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
});
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
  if (Number.isFinite(total)) console.log(`\ntests: ${passed} passed, ${total - passed} failed, ${skipped} skipped`);
  else console.log(`\ntests: the runner ended without a summary (${signal ?? `exit ${code}`})`);
  process.exit(code ?? 1);
});
