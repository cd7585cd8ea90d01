// JSON text as Python's json.dumps writes it, for ported Ceph modules whose answers are compared
// with the real mgr's: ", " and ": " between items without indent, non-ASCII escaped as \uXXXX
// (ensure_ascii), keys sorted by code point when asked, and floats that stay floats: JavaScript
// has one number type, so a value Python holds as a float is wrapped with pyFloat() and printed
// with a ".0" (1.0 and 1 are different types to a JSON reader in Python).

export interface PyDumpsOptions {
  sortKeys?: boolean;
  /** spaces per level; without it, one line with ", " and ": " */
  indent?: number;
}

/** A number Python would hold as a float: printed as `1.0`, not `1`. */
export class PyFloat {
  constructor(readonly value: number) {}
  /** plain JSON.stringify sees the number */
  toJSON(): number {
    return this.value;
  }
}

/** Marks `n` as a Python float for pyDumps() / dumps(). */
export const pyFloat = (n: number): PyFloat => new PyFloat(n);

/** Python's repr() of a float: shortest round-trip digits, always with a dot or an exponent. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  // Python switches to exponent notation from 1e16 up and below 1e-4; JavaScript at 1e21 and 1e-7
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mant, exp] = n.toExponential().split("e") as [string, string];
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const s = String(n);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/**
 * @example pyDumps({ b: 1, a: "é" }, { sortKeys: true })  // '{"a": "\\u00e9", "b": 1}'
 * @example pyDumps([1, 2], { indent: 4 })                 // '[\n    1,\n    2\n]'
 */
export function pyDumps(value: unknown, opts: PyDumpsOptions = {}): string {
  return dump(value, opts, 0);
}

/** json.dumps(value, indent=indent, sort_keys=True); `undefined` in an object is left out. */
export function dumps(value: unknown, indent = 4): string {
  return dump(value, { sortKeys: true, indent }, 0);
}

function dump(value: unknown, opts: PyDumpsOptions, depth: number): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (typeof value === "string") return quote(value);
  const items: string[] = [];
  const isArray = Array.isArray(value);
  if (isArray) for (const v of value) items.push(dump(v, opts, depth + 1));
  else {
    const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
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
