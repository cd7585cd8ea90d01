// Test helper: compares the key paths and JSON types of an answer with a real Pacific dump.
// Arrays are compared by their first element; a path of the dump that is missing from ours or
// has another JSON type (int and float count as different, as Python sees them) is a mismatch.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../../runtime/cluster/fixtures/", import.meta.url));

/** The real answer's JSON text (ints and floats kept apart by their spelling). */
export function fixtureText(relative: string): string {
  return readFileSync(FIXTURES + relative, "utf8");
}

type Shape = Map<string, string>;

/**
 * JSON type of every path. Numbers are "int" or "float" by their spelling in the text, so the
 * walk runs on a tokenizer, not on JSON.parse (which forgets 1.0 vs 1).
 */
export function shapeOf(text: string): Shape {
  const shape: Shape = new Map();
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  // `record` is false inside array elements after the first: only the first element is the template.
  const value = (path: string, record: boolean): void => {
    ws();
    const c = text[i]!;
    const put = (type: string) => {
      if (record) shape.set(path, type);
    };
    if (c === "{") {
      put("object");
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // :
        value(`${path}.${key}`, record);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      put("array");
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      let first = true;
      for (;;) {
        value(`${path}[]`, record && first);
        first = false;
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') {
      str();
      return put("string");
    }
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 40))!;
    i += m[0].length;
    if (m[1] === "true" || m[1] === "false") return put("bool");
    if (m[1] === "null") return put("null");
    return put(m[2] || m[3] ? "float" : "int");
  };
  value("$", true);
  return shape;
}

export interface ShapeReport {
  total: number;
  matched: number;
  mismatches: string[];
}

/** How many of the fixture's paths ours has with the same type. */
export function compareShapes(fixture: string, ours: string, numbersLoose = false): ShapeReport {
  const want = shapeOf(fixture);
  const have = shapeOf(ours);
  const mismatches: string[] = [];
  const same = (a: string, b: string | undefined) =>
    a === b || (numbersLoose && (a === "int" || a === "float") && (b === "int" || b === "float"));
  for (const [path, type] of want) {
    const got = have.get(path);
    if (!same(type, got)) mismatches.push(`${path}: want ${type}, got ${got ?? "missing"}`);
  }
  return { total: want.size, matched: want.size - mismatches.length, mismatches };
}
