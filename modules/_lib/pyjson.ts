// JSON text as Python's json.dumps writes it, for modules whose Ceph original answers with
// json.dumps(..., sort_keys=True[, indent=4]): ", " and ": " between items without indent,
// non-ASCII escaped as \uXXXX (ensure_ascii), keys sorted by code point when asked.

export interface PyDumpsOptions {
  sortKeys?: boolean;
  /** spaces per level; without it, one line with ", " and ": " */
  indent?: number;
}

/**
 * @example pyDumps({ b: 1, a: "é" }, { sortKeys: true })  // '{"a": "\\u00e9", "b": 1}'
 * @example pyDumps([1, 2], { indent: 4 })                 // '[\n    1,\n    2\n]'
 */
export function pyDumps(value: unknown, opts: PyDumpsOptions = {}): string {
  return dump(value, opts, 0);
}

function dump(value: unknown, opts: PyDumpsOptions, depth: number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : value > 0 ? "Infinity" : value < 0 ? "-Infinity" : "NaN";
  if (typeof value === "string") return quote(value);
  const items: string[] = [];
  const isArray = Array.isArray(value);
  if (isArray) for (const v of value) items.push(dump(v, opts, depth + 1));
  else {
    const keys = Object.keys(value as object);
    if (opts.sortKeys) keys.sort(byCodePoint);
    for (const k of keys) items.push(`${quote(k)}: ${dump((value as Record<string, unknown>)[k], opts, depth + 1)}`);
  }
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (items.length === 0) return open + close;
  if (opts.indent === undefined) return open + items.join(", ") + close;
  const pad = " ".repeat(opts.indent * (depth + 1));
  return `${open}\n${pad}${items.join(`,\n${pad}`)}\n${" ".repeat(opts.indent * depth)}${close}`;
}

function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** JSON.stringify's escapes, then every non-ASCII UTF-16 unit as \uXXXX, as ensure_ascii does. */
function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
