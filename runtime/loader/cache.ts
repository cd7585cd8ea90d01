// The on-disk bundle cache: a restart reuses a module's bundle when no input changed.
// An entry is keyed by a hash over every input file's path and content (sdk files included,
// since they are inputs) and the esbuild version, so any edit or upgrade misses the cache.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Bundle } from "./bundle.ts";
import { readRegularFileSync } from "./read-regular.ts";

const FORMAT = 2;

interface CacheEntry {
  format: number;
  key: string;
  entry: string;
  bundle: Bundle;
}

/** The content hash of one input, as the key uses it. */
export function contentHash(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The cache key of inputs given as path → content hash (sorted by path). */
export function keyOf(hashes: ReadonlyMap<string, string>): string {
  const h = createHash("sha256").update(`${FORMAT}\0${esbuild.version}\0`);
  for (const file of [...hashes.keys()].sort()) h.update(file).update("\0").update(hashes.get(file)!).update("\0");
  return h.digest("hex");
}

/** The cache key of these inputs as they are on disk now (undefined if one is missing). */
export function inputsKey(inputs: readonly string[]): string | undefined {
  const hashes = new Map<string, string>();
  for (const file of inputs) {
    try {
      hashes.set(file, contentHash(readRegularFileSync(file)));
    } catch {
      return undefined; // an input vanished or is no longer a regular file: rebuild (which says so)
    }
  }
  return keyOf(hashes);
}

export class BundleCache {
  constructor(readonly dir: string) {}

  #file(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  /** The cached bundle of `name` if its entry and every input are unchanged. */
  get(name: string, entry: string): Bundle | undefined {
    let e: CacheEntry;
    try {
      e = JSON.parse(readFileSync(this.#file(name), "utf8")) as CacheEntry;
    } catch {
      return undefined;
    }
    if (e.format !== FORMAT || e.entry !== entry || !Array.isArray(e.bundle?.inputs)) return undefined;
    return inputsKey(e.bundle.inputs) === e.key ? e.bundle : undefined;
  }

  /**
   * Stores `bundle` under the key of its inputs exactly as esbuild read them (bundle.key). A key
   * read from disk later could pair an old bundle with newer sources (a save during the build)
   * and serve it forever.
   */
  put(entry: string, bundle: Bundle): void {
    const key = bundle.key;
    if (!key) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.#file(bundle.name)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ format: FORMAT, key, entry, bundle } satisfies CacheEntry));
      renameSync(tmp, this.#file(bundle.name)); // atomic: a reader never sees half an entry
    } catch {
      // The cache is an optimisation: a full disk or read-only data dir must not stop a module.
    }
  }
}
