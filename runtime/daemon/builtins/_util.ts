// Helpers shared by the built-in command families.
import { CommandError } from "../../errors.ts";
import { escapeControl } from "../../text.ts";

export function fail(errno: number, message: string): never {
  throw new CommandError(errno, message);
}

/** Columns padded to their widest cell, two spaces apart, as Ceph's plain tables. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

/** Module-provided text made safe for a terminal, on one line (JSON output stays exact). */
export function oneLine(s: string): string {
  return escapeControl(s, { tabs: true });
}

/** The same, keeping newlines (each continuation line is indented by the caller). */
export function shownText(s: string): string {
  return escapeControl(s, { newlines: true, tabs: true });
}
