// The shape of JSON data, inferred from samples: which primitive types, object fields (and
// whether every sample had them), map values and array elements a value at one path can have.
// Shapes merge, so the fixtures' answers and the simulator's combine into one type per data name.

export type Prim = "string" | "number" | "boolean" | "null";

export interface Field {
  shape: Shape;
  /** how many of the object's samples had this field */
  seen: number;
}

export interface Shape {
  prims: Set<Prim>;
  /** an object with fixed field names; `seen` counts the samples, for optional fields */
  object?: { seen: number; fields: Map<string, Field> };
  /** an object used as a map (ids, pgids, option names as keys): its values' shape */
  record?: Shape;
  /** an array: its elements' shape (empty when no sample had an element) */
  array?: Shape;
}

/** Decides whether the object at `path` is a map (keyed by ids or names) rather than a record of fields. */
export type IsMap = (path: string, keys: readonly string[]) => boolean;

export const emptyShape = (): Shape => ({ prims: new Set() });

export function infer(value: unknown, path: string, isMap: IsMap): Shape {
  const s = emptyShape();
  addSample(s, value, path, isMap);
  return s;
}

/** Adds one sample to `s` in place. */
export function addSample(s: Shape, value: unknown, path: string, isMap: IsMap): void {
  if (value === null) s.prims.add("null");
  else if (Array.isArray(value)) {
    s.array ??= emptyShape();
    for (const v of value) addSample(s.array, v, `${path}[]`, isMap);
  } else if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (isMap(path, keys)) {
      s.record ??= emptyShape();
      for (const k of keys) addSample(s.record, obj[k], `${path}.*`, isMap);
    } else {
      s.object ??= { seen: 0, fields: new Map() };
      s.object.seen++;
      for (const k of keys) {
        let f = s.object.fields.get(k);
        if (!f) s.object.fields.set(k, (f = { shape: emptyShape(), seen: 0 }));
        f.seen++;
        addSample(f.shape, obj[k], `${path}.${k}`, isMap);
      }
    }
  } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    s.prims.add(typeof value as Prim);
  else throw new TypeError(`${path}: ${typeof value} is not JSON`);
  foldObjectIntoRecord(s);
}

/** A path seen both as a map and as fixed fields is a map: the fields' values join its values. */
function foldObjectIntoRecord(s: Shape): void {
  if (!s.record || !s.object) return;
  for (const f of s.object.fields.values()) mergeInto(s.record, f.shape);
  delete s.object;
}

/** Merges `b` into `a` in place. */
export function mergeInto(a: Shape, b: Shape): void {
  for (const p of b.prims) a.prims.add(p);
  if (b.array) mergeInto((a.array ??= emptyShape()), b.array);
  if (b.record) mergeInto((a.record ??= emptyShape()), b.record);
  if (b.object) {
    a.object ??= { seen: 0, fields: new Map() };
    a.object.seen += b.object.seen;
    for (const [k, f] of b.object.fields) {
      const mine = a.object.fields.get(k);
      if (!mine) a.object.fields.set(k, { shape: cloneShape(f.shape), seen: f.seen });
      else {
        mine.seen += f.seen;
        mergeInto(mine.shape, f.shape);
      }
    }
  }
  foldObjectIntoRecord(a);
}

function cloneShape(s: Shape): Shape {
  const c = emptyShape();
  mergeInto(c, s);
  return c;
}

/**
 * Where `value` does not fit `s`, as `path: what` lines (empty when it fits): a field the shape
 * lacks, a required field missing, a type the shape does not allow. An empty shape (no sample
 * had a value there, e.g. the elements of an always-empty list) accepts anything.
 */
export function mismatches(value: unknown, s: Shape, path: string, out: string[] = [], limit = 20): string[] {
  if (out.length >= limit) return out;
  if (!s.prims.size && !s.object && !s.record && !s.array) return out;
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (kind === "array") {
    if (!s.array) out.push(`${path}: an array, where the types say ${describe(s)}`);
    else (value as unknown[]).forEach((v, i) => mismatches(v, s.array!, `${path}[${i}]`, out, limit));
  } else if (kind === "object") {
    const obj = value as Record<string, unknown>;
    if (s.record) for (const [k, v] of Object.entries(obj)) mismatches(v, s.record, `${path}.${k}`, out, limit);
    else if (s.object) {
      for (const [k, v] of Object.entries(obj)) {
        const f = s.object.fields.get(k);
        if (!f) out.push(`${path}.${k}: a field the types do not have`);
        else mismatches(v, f.shape, `${path}.${k}`, out, limit);
      }
      for (const [k, f] of s.object.fields)
        if (f.seen === s.object.seen && !(k in obj))
          out.push(`${path}.${k}: missing, where the types say it is always there`);
    } else out.push(`${path}: an object, where the types say ${describe(s)}`);
  } else if (!s.prims.has(kind as Prim))
    out.push(`${path}: ${kind} ${JSON.stringify(value).slice(0, 40)}, where the types say ${describe(s)}`);
  return out;
}

function describe(s: Shape): string {
  const parts: string[] = [...s.prims];
  if (s.object) parts.push("an object");
  if (s.record) parts.push("a map");
  if (s.array) parts.push("an array");
  return parts.join(" | ") || "nothing";
}
