// Bundles one module with esbuild into a script for a bare isolate: TypeScript, the
// `@tsmgr/sdk` import resolved to sdk/, no other bare imports, nothing from outside the module path.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { dirname, extname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ModuleLoadError } from "../errors.ts";
import type { Bundle } from "./bundle.ts";
import { contentHash, keyOf } from "./cache.ts";
import { isInside } from "./discover.ts";
import { readRegularFile } from "./read-regular.ts";
import { LOADERS, resolveFile } from "./_resolve.ts";

export const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../sdk");
const SDK_ENTRY = resolve(SDK_DIR, "index.ts");
const SOURCE_MAP_COMMENT = /\/[/*][#@]\s*sourceMappingURL=[^\n]*/g;
/** The global the bundle assigns its exports to; the sandbox reads it once and deletes it. */
export const BUNDLE_GLOBAL = "__tsmgr_module";

/**
 * Every path esbuild sees comes from here and every file it reads is read here (never by
 * esbuild itself): imports must stay inside the module path (or the sdk), so a module cannot
 * embed files from elsewhere on the host, and only regular files are read (see read-regular.ts).
 * `seen` receives every file the build reads, with the hash of the content it read; `reading`
 * holds the files being read now (named by a build that misses its deadline).
 */
function sandboxPlugin(modulePath: string, seen: Map<string, string>, reading: Set<string>): esbuild.Plugin {
  const root = realpathSync(modulePath);
  const allowed = (real: string) => isInside(root, real) || isInside(SDK_DIR, real);
  return {
    name: "tsmgr-sandbox",
    setup(b) {
      b.onResolve({ filter: /^@tsmgr\/sdk$/ }, () => ({ path: SDK_ENTRY }));
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (a.kind === "entry-point") return undefined;
        return {
          errors: [
            {
              text: `import of "${a.path}" is not allowed: modules run in a sandbox with no Node APIs or npm packages; only "@tsmgr/sdk" and files inside the module path can be imported`,
            },
          ],
        };
      });
      b.onResolve({ filter: /.*/ }, async (a) => {
        const target = resolve(a.resolveDir || dirname(modulePath), a.path);
        const real = await resolveFile(target).catch(() => undefined);
        if (real === undefined) return { errors: [{ text: `Could not resolve "${a.path}"` }] };
        if (allowed(real)) return { path: real };
        return {
          errors: [
            {
              text: `import of "${a.path}" leads outside the module path (${real}): a module can import only files inside ${root}`,
            },
          ],
        };
      });
      // A module's own source-map comments are dropped: esbuild would follow them, reading any
      // file they name on the host and letting a module dress its errors up as another module's.
      b.onLoad({ filter: /.*/ }, async (a) => {
        const own = isInside(root, a.path);
        const shown = displayPath(modulePath, a.path);
        if (!own && !isInside(SDK_DIR, a.path))
          return {
            errors: [{ text: `${shown} is outside the module path: a module can import only files inside ${root}` }],
          };
        const loader = LOADERS[extname(a.path)];
        if (!loader)
          return {
            errors: [
              { text: `${shown} cannot be imported: a module imports only ${Object.keys(LOADERS).join(", ")} files` },
            ],
          };
        reading.add(a.path);
        let text: string;
        try {
          text = (await readRegularFile(a.path)).toString("utf8");
        } catch (e) {
          return { errors: [{ text: (e as Error).message.replace(a.path, shown) }] };
        } finally {
          reading.delete(a.path);
        }
        seen.set(a.path, contentHash(text));
        return { contents: own ? text.replace(SOURCE_MAP_COMMENT, "") : text, loader };
      });
    },
  };
}

function buildOptions(
  name: string,
  entry: string,
  modulePath: string,
  seen: Map<string, string>,
  reading: Set<string>,
): esbuild.BuildOptions & { write: false; metafile: true } {
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
    // No tsconfig.json is read from disk (a module's own could be a pipe): the settings are
    // these, wherever the module path lies. Strict, as ES modules are (and as the repo's
    // tsconfig made the shipped modules before).
    tsconfigRaw: { compilerOptions: { strict: true } },
    plugins: [sandboxPlugin(modulePath, seen, reading)],
    loader: { ...LOADERS },
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
    `${String(loc.line).padStart(gutter)} | ${loc.lineText}\n` +
    `${" ".repeat(gutter)} | ${" ".repeat(loc.column)}${"^".repeat(Math.max(1, loc.length))}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : "";
  return new ModuleLoadError(`${where}: ${first.text}${more}`, where, frame);
}

function toBundle(
  name: string,
  result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile },
  cwd: string,
): Bundle {
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

/** A build still running after this long is abandoned (a module's file on a hung file system). */
export const BUILD_DEADLINE_MS = 10_000;

/** One module's build, kept between saves so rebuilds are incremental (esbuild context). */
export class ModuleBuilder {
  #ctx: esbuild.BuildContext | undefined;
  readonly #seen = new Map<string, string>();
  readonly #reading = new Set<string>();
  readonly #cwd: string;
  constructor(
    readonly name: string,
    readonly entry: string,
    readonly modulePath: string,
    readonly deadlineMs = BUILD_DEADLINE_MS,
  ) {
    this.#cwd = dirname(modulePath);
  }

  async build(): Promise<Bundle> {
    try {
      if (!this.#ctx)
        this.#ctx = await esbuild.context(
          buildOptions(this.name, this.entry, this.modulePath, this.#seen, this.#reading),
        );
      this.#seen.clear();
      const result = await this.#withDeadline(this.#ctx.rebuild());
      const bundle = toBundle(this.name, result as Parameters<typeof toBundle>[1], this.#cwd);
      // the key only when every input passed through our onLoad (so its hash is what was built)
      if (bundle.inputs.every((f) => this.#seen.has(f)))
        bundle.key = keyOf(new Map(bundle.inputs.map((f) => [f, this.#seen.get(f)!])));
      return bundle;
    } catch (e) {
      if (e instanceof ModuleLoadError) throw e;
      const errors = (e as { errors?: esbuild.Message[] }).errors;
      if (errors) throw toLoadError(this.name, errors);
      throw new ModuleLoadError(`module "${this.name}" failed to build: ${(e as Error).message}`);
    }
  }

  /**
   * The build, or a load error once the deadline passes: the module's lock (and with it
   * `module disable` and the daemon's stop) must never wait on a build that will not end. The
   * stuck context is cancelled and dropped without waiting for it; the next build starts afresh.
   */
  async #withDeadline<T>(build: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const stuck = [...this.#reading].map((f) => displayPath(this.modulePath, f));
        const ctx = this.#ctx;
        this.#ctx = undefined;
        // one after the other: esbuild 0.28's service panics (taking every module's builds
        // down) when a dispose races a cancel of the same context
        void ctx
          ?.cancel()
          .then(() => ctx.dispose())
          .catch(() => {});
        const what = stuck.length
          ? `still reading ${stuck.join(", ")}`
          : `entry ${displayPath(this.modulePath, this.entry)}`;
        reject(
          new ModuleLoadError(
            `module "${this.name}": the build did not finish within ${this.deadlineMs / 1000} s and was abandoned (${what}): check that the module's files are regular files on a responsive file system`,
          ),
        );
      }, this.deadlineMs);
    });
    try {
      return await Promise.race([build, deadline]);
    } finally {
      clearTimeout(timer);
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
