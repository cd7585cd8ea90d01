// Helpers shared by the built-in command families.
import { CommandError } from "../../errors.ts";

export function fail(errno: number, message: string): never {
  throw new CommandError(errno, message);
}

/** Columns padded to their widest cell, two spaces apart, as Ceph's plain tables. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

// C0 and C1 controls, DEL, and the Unicode line separators: a module's text must not move the
// operator's cursor, recolour a line or forge one ("\r\x1b[2K HEALTH_OK").
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;
const CONTROL_OR_NEWLINE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/g;
const escapeOne = (c: string): string => {
  const n = c.charCodeAt(0);
  return n > 0xff ? `\\u${n.toString(16).padStart(4, "0")}` : `\\x${n.toString(16).padStart(2, "0")}`;
};

/** Module-provided text made safe for a terminal, on one line (JSON output stays exact). */
export function oneLine(s: string): string {
  return s.replace(CONTROL_OR_NEWLINE, escapeOne);
}

/** The same, keeping newlines (each continuation line is indented by the caller). */
export function shownText(s: string): string {
  return s.replace(CONTROL, escapeOne);
}
