// Type tests: module sources compiled against the SDK's types alone (no @types/node, lib es2022),
// so every `// @ts-expect-error` in test/fixtures/types/ must meet its error and nothing else may fail.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import ts from "typescript";
import { ROOT } from "../_util.ts";

/** What a module is compiled with: the SDK by its import name, no ambient Node types. */
const MODULE_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts"],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  baseUrl: ROOT,
  paths: { "@tsmgr/sdk": ["./sdk/index.ts"] },
};

function diagnostics(files: string[]): string[] {
  const program = ts.createProgram(
    files.map((f) => join(ROOT, f)),
    MODULE_OPTIONS,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${d.file.fileName.slice(ROOT.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
        : "";
    return `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

test("typed commands: each @ts-expect-error in the fixtures meets its error, and nothing else fails", () => {
  assert.equal(diagnostics(["test/fixtures/types/kit/commands.ts", "test/fixtures/types/kit/node-globals.ts"]), []);
});

test("a module using process, Buffer or node:fs fails to compile against the SDK alone", () => {
  const errors = diagnostics(["test/fixtures/types/kit/node-globals-unmarked.ts"]).join("\n");
  assert.match(errors, /node-globals-unmarked\.ts:\d+ TS2307: Cannot find module 'node:fs'/);
  assert.match(errors, /Cannot find name 'process'/);
  assert.match(errors, /Cannot find name 'Buffer'/);
  assert.match(errors, /Cannot find name 'require'/);
});

// selftest uses setTimeout and console, which the isolate provides but only the web globals'
// declarations (issue 18 item 3) describe: it joins this list with them
test("the shipped hello module compiles against the SDK alone", () => {
  assert.equal(diagnostics(["modules/hello/index.ts"]), []);
});

test.run();
