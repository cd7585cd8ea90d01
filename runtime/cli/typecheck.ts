// Type-checks module sources as the isolate sees them: the SDK's types and the ES2022 library,
// nothing from Node (no @types/node, no DOM), so `process`, `Buffer` or `node:fs` in a module is
// a compile error, not a surprise at run time. Used by `tsmgr check` and the SDK's type tests.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SDK = resolve(dirname(fileURLToPath(import.meta.url)), "../../sdk");

/** The compiler options a module is checked with: strict, and only the SDK's types. */
export function sdkCompilerOptions(): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts"],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    isolatedModules: true,
    noFallthroughCasesInSwitch: true,
    baseUrl: SDK,
    paths: { "@tsmgr/sdk": [join(SDK, "index.ts")] },
  };
}

/** One type error, located in the module's source. */
export interface TypeProblem {
  file: string;
  line: number;
  col: number;
  code: number;
  message: string;
}

/**
 * The type errors of `files` (and what they import), in file order. Errors inside the SDK's
 * own files are reported too: they mean the SDK and the checker disagree (a tsmgr bug).
 */
export function typecheck(files: readonly string[]): TypeProblem[] {
  const program = ts.createProgram(
    files.map((f) => resolve(f)),
    sdkCompilerOptions(),
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = isolateMessage(d) ?? ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return { file: "", line: 0, col: 0, code: d.code, message };
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return { file: d.file.fileName, line: line + 1, col: character + 1, code: d.code, message };
  });
}

/** TypeScript's advice for Node names (install @types/node) is wrong for a module: say why instead. */
function isolateMessage(d: ts.Diagnostic): string | undefined {
  const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  const name = /^Cannot find (?:name|module) '([^']+)'/.exec(text)?.[1];
  if (!name) return undefined;
  if (
    [2580, 2591, 2592, 2582, 2304].includes(d.code) &&
    ["process", "Buffer", "require", "module", "__dirname", "__filename", "global", "setImmediate"].includes(name)
  ) {
    return `Cannot find name '${name}': a module runs in its own isolate, without Node's globals (sdk/README.md lists what it has)`;
  }
  if (d.code === 2307 && name.startsWith("node:"))
    return `Cannot find module '${name}': a module runs in its own isolate and can import only @tsmgr/sdk and its own files`;
  return undefined;
}

/** `file:line:col message (TS1234)`, as editors and compilers print it. */
export function formatProblem(p: TypeProblem, display: (file: string) => string = (f) => f): string {
  return p.file ? `${display(p.file)}:${p.line}:${p.col} ${p.message} (TS${p.code})` : `${p.message} (TS${p.code})`;
}
