// The bench's output: the machine description, a table for people (stdout by default) and one
// JSON object for machines (`--json`), also written to bench-results/latest.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, platform, release } from "node:os";
import { join } from "node:path";
import { ROOT, type Figure } from "./lib.ts";

export interface Machine {
  node: string;
  cpus: number;
  model: string;
  platform: string;
  isolated_vm: string;
  date: string;
  /** 1-minute load average when the bench started and ended (other work on the machine skews figures) */
  loadavg_1m: [number, number];
}

export interface Report {
  machine: Machine;
  /** the figures with a target (DESIGN.md's table and the issues'): what "met" is judged on */
  figures: Figure[];
  /** companions without a target (p95s, floors, the parts of a figure), printed beside them */
  details?: Figure[];
}

const loadAtStart = loadavg()[0]!;

export function machine(): Machine {
  let ivm = "unknown";
  try {
    const req = createRequire(join(ROOT, "package.json"));
    ivm = (JSON.parse(readFileSync(req.resolve("isolated-vm/package.json"), "utf8")) as { version: string }).version;
  } catch {
    // not installed where expected: say so
  }
  const c = cpus();
  return {
    node: process.version,
    cpus: c.length,
    model: c[0]?.model.trim() ?? "unknown",
    platform: `${platform()} ${release()}`,
    isolated_vm: ivm,
    date: new Date().toISOString(),
    loadavg_1m: [round2(loadAtStart), round2(loadavg()[0]!)],
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** "yes", "NO", "-" (no target) or why there is no value. */
export function verdict(f: Figure): string {
  if (f.value === null) return "n/a";
  if (f.target === null) return "-";
  const met = f.better === "lower" ? f.value <= f.target : f.value >= f.target;
  return met ? "yes" : "NO";
}

function fmt(v: number | null): string {
  if (v === null) return "null";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return String(v);
}

export function table(r: Report): string {
  const head = ["figure", "value", "unit", "target", "met", "what was measured / why not met"];
  const rows = [...r.figures, ...(r.details ?? [])].map((f) => [
    f.name,
    fmt(f.value),
    f.unit,
    f.target === null ? "-" : `${f.better === "lower" ? "≤" : "≥"} ${fmt(f.target)}`,
    verdict(f),
    f.note ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === 5 ? 0 : row[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 5 ? c : i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const m = r.machine;
  const missed = r.figures.filter((f) => verdict(f) === "NO").map((f) => f.name);
  const unmeasured = r.figures.filter((f) => f.value === null).map((f) => f.name);
  return [
    `tsmgr bench — node ${m.node}, ${m.cpus} × ${m.model}, ${m.platform}, isolated-vm ${m.isolated_vm}, ${m.date}, load average ${m.loadavg_1m[0]} → ${m.loadavg_1m[1]}`,
    "",
    line(head),
    line(head.map((_, i) => "-".repeat(i === 5 ? 31 : widths[i]!))),
    ...rows.map(line),
    "",
    `targets missed: ${missed.length ? missed.join(", ") : "none"}${unmeasured.length ? `; not measured: ${unmeasured.join(", ")}` : ""}`,
  ].join("\n");
}

export function writeLatest(r: Report): string {
  const dir = join(ROOT, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "latest.json");
  writeFileSync(file, JSON.stringify(r, null, 2) + "\n");
  return file;
}
