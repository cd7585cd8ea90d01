// A new version of a cluster structure as the changes from the previous one, for isolates that
// hold the previous one: `[[path, value], ...]`, each value replacing what is at its path. The
// isolate builds the new snapshot copy-on-write from its frozen old one (runtime/sandbox/prelude.js
// applyPatch): one `sim osd down` of a 1,000-OSD map changes a handful of fields, so instead of
// parsing and freezing 1.2 MB in every isolate (~4.5 ms each) the host parses the new version and
// compares it with the old once (6–11 ms measured, shared by all modules) and each isolate copies
// a few nodes (~0.1 ms).
//
// Exactness: applied, a patch gives the tree JSON.parse makes of the new text, key order
// included: the diff descends only into arrays of equal length and objects with the same keys in
// the same order, and replaces anything else whole. Objects with an own "__proto__" key are
// replaced whole too, so the isolate never copies one or assigns along such a path (both are
// right with a spread, but only by a subtle rule of the language).

export type PatchPath = (string | number)[];
export type Patch = [PatchPath, unknown][];

/** The changes from `a` to `b` (both parsed JSON), or undefined when replacing would be as cheap. */
export function diffJson(a: unknown, b: unknown, maxOps: number): Patch | undefined {
  const out: Patch = [];
  const path: PatchPath = [];
  const replace = (y: unknown): boolean => {
    if (path.length === 0) return false; // the root itself differs: no patch
    out.push([path.slice(), y]);
    return out.length <= maxOps;
  };
  const walk = (x: unknown, y: unknown): boolean => {
    if (x === y) return true;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return replace(y);
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return replace(y);
      for (let i = 0; i < x.length; i++) {
        const xi: unknown = x[i];
        const yi: unknown = y[i];
        if (xi === yi) continue;
        path.push(i);
        const ok = walk(xi, yi);
        path.pop();
        if (!ok) return false;
      }
      return true;
    }
    if (Array.isArray(y)) return replace(y);
    const keys = sameKeys(x, y);
    if (keys === undefined) return replace(y);
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    for (const k of keys) {
      if (xo[k] === yo[k]) continue;
      path.push(k);
      const ok = walk(xo[k], yo[k]);
      path.pop();
      if (!ok) return false;
    }
    return true;
  };
  return walk(a, b) ? out : undefined;
}

/** The keys of two objects when they are the same, in the same order, and none is "__proto__". */
function sameKeys(x: object, y: object): string[] | undefined {
  const xk = Object.keys(x);
  const yk = Object.keys(y);
  if (xk.length !== yk.length) return undefined;
  for (let i = 0; i < xk.length; i++) if (xk[i] !== yk[i] || xk[i] === "__proto__") return undefined;
  return xk;
}
