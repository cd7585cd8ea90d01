// The web-standard globals of a module isolate (issue 18 item 3). The host bundles this folder
// with esbuild once per process (../index.ts) and runs it in each isolate before the prelude; it
// leaves one hidden function, __h_webInstall, which the prelude takes (with every other __h_
// global) and calls with the host functions and its timers. Module code never sees the hooks.
import { AbortController, AbortSignal, useTimers } from "./abort.js";
import { atob, btoa } from "./base64.js";
import { Request, Response } from "./body.js";
import { structuredClone } from "./clone.js";
import { crypto, useCryptoHost } from "./crypto.js";
import { DOMException } from "./dom-exception.js";
import { TextDecoder, TextEncoder } from "./encoding.js";
import { Event, EventTarget } from "./events.js";
import { fetch, useFetchHost } from "./fetch.js";
import { Headers } from "./headers.js";
import { urlModule, useUrlSource } from "./lazy-url.js";

const G = globalThis;
const define = (name, value) =>
  Object.defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });

/** Date.now() as a clock that never goes back (the host's wall clock may step). */
let last = 0;
const origin = Date.now();
const performance = Object.freeze({
  timeOrigin: origin,
  now() {
    const t = Date.now() - origin;
    if (t > last) last = t;
    return last;
  },
});

function install(hooks) {
  useTimers({ setTimeout: hooks.setTimeout, clearTimeout: hooks.clearTimeout });
  useCryptoHost({ random: hooks.random, digest: hooks.digest });
  useFetchHost({ fetch: hooks.fetch, abort: hooks.fetchAbort });
  useUrlSource(hooks.urlSource);
  const eager = {
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    structuredClone,
    crypto,
    DOMException,
    Event,
    EventTarget,
    AbortController,
    AbortSignal,
    Headers,
    Request,
    Response,
    fetch,
    performance,
  };
  for (const k of Object.keys(eager)) define(k, eager[k]);
  // URL and URLSearchParams load the whatwg-url bundle on first touch (typeof URL included):
  // the accessor then replaces itself with the plain value.
  for (const name of ["URL", "URLSearchParams"]) {
    Object.defineProperty(G, name, {
      get() {
        const v = urlModule()[name];
        define(name, v);
        return v;
      },
      set(v) {
        define(name, v);
      },
      configurable: true,
      enumerable: false,
    });
  }
}

Object.defineProperty(G, "__h_webInstall", { value: install, configurable: true, enumerable: false, writable: false });
