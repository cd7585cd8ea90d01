// Type tests: files under test/fixtures/types/ are compiled as modules are (`tsmgr check`'s
// options: the SDK's types and ES2022 only, no @types/node). Each `// @ts-expect-error` line
// must be an error (an unneeded one is itself an error), and nothing else may be.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatProblem, typecheck } from "../../runtime/cli/typecheck.ts";
import { ROOT } from "../_util.ts";

const DIR = join(ROOT, "test", "fixtures", "types");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(DIR, f));
const test = suite("module type tests");

test("every type fixture compiles, each @ts-expect-error line being an error", () => {
  assert.ok(FILES.length >= 2);
  const problems = typecheck(FILES).map((p) => formatProblem(p));
  assert.equal(problems, []);
});

test("without their @ts-expect-error comments, the fixtures fail exactly on those lines", () => {
  const tmp = mkdtempSync(join(DIR, ".strip-"));
  try {
    const expected: string[] = [];
    const copies = FILES.map((f) => {
      const lines = readFileSync(f, "utf8").split("\n");
      const copy = join(tmp, f.slice(DIR.length + 1));
      lines.forEach((l, i) => {
        if (l.includes("// @ts-expect-error")) expected.push(`${copy}:${i + 2}`);
      });
      writeFileSync(copy, lines.map((l) => (l.includes("// @ts-expect-error") ? "" : l)).join("\n"));
      return copy;
    });
    const got = [...new Set(typecheck(copies).map((p) => `${p.file}:${p.line}`))];
    assert.equal(got.sort(), expected.sort());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
