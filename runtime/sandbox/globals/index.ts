// The web-standard globals of module isolates (URL, TextEncoder, fetch, ...): the isolate code
// lives in web/ (plain JS), bundled here by esbuild once per process, plus the hint a module
// gets when it reaches for a global the sandbox does not provide.
import { build, buildSync, type BuildOptions } from "esbuild";
import { fileURLToPath } from "node:url";

const WEB_ENTRY = fileURLToPath(new URL("./web/install.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

let web: string | undefined;
let url: string | undefined;
let preparing: Promise<void> | undefined;

/**
 * Builds both bundles (once per process; later calls return at once). ModuleSandbox awaits it
 * before its first isolate, so the host functions that hand the code over never build on the
 * daemon's thread in the middle of a module's call.
 */
export function prepareWebGlobals(): Promise<void> {
  preparing ??= Promise.all([buildWeb(), buildUrl()]).then(([w, u]) => {
    web = w;
    url = u;
  });
  return preparing;
}

const WEB_BUILD: BuildOptions = {
  entryPoints: [WEB_ENTRY],
  bundle: true,
  write: false,
  format: "iife",
  platform: "neutral",
  target: "es2022",
  logLevel: "silent",
};

async function buildWeb(): Promise<string> {
  return (await build({ ...WEB_BUILD, write: false })).outputFiles[0]!.text;
}

/**
 * whatwg-url (the URL Standard's reference implementation, used by jsdom) as a function of the
 * TextEncoder/TextDecoder it needs, so a module replacing those globals cannot break URL.
 */
const URL_BUILD: BuildOptions = {
  stdin: {
    contents: 'const w = require("whatwg-url"); module.exports = { URL: w.URL, URLSearchParams: w.URLSearchParams };',
    resolveDir: ROOT,
    loader: "js",
  },
  bundle: true,
  format: "cjs",
  platform: "neutral",
  mainFields: ["main"],
  target: "es2022",
  minify: true,
  logLevel: "silent",
};
// The prelude removes SharedArrayBuffer from isolates; webidl-conversions only reads getters off
// its prototype to tell shared buffers apart, so a stand-in whose getters refuse every value will do.
const NO_SAB = `var SharedArrayBuffer=function(){};Object.defineProperties(SharedArrayBuffer.prototype,{byteLength:{get(){throw new TypeError("no SharedArrayBuffer")}},growable:{get(){throw new TypeError("no SharedArrayBuffer")}}});`;
const wrapUrl = (cjs: string) =>
  `(function(TextEncoder,TextDecoder){${NO_SAB}var module={exports:{}},exports=module.exports;\n${cjs}\nreturn module.exports;})`;

async function buildUrl(): Promise<string> {
  return wrapUrl((await build({ ...URL_BUILD, write: false })).outputFiles[0]!.text);
}

/** The code run in every isolate before the prelude (prepareWebGlobals() must have finished). */
export function webGlobalsCode(): string {
  // built on the spot only when no isolate was made yet (a test calling the host table directly)
  web ??= buildSync({ ...WEB_BUILD, write: false }).outputFiles[0]!.text;
  return web;
}

/** The whatwg-url bundle, fetched by an isolate the first time its module touches URL. */
export function urlBundleCode(): string {
  url ??= wrapUrl(buildSync({ ...URL_BUILD, write: false }).outputFiles[0]!.text);
  return url;
}

/** What a module may use besides the language's own built-ins (named in the hint below). */
export const WEB_GLOBALS = [
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "atob",
  "btoa",
  "structuredClone",
  "crypto",
  "AbortController",
  "AbortSignal",
  "EventTarget",
  "Event",
  "DOMException",
  "performance",
  "Headers",
  "Request",
  "Response",
  "fetch",
  "console",
  "setTimeout",
  "setInterval",
  "clearTimeout",
  "clearInterval",
  "queueMicrotask",
] as const;

// Globals of Node and of browsers that authors reach for by habit.
const KNOWN_ABSENT = new Set([
  "process",
  "require",
  "Buffer",
  "global",
  "__dirname",
  "__filename",
  "module",
  "exports",
  "setImmediate",
  "clearImmediate",
  "window",
  "self",
  "document",
  "navigator",
  "localStorage",
  "sessionStorage",
  "XMLHttpRequest",
  "WebSocket",
  "Blob",
  "File",
  "FormData",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
  "Deno",
  "Bun",
]);

/**
 * `process is not defined` becomes `process is not defined: tsmgr modules run in a sandbox; ...`
 * for the names above. Added where the error is reported (not by getters on the global object:
 * `typeof process` must stay "undefined" for code that checks where it runs).
 */
export function withSandboxHint(message: string): string {
  const m = /^(?:ReferenceError: )?([\w$]+) is not defined$/.exec(message.split("\n", 1)[0]!);
  if (!m || !KNOWN_ABSENT.has(m[1]!) || message.includes("tsmgr modules run in a sandbox")) return message;
  const first = message.split("\n", 1)[0]!;
  const hint = `${first}: tsmgr modules run in a sandbox without Node's or a browser's globals; available globals are ${WEB_GLOBALS.join(", ")} (see sdk/README.md, "Web standard globals and fetch")`;
  return hint + message.slice(first.length);
}
