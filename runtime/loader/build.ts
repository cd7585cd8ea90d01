// Bundles one module with esbuild into a script for a bare isolate: TypeScript, the
// `@tsmgr/sdk` import resolved to sdk/, no other bare imports, nothing from outside the module path.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ModuleLoadError } from "../errors.ts";
import { contentHash, keyOf } from "./cache.ts";
import { isInside } from "./discover.ts";

export const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../sdk");
const SDK_ENTRY = resolve(SDK_DIR, "index.ts");
const SOURCE_MAP_COMMENT = /\/[/*][#@]\s*sourceMappingURL=[^\n]*/g;
/** The global the bundle assigns its exports to; the sandbox reads it once and deletes it. */
export const BUNDLE_GLOBAL = "__tsmgr_module";

export interface Bundle {
  name: string;
  code: string;
  /** the source map (JSON text), kept on the host: isolates never see it */
  map: string;
  /** absolute paths of every file the bundle was built from (for the watcher and the cache) */
  inputs: string[];
  /** content hash of the bundle: the module's version */
  version: string;
  /** the bundle cache key of the inputs as this build read them */
  key?: string;
}

/** `seen` receives every file the build reads, with the hash of the content it read. */
function sandboxPlugin(modulePath: string, seen: Map<string, string>): esbuild.Plugin {
  const root = realpathSync(modulePath);
  return {
    name: "tsmgr-sandbox",
    setup(b) {
      b.onResolve({ filter: /^@tsmgr\/sdk$/ }, () => ({ path: SDK_ENTRY }));
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (a.kind === "entry-point") return undefined;
        return {
          errors: [{ text: `import of "${a.path}" is not allowed: modules run in a sandbox with no Node APIs or npm packages; only "@tsmgr/sdk" and files inside the module path can be imported` }],
        };
      });
      // Relative and absolute imports must stay inside the module path (or the sdk), so a
      // module cannot embed files from elsewhere on the host at build time.
      b.onResolve({ filter: /^[./]/ }, (a) => {
        if (a.kind === "entry-point") return undefined;
        const target = resolve(a.resolveDir, a.path);
        let real = target;
        try {
          real = realpathSync(target);
        } catch {
          return undefined; // let esbuild try extensions and report "could not resolve"
        }
        if (isInside(root, real) || isInside(SDK_DIR, real)) return undefined;
        return { errors: [{ text: `import of "${a.path}" leads outside the module path (${real}): a module can import only files inside ${root}` }] };
      });
      // A module's own source-map comments are dropped: esbuild would follow them, reading any
      // file they name on the host and letting a module dress its errors up as another module's.
      b.onLoad({ filter: /\.(ts|js|mjs|json|txt)$/ }, async (a) => {
        const own = isInside(root, a.path);
        if (!own && !isInside(SDK_DIR, a.path)) return undefined;
        const text = await readFile(a.path, "utf8");
        seen.set(a.path, contentHash(text));
        const loader = a.path.endsWith(".ts") ? "ts" : a.path.endsWith(".json") ? "json" : a.path.endsWith(".txt") ? "text" : "js";
        return { contents: own ? text.replace(SOURCE_MAP_COMMENT, "") : text, loader };
      });
    },
  };
}

function buildOptions(name: string, entry: string, modulePath: string, seen: Map<string, string>): esbuild.BuildOptions & { write: false; metafile: true } {
  return {
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: "iife",
    globalName: BUNDLE_GLOBAL,
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    sourcemap: "external",
    sourcesContent: true,
    outfile: `/tsmgr/${name}.js`,
    absWorkingDir: dirname(modulePath),
    logLevel: "silent",
    plugins: [sandboxPlugin(modulePath, seen)],
    loader: { ".ts": "ts", ".js": "js", ".json": "json", ".txt": "text" },
  };
}

/** Turns esbuild's messages into one ModuleLoadError with `file:line:col` and a code frame. */
export function toLoadError(name: string, errors: esbuild.Message[]): ModuleLoadError {
  const first = errors[0];
  if (!first) return new ModuleLoadError(`module "${name}" failed to build`);
  const loc = first.location;
  if (!loc) return new ModuleLoadError(`module "${name}": ${first.text}`);
  const where = `${loc.file}:${loc.line}:${loc.column + 1}`;
  const gutter = String(loc.line).length + 1;
  const frame =
    `${String(loc.line).padStart(gutter)} | ${loc.lineText}\n` + `${" ".repeat(gutter)} | ${" ".repeat(loc.column)}${"^".repeat(Math.max(1, loc.length))}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : "";
  return new ModuleLoadError(`${where}: ${first.text}${more}`, where, frame);
}

function toBundle(name: string, result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile }, cwd: string): Bundle {
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"));
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"));
  if (!js) throw new ModuleLoadError(`module "${name}": esbuild produced no output`);
  const code = js.text;
  return {
    name,
    code,
    map: map?.text ?? "",
    inputs: Object.keys(result.metafile.inputs).map((p) => resolve(cwd, p)),
    version: createHash("sha256").update(code).digest("hex").slice(0, 12),
  };
}

/** One module's build, kept between saves so rebuilds are incremental (esbuild context). */
export class ModuleBuilder {
  #ctx: esbuild.BuildContext | undefined;
  readonly #seen = new Map<string, string>();
  readonly #cwd: string;
  constructor(
    readonly name: string,
    readonly entry: string,
    readonly modulePath: string,
  ) {
    this.#cwd = dirname(modulePath);
  }

  async build(): Promise<Bundle> {
    try {
      if (!this.#ctx) this.#ctx = await esbuild.context(buildOptions(this.name, this.entry, this.modulePath, this.#seen));
      this.#seen.clear();
      const result = await this.#ctx.rebuild();
      const bundle = toBundle(this.name, result as Parameters<typeof toBundle>[1], this.#cwd);
      // the key only when every input passed through our onLoad (so its hash is what was built)
      if (bundle.inputs.every((f) => this.#seen.has(f))) bundle.key = keyOf(new Map(bundle.inputs.map((f) => [f, this.#seen.get(f)!])));
      return bundle;
    } catch (e) {
      const errors = (e as { errors?: esbuild.Message[] }).errors;
      if (errors) throw toLoadError(this.name, errors);
      throw new ModuleLoadError(`module "${this.name}" failed to build: ${(e as Error).message}`);
    }
  }

  async dispose(): Promise<void> {
    const ctx = this.#ctx;
    this.#ctx = undefined;
    await ctx?.dispose().catch(() => {});
  }
}

/** Display form of a path: relative to the module path's parent (e.g. `modules/hello/index.ts`). */
export function displayPath(modulePath: string, file: string): string {
  const rel = relative(dirname(modulePath), file);
  return rel.startsWith("..") ? file : rel;
}
