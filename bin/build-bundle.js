// Builds one of the bundles bin/tsmgr.js runs (the daemon's, the client's) with esbuild: one
// CommonJS file, npm packages left outside (required from node_modules), the input stamps
// appended as its last line so the code and the stamps it was built from are one file, replaced
// by one rename (processes building at once each write their own temporary file).
"use strict";
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { dirname, join, sep } = require("node:path");
const { pathToFileURL } = require("node:url");

function stampOf(file) {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}

/**
 * Each source file's `import.meta.url` becomes that file's own URL, so the files found beside a
 * source (the sandbox's prelude.js, the sdk, the command corpus) are found from the bundle too.
 * esbuild's own `define` does it per file (a plain text replace would also rewrite the words in a
 * string, as in the test template `tsmgr new` writes); target and class fields as tsconfig.json.
 */
function ownUrl(esbuild) {
  return {
    name: "tsmgr-own-import-meta-url",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const r = await esbuild.transform(text, {
          loader: args.path.endsWith("ts") ? "ts" : "js",
          sourcefile: args.path,
          sourcemap: "inline",
          define: { "import.meta.url": JSON.stringify(pathToFileURL(args.path).href) },
          tsconfigRaw: { compilerOptions: { target: "ES2022", verbatimModuleSyntax: false } },
        });
        return { contents: r.code, loader: "js" };
      });
    },
  };
}

/**
 * The built-ins named (SPEC.lazy: { "node:crypto": "lazy-crypto.js" }) are imported from the
 * stand-in beside this file, which requires them on first use, not when the code importing them
 * loads. Left outside the bundle (a bundled CommonJS file would be copied property by property,
 * so loaded at once), required by its path.
 */
function lazyBuiltins(lazy) {
  const filter = new RegExp(`^(${Object.keys(lazy).join("|")})$`);
  return {
    name: "tsmgr-lazy-builtins",
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: join(__dirname, lazy[args.path]), external: true }));
    },
  };
}

/**
 * Builds ROOT/SPEC.entry into FILE, its last line MARK and the inputs' stamps (JSON); returns FILE.
 * The daemon's bundle has a source map (it enables source maps: its stack traces point into the
 * sources); the client's does not.
 */
async function build(root, spec, file, mark) {
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [join(root, spec.entry)],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    sourcemap: spec.sourcemap ? "linked" : false,
    sourcesContent: false,
    write: false,
    metafile: true,
    outfile: file,
    absWorkingDir: root,
    logLevel: "silent",
    plugins: [ownUrl(esbuild), ...(spec.lazy ? [lazyBuiltins(spec.lazy)] : [])],
  });
  mkdirSync(dirname(file), { recursive: true });
  // the bin and this file build them: a change to either rebuilds too
  const inputs = [...Object.keys(r.metafile.inputs), "bin/tsmgr.js", "bin/build-bundle.js"];
  const stamps = JSON.stringify(Object.fromEntries(inputs.map((f) => [f, stampOf(join(root, f))])));
  const tmp = `.${process.pid}.tmp`;
  for (const out of r.outputFiles.filter((o) => o.path !== file)) {
    // the source map, before the bundle that points at it
    writeFileSync(out.path + tmp, out.contents);
    renameSync(out.path + tmp, out.path);
  }
  const code = r.outputFiles.find((o) => o.path === file).text;
  writeFileSync(file + tmp, code + mark + stamps + "\n");
  renameSync(file + tmp, file);
  return file;
}

module.exports = { build };
