// Plain-text building blocks of Ceph's CLI output: byte_u_t / si_u_t number formatting, the
// TextTable column layout, and age strings like "13m".

const BYTE_UNITS = [" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB"];
const SI_UNITS = ["", "k", "M", "G", "T", "P", "E"];

/** Ceph's format_u: exact multiples print bare, others get the precision that fits the width. */
function formatUnits(v: number, base: number, units: string[], width: number): string {
  let index = 0;
  let mult = 1;
  while (v >= mult * base && index < units.length - 1) {
    mult *= base;
    index += 1;
  }
  const unit = units[index]!;
  if (index === 0 || v % mult === 0) return `${Math.floor(v / mult)}${unit}`;
  for (let precision = 2; precision > 0; precision--) {
    const s = `${(v / mult).toFixed(precision)}${unit}`;
    if (s.length <= width) return s;
  }
  return `${Math.round(v / mult)}${unit}`;
}

/** "630 MiB", "1.4 GiB", "2 GiB". */
export const bytes = (v: number) => formatUnits(Math.max(0, Math.round(v)), 1024, BYTE_UNITS, 7);
/** "7.16k". */
export const count = (v: number) => formatUnits(Math.max(0, Math.round(v)), 1000, SI_UNITS, 5);
/** Rates as `ceph -s` prints them: "1.2 KiB/s". */
export const rate = (v: number) => `${bytes(v)}/s`;

/** "13m", "2h", "3d": the age format of `ceph -s`. */
export function age(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  if (s < 14 * 86400) return `${Math.floor(s / 86400)}d`;
  return `${Math.floor(s / (7 * 86400))}w`;
}

export type Align = "left" | "right";

/** Ceph's TextTable: columns separated by two spaces, headers aligned like their column. */
export function table(headers: [string, Align][], rows: (string | number)[][]): string {
  const widths = headers.map(([h], i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const cell = (v: string, i: number) => (headers[i]![1] === "left" ? v.padEnd(widths[i]!) : v.padStart(widths[i]!));
  const line = (cells: string[]) => cells.map(cell).join("  ");
  return [line(headers.map(([h]) => h)), ...rows.map((r) => line(r.map(String)))].map((l) => `${l}\n`).join("");
}
