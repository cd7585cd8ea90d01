// Compares the shape of two JSON values key path by key path: ".a.b" for objects, "[]" for every
// element of an array. Keys that are data (module names, versions, option names) are given as
// wildcard paths so ".module_options.interval" and ".module_options.greeting" compare as
// ".module_options.*".

export type Shape = Map<string, string>;

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Every key path of `v` with the JSON type found there; `data` lists the paths whose keys are data. */
export function keyPaths(v: unknown, data: readonly string[] = [], path = "", out: Shape = new Map()): Shape {
  out.set(path || ".", kind(v));
  if (Array.isArray(v)) for (const e of v) keyPaths(e, data, `${path}[]`, out);
  else if (typeof v === "object" && v !== null) {
    const wild = data.includes(path || ".");
    for (const [k, e] of Object.entries(v)) keyPaths(e, data, `${path}.${wild ? "*" : k}`, out);
  }
  return out;
}

/**
 * The differences between our shape and Ceph's: paths only one side has, or with another type.
 * A path under an array or data object that is empty on one side cannot be compared and is skipped.
 */
export function shapeDiff(ours: unknown, ceph: unknown, data: readonly string[] = []): string[] {
  const a = keyPaths(ours, data);
  const b = keyPaths(ceph, data);
  const empty = (s: Shape, p: string) => [...s.keys()].every((k) => !k.startsWith(p + "[]") && !k.startsWith(p + ".*"));
  const comparable = (p: string) => {
    for (let i = p.length; i > 0; i--) {
      const parent = p.slice(0, i);
      if (!(p.startsWith(parent + "[]") || p.startsWith(parent + ".*"))) continue;
      if (a.has(parent) && b.has(parent) && (empty(a, parent) || empty(b, parent))) return false;
    }
    return true;
  };
  const diffs: string[] = [];
  for (const [p, t] of b) if (!a.has(p) && comparable(p)) diffs.push(`missing ${p} (${t})`);
  for (const [p, t] of a) {
    if (!b.has(p)) {
      if (comparable(p)) diffs.push(`extra ${p} (${t})`);
    } else if (b.get(p) !== t) diffs.push(`${p}: ${t}, Ceph has ${b.get(p)}`);
  }
  return diffs;
}
