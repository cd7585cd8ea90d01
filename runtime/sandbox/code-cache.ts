// V8's code cache for the script every isolate compiles (the web globals and the prelude): every
// isolate after the first hands V8 the cache and V8 skips parsing and compiling (1.4 → 0.3 ms).
// The cache is made from an isolate that already ran the script, loaded a module and answered a
// call (`warmCodeCache`): V8 then serializes the functions that ran compiled too, which a cache
// made right after compiling leaves out (each new isolate compiled them again on first call: the
// prelude's run 0.57 → 0.38 ms). Kept in memory only: the data depends on the V8 build and flags,
// which a process never changes.
import ivm from "isolated-vm";

/** What compileScript returns with the cache options (isolated-vm's typings leave these out). */
type CompiledWithCache = ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean };

const cached = new Map<string, { code: string; data: ivm.ExternalCopy<ArrayBuffer> | undefined; stage: number }>();

/** Compiles `code` in `iso`, with the cache V8 made for the same code under `filename` when there is one. */
export async function compileCached(iso: ivm.Isolate, code: string, filename: string): Promise<ivm.Script> {
  const hit = cached.get(filename);
  if (hit?.data && hit.code === code) {
    const script = (await iso.compileScript(code, { filename, cachedData: hit.data })) as CompiledWithCache;
    if (!script.cachedDataRejected) return script;
  }
  return iso.compileScript(code, { filename });
}

/**
 * Makes the cache of `code` from `iso`, which compiled and ran it (the same source compiled
 * again hits V8's per-isolate compilation cache: what ran is compiled). `stage` says how far that
 * isolate got (1: a module loaded, 2: a module answered its first call); a later stage makes the
 * cache again, with more compiled. At most once per stage and process; never fails a caller.
 */
export function warmCodeCache(iso: ivm.Isolate, code: string, filename: string, stage: number): void {
  const hit = cached.get(filename);
  if (hit !== undefined && hit.stage >= stage && hit.code === code) return;
  cached.set(filename, { code, data: hit?.code === code ? hit.data : undefined, stage }); // one isolate makes it
  iso.compileScript(code, { filename, produceCachedData: true }).then(
    (s) => {
      const data = (s as CompiledWithCache).cachedData;
      if (data && cached.get(filename)?.stage === stage) cached.set(filename, { code, data, stage });
    },
    () => {}, // the isolate went away first: the cache stays as it was
  );
}
