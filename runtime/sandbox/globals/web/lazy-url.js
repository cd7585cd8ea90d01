// URL and URLSearchParams come from the whatwg-url package, bundled by the host and evaluated
// in the isolate the first time a module (or fetch) touches them: the bundle is ~290 KB, which
// an idle module should not carry (the idle-isolate memory target is 2 MB).
import { TextDecoder, TextEncoder } from "./encoding.js";

let source;
let loaded;
// captured before any module code runs: a module replacing eval must not change what loads URL
const indirectEval = globalThis.eval;

/** The prelude hands over the host function answering the bundle's source text. */
export function useUrlSource(fn) {
  source = fn;
}

export function urlModule() {
  if (loaded === undefined) loaded = indirectEval(source())(TextEncoder, TextDecoder);
  return loaded;
}

export const urlClass = () => urlModule().URL;
