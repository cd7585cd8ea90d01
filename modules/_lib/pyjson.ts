// Python's json.dumps(obj, indent=N, sort_keys=True) for ported Ceph modules: their JSON answers
// are compared with the real mgr's, where 1.0 and 1 are different types. JavaScript has one number
// type, so values Python holds as floats are wrapped with pyFloat() and printed with a ".0".

/** A number Python would hold as a float: printed as `1.0`, not `1`. */
export class PyFloat {
  constructor(readonly value: number) {}
  /** plain JSON.stringify sees the number */
  toJSON(): number {
    return this.value;
  }
}

/** Marks `n` as a Python float for dumps(). */
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

/** json.dumps' ensure_ascii string: every character above U+007E escaped as \uXXXX. */
function quote(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** json.dumps(value, indent=indent, sort_keys=True); `undefined` in an object is left out. */
export function dumps(value: unknown, indent = 4, depth = 0): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return quote(value);
  const pad = " ".repeat(indent * (depth + 1));
  const end = " ".repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => pad + dumps(v, indent, depth + 1)).join(",\n")}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{\n${entries.map(([k, v]) => `${pad}${quote(k)}: ${dumps(v, indent, depth + 1)}`).join(",\n")}\n${end}}`;
}
