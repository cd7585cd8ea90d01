// The text `osd pool autoscale-status` prints: Ceph renders it with PrettyTable (border=False,
// no left padding, two spaces of right padding) and sizes with mgr_util.format_bytes. Kept here
// until a shared table renderer lands in modules/_lib (the lead dedupes).

export type Align = "l" | "r";

/**
 * PrettyTable(border=False, left_padding_width=0, right_padding_width=2).get_string(): a header
 * line and one line per row, each column as wide as its widest cell (header included), aligned as
 * asked, followed by two spaces. No rows gives "" (PrettyTable prints nothing, not even a header).
 */
export function borderlessTable(columns: readonly [name: string, align: Align][], rows: readonly string[][]): string {
  if (rows.length === 0) return "";
  const widths = columns.map(([name], i) => Math.max(name.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => `${columns[i]![1] === "l" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)}  `).join("");
  return [line(columns.map(([name]) => name)), ...rows.map(line)].join("\n");
}

const UNITS = [" ", "k", "M", "G", "T", "P", "E"];

/** mgr_util.format_bytes(n, width): `n` in at most `width` characters with a binary unit ("  100M"). */
export function formatBytes(n: number, width: number): string {
  let unit = 0;
  while (String(Math.floor(Math.trunc(n) / 1024 ** unit)).length > width - 1) unit++;
  if (unit === 0) return `${String(Math.trunc(n)).padStart(width - 1)}${UNITS[0]}`;
  let digits = (n / 1024 ** unit).toFixed(6).slice(0, width - 1);
  if (digits.endsWith(".")) digits = ` ${digits.slice(0, -1)}`;
  return `${digits}${UNITS[unit]}`;
}

/** Python's "%.4f". */
export const fixed4 = (x: number): string => x.toFixed(4);
