// Numbers for operators as Ceph's mgr_util and MgrModule print them: format_dimless and
// format_bytes (a fixed width, a unit letter), to_pretty_iec (iostat's "12 Ki"), bold and colorize.

const UNITS = [" ", "k", "M", "G", "T", "P", "E"];

/**
 * mgr_util.format_units: `n` in `width` characters including the unit letter, the unit chosen so
 * the integer part fits in width-1 (decimal: 1000 per step, else 1024).
 *
 * @example formatUnits(6144, 5, true)   // "6144 "
 * @example formatUnits(18432, 5, false) // "18.0k"
 */
export function formatUnits(n: number, width: number, decimal: boolean): string {
  const factor = decimal ? 1000 : 1024;
  let unit = 0;
  while (String(Math.floor(Math.trunc(n) / factor ** unit)).length > width - 1) unit++;
  if (unit === 0) return String(Math.trunc(n)).padStart(width - 1) + UNITS[0];
  let truncated = (n / factor ** unit).toFixed(6).slice(0, width - 1);
  if (truncated.endsWith(".")) truncated = " " + truncated.slice(0, -1);
  return truncated + UNITS[unit];
}

/** mgr_util.format_dimless: counts and rates, in steps of 1000. @example formatDimless(0, 5) // "   0 " */
export function formatDimless(n: number, width: number): string {
  return formatUnits(n, width, true);
}

/** mgr_util.format_bytes: sizes, in steps of 1024. @example formatBytes(1073741824, 5) // "1024M" */
export function formatBytes(n: number, width: number): string {
  return formatUnits(n, width, false);
}

/** MgrModule.to_pretty_iec: @example toPrettyIec(20480) // "20 Ki"; toPrettyIec(5) // "5 " */
export function toPrettyIec(n: number): string {
  for (const [bits, suffix] of [
    [60, "Ei"],
    [50, "Pi"],
    [40, "Ti"],
    [30, "Gi"],
    [20, "Mi"],
    [10, "Ki"],
  ] as const) {
    if (n > 10 * 2 ** bits) return `${Math.floor(n / 2 ** bits)} ${suffix}`;
  }
  return `${n} `;
}

/** mgr_util's colours (its range(8) enum). */
export const Color = { BLACK: 0, RED: 1, GREEN: 2, YELLOW: 3, BLUE: 4, MAGENTA: 5, CYAN: 6, GRAY: 7 } as const;

/** mgr_util.colorize: @example colorize("active", Color.GREEN) // "\x1b[1;32mactive\x1b[0m" */
export function colorize(msg: string, color: number, dark = false): string {
  return `\x1b[${dark ? 0 : 1};${30 + color}m${msg}\x1b[0m`;
}

/** mgr_util.bold: @example bold("0") // "\x1b[1m0\x1b[0m" */
export function bold(msg: string): string {
  return `\x1b[1m${msg}\x1b[0m`;
}
