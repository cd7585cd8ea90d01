// Renders inferred shapes as TypeScript: deep-readonly (get() hands out frozen snapshots), a
// field missing from some samples optional, a map as an index signature, an always-empty list
// as `readonly unknown[]`.
import type { Shape } from "./shape.ts";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(k: string): string {
  return IDENT.test(k) ? k : JSON.stringify(k);
}

export function renderShape(s: Shape, indent: string): string {
  const parts: string[] = [];
  const inner = indent + "  ";
  if (s.object) {
    const lines = [...s.object.fields].map(
      ([k, f]) => `${inner}readonly ${key(k)}${f.seen < s.object!.seen ? "?" : ""}: ${renderShape(f.shape, inner)};`,
    );
    // `{}` would accept any value: an object no sample gave a field is a map of unknowns
    parts.push(lines.length ? `{\n${lines.join("\n")}\n${indent}}` : "{ readonly [key: string]: unknown }");
  }
  if (s.record) parts.push(`{ readonly [key: string]: ${renderShape(s.record, indent)} }`);
  if (s.array) {
    const el = renderShape(s.array, indent);
    parts.push(/^[A-Za-z]+$/.test(el) ? `readonly ${el}[]` : `ReadonlyArray<${el}>`);
  }
  // a stable order, so a regenerated file compares equal
  for (const p of ["string", "number", "boolean", "null"] as const) if (s.prims.has(p)) parts.push(p);
  return parts.length ? parts.join(" | ") : "unknown";
}

/** `osd_map` → `OsdMap`. */
export function typeName(dataName: string): string {
  return dataName
    .split("_")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}
