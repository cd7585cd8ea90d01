// Resolves a module's relative and absolute imports to a file, so that esbuild's own resolver
// never runs: it opens every package.json and tsconfig.json on the way, and a named pipe under
// one of those names blocked the build for good. Only stat and realpath here (neither opens a
// file); the candidates follow esbuild's rules for the files a module can import.
import { realpath, stat } from "node:fs/promises";

/** What a module can import, by extension: esbuild's loader for it. */
export const LOADERS: Readonly<Record<string, "ts" | "js" | "json" | "text">> = {
  ".ts": "ts",
  ".js": "js",
  ".mjs": "js",
  ".json": "json",
  ".txt": "text",
};
const EXTENSIONS = [".ts", ".js", ".mjs", ".json"];

async function kind(path: string): Promise<"file" | "dir" | undefined> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file"; // a pipe counts as a file: loading it says what it is
  } catch {
    return undefined;
  }
}

function candidates(target: string): string[] {
  const out = [target];
  // TypeScript's convention: `./x.js` names the `./x.ts` it compiles to
  const js = /\.m?js$/.exec(target);
  if (js) out.push(target.slice(0, -js[0].length) + ".ts");
  for (const ext of EXTENSIONS) out.push(target + ext);
  return out;
}

/** The real path of the file `target` (an absolute path as written, without extension) names, or undefined. */
export async function resolveFile(target: string): Promise<string | undefined> {
  for (const c of candidates(target)) {
    if ((await kind(c)) === "file") return realpath(c);
  }
  if ((await kind(target)) === "dir") {
    for (const ext of EXTENSIONS) {
      const index = `${target}/index${ext}`;
      if ((await kind(index)) === "file") return realpath(index);
    }
  }
  return undefined;
}
