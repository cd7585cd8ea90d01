// A small JSON Schema (2020-12) validator for the keywords mgr.schema.json uses: type, enum,
// properties, patternProperties, additionalProperties, items, minimum, maximum, pattern, $ref
// to #/$defs. An unsupported keyword throws, so the schema cannot use one this never checks.
export type Schema = Record<string, unknown>;

const KNOWN = new Set([
  "$schema",
  "$id",
  "title",
  "description",
  "default",
  "type",
  "enum",
  "properties",
  "patternProperties",
  "additionalProperties",
  "items",
  "minimum",
  "maximum",
  "pattern",
  "$ref",
  "$defs",
]);

export function resolveRef(root: Schema, s: Schema): Schema {
  if (typeof s.$ref !== "string") return s;
  const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
  if (!m) throw new Error(`unsupported $ref ${s.$ref}`);
  return {
    ...(root.$defs as Record<string, Schema>)[m[1]!]!,
    ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== "$ref")),
  };
}

function typeOf(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Where `v` breaks `schema`, as `path: why` lines. */
export function validate(root: Schema, schema: Schema, v: unknown, path = "", out: string[] = []): string[] {
  const s = resolveRef(root, schema);
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`${path}: unsupported keyword ${k}`);
  const at = path || "(top)";
  if (s.type && typeOf(v) !== s.type && !(s.type === "integer" && Number.isInteger(v))) {
    out.push(`${at}: must be ${String(s.type)}`);
    return out;
  }
  if (Array.isArray(s.enum) && !s.enum.includes(v)) out.push(`${at}: must be one of ${s.enum.join(", ")}`);
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum) out.push(`${at}: below ${s.minimum}`);
    if (typeof s.maximum === "number" && v > s.maximum) out.push(`${at}: above ${s.maximum}`);
  }
  if (typeof v === "string" && typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v))
    out.push(`${at}: does not match ${s.pattern}`);
  if (Array.isArray(v) && s.items) v.forEach((x, i) => validate(root, s.items as Schema, x, `${path}[${i}]`, out));
  if (typeOf(v) === "object") {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k;
      if (Object.hasOwn(props, k)) validate(root, props[k]!, x, p, out);
      else {
        const pat = patterns.find(([re]) => new RegExp(re, "u").test(k));
        if (pat) validate(root, pat[1], x, p, out);
        else if (s.additionalProperties === false) out.push(`${p}: not allowed`);
      }
    }
  }
  return out;
}
