// fetch() for modules (issue 18 item 4): the daemon makes the HTTP(S) request on the module's
// behalf with node:http/https, one hop at a time, each hop checked by fetch-policy.ts and sent
// to the address that was checked. Bodies are capped (limits.maxFetchBytes), each call has a
// deadline (limits.fetchTimeoutMs) and a module has at most limits.maxConcurrentFetches in
// flight. Only plain text crosses back: "r" + JSON head + "\n" + latin1 body, or "e" + error.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { LimitExceeded, PermissionDenied } from "../errors.ts";
import { checkHop, parseGrants, systemResolver, type Checked, type Resolver } from "./fetch-policy.ts";
import type { FetchGrant } from "../config/fetch-grants.ts";

export interface FetchLimits {
  maxFetchBytes: number;
  fetchTimeoutMs: number;
  maxConcurrentFetches: number;
}

interface Req {
  id: number;
  method: string;
  url: string;
  headers: [string, string][];
  redirect: "follow" | "error" | "manual";
  hasBody: boolean;
}

const MAX_REDIRECTS = 20;
/** calls waiting for a slot beyond the concurrent ones: a loop of un-awaited fetches stops here */
const MAX_WAITING = 256;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// the Fetch standard's forbidden request headers: the daemon sets these itself
const FORBIDDEN = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
  "proxy-authorization",
]);

class FetchAbort extends Error {
  constructor(name: "AbortError" | "TimeoutError", message: string) {
    super(message);
    this.name = name;
  }
}

export class ModuleFetcher {
  readonly #module: string;
  readonly #grantList: () => readonly string[];
  #parsed: { from: readonly string[]; grants: FetchGrant[] } | undefined;
  readonly #limits: FetchLimits;
  readonly #resolve: Resolver;
  readonly #inflight = new Map<number, AbortController>();
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  #grants(): FetchGrant[] {
    const now = this.#grantList();
    if (this.#parsed?.from !== now) this.#parsed = { from: now, grants: parseGrants(now) };
    return this.#parsed.grants;
  }

  /** `grants` is read at each request: a `module grant`/`revoke` or a reload applies from the next one */
  constructor(
    module: string,
    grants: readonly string[] | (() => readonly string[]),
    limits: FetchLimits,
    resolve: Resolver = systemResolver,
  ) {
    this.#module = module;
    this.#grantList = typeof grants === "function" ? grants : () => grants;
    this.#limits = limits;
    this.#resolve = resolve;
  }

  /** One fetch() call; never rejects: errors are answered as "e" + {name, message}. */
  async fetch(headJson: string, body: string): Promise<string> {
    let req: Req | undefined;
    const ac = new AbortController();
    try {
      req = parseReq(headJson);
      if (this.#inflight.has(req.id)) throw new TypeError(`fetch(): request id ${req.id} is already in flight`);
      if (body.length > this.#limits.maxFetchBytes) throw this.#tooBig("request", body.length);
      this.#inflight.set(req.id, ac);
      const timer = setTimeout(
        () =>
          ac.abort(
            new FetchAbort(
              "TimeoutError",
              `fetch(${JSON.stringify(req!.url)}): no complete answer within ${this.#limits.fetchTimeoutMs} ms (limits.fetchTimeoutMs in mgr.json)`,
            ),
          ),
        this.#limits.fetchTimeoutMs,
      );
      try {
        await this.#slot(ac.signal);
        try {
          return await this.#follow(req, req.hasBody ? Buffer.from(body, "latin1") : undefined, ac.signal);
        } finally {
          this.#release();
        }
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      const err =
        ac.signal.aborted && ac.signal.reason instanceof Error
          ? ac.signal.reason
          : e instanceof Error
            ? e
            : new Error(String(e));
      return "e" + JSON.stringify({ name: String(err.name).slice(0, 64), message: String(err.message).slice(0, 4096) });
    } finally {
      if (req !== undefined && this.#inflight.get(req.id) === ac) this.#inflight.delete(req.id);
    }
  }

  /** The module's AbortSignal fired (or the module stops): the request is dropped. */
  abort(id: unknown): void {
    if (typeof id !== "number") return;
    this.#inflight.get(id)?.abort(new FetchAbort("AbortError", "This operation was aborted"));
  }

  abortAll(): void {
    for (const id of [...this.#inflight.keys()]) this.abort(id);
  }

  async #slot(signal: AbortSignal): Promise<void> {
    if (this.#active < this.#limits.maxConcurrentFetches) {
      this.#active++;
      return;
    }
    if (this.#waiting.length >= MAX_WAITING) {
      throw new LimitExceeded(
        `module ${this.#module} has ${this.#active} fetch() calls in flight and ${this.#waiting.length} waiting: the limit is ${this.#limits.maxConcurrentFetches} at once (limits.maxConcurrentFetches in mgr.json) and ${MAX_WAITING} waiting; await them before starting more`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener("abort", stop);
        this.#active++;
        resolve();
      };
      const stop = () => {
        const i = this.#waiting.indexOf(go);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", stop, { once: true });
      this.#waiting.push(go);
    });
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }

  #tooBig(what: "request" | "response", n: number): LimitExceeded {
    return new LimitExceeded(
      `fetch(): the ${what} body is larger than ${this.#limits.maxFetchBytes} bytes (${n} bytes or more): the limit is limits.maxFetchBytes in mgr.json`,
    );
  }

  /** Runs the hops of one call: each is checked, redirects are followed as the Fetch standard says. */
  async #follow(req: Req, body: Buffer | undefined, signal: AbortSignal): Promise<string> {
    let url = parseUrl(req.url);
    let method = req.method;
    let headers = req.headers;
    let via: string | undefined;
    if (url.protocol === "data:") return this.#dataUrl(url, signal);
    for (let hop = 0; ; hop++) {
      if (url.protocol !== "http:" && url.protocol !== "https:") throw this.#scheme(url, via);
      const checked = await checkHop(this.#module, this.#grants(), url, via, this.#resolve);
      signal.throwIfAborted();
      const res = await send(url, checked, method, headers, body, signal);
      const location = res.headers.location;
      if (
        ![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) ||
        location === undefined ||
        req.redirect === "manual"
      ) {
        return this.#answer(res, url, hop > 0, method, signal);
      }
      res.resume();
      if (req.redirect === "error")
        throw new TypeError(
          `fetch(${JSON.stringify(req.url)}): the server redirected (${res.statusCode}) and redirect is "error"`,
        );
      if (hop >= MAX_REDIRECTS)
        throw new TypeError(`fetch(${JSON.stringify(req.url)}): more than ${MAX_REDIRECTS} redirects`);
      const next = parseUrl(location, url);
      if (
        res.statusCode === 303
          ? method !== "HEAD"
          : (res.statusCode === 301 || res.statusCode === 302) && method === "POST"
      ) {
        method = "GET";
        body = undefined;
        headers = headers.filter(([k]) => !k.startsWith("content-"));
      }
      // credentials do not follow a redirect to another origin (the Fetch standard, since 2022)
      if (next.origin !== url.origin) headers = headers.filter(([k]) => k !== "authorization" && k !== "cookie");
      via = url.href;
      url = next;
    }
  }

  #scheme(url: URL, via: string | undefined): Error {
    const from = via === undefined ? "" : ` (a redirect from ${JSON.stringify(via)})`;
    if (via !== undefined && url.protocol === "data:")
      return new TypeError(`fetch(): a redirect to a data: URL${from} is not followed`);
    return new PermissionDenied(
      `module "${this.#module}" may not fetch ${url.protocol} URLs${from}: fetch() reaches only http: and https: hosts granted in mgr.json at modules.${this.#module}.allow.fetch (and data: URLs)`,
    );
  }

  /** data: URLs are decoded by Node's own fetch (the standard's parser), capped like any body. */
  async #dataUrl(url: URL, signal: AbortSignal): Promise<string> {
    const res = await fetch(url, { signal });
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > this.#limits.maxFetchBytes) throw this.#tooBig("response", buf.length);
    const head = {
      status: 200,
      statusText: "OK",
      headers: [["content-type", res.headers.get("content-type") ?? "text/plain;charset=US-ASCII"]],
      url: url.href,
      redirected: false,
    };
    return "r" + JSON.stringify(head) + "\n" + buf.toString("latin1");
  }

  /** Reads the body up to the cap and answers it with the head. */
  async #answer(
    res: IncomingMessage,
    url: URL,
    redirected: boolean,
    method: string,
    signal: AbortSignal,
  ): Promise<string> {
    const max = this.#limits.maxFetchBytes;
    const declared = Number(res.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) {
      res.destroy();
      throw this.#tooBig("response", declared);
    }
    const chunks: Buffer[] = [];
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      // the first failure wins: destroying the response then fires "aborted" as well
      const fail = (e: unknown) => (reject(e), res.destroy());
      signal.addEventListener("abort", () => fail(signal.reason), { once: true });
      res.on("data", (c: Buffer) => {
        n += c.length;
        if (n > max) return fail(this.#tooBig("response", n));
        chunks.push(c);
      });
      res.on("end", resolve);
      res.on("error", fail);
      res.on("aborted", () =>
        fail(
          new TypeError(`fetch(${JSON.stringify(url.href)}): the server closed the connection before the body ended`),
        ),
      );
    });
    const headers: [string, string][] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      const k = res.rawHeaders[i]!;
      const v = res.rawHeaders[i + 1]!;
      if (TOKEN.test(k) && !/[\0\r\n]/.test(v)) headers.push([k.toLowerCase(), v]);
    }
    const head = {
      status: res.statusCode,
      statusText: res.statusMessage ?? "",
      headers,
      url: url.href,
      redirected,
      method,
    };
    return "r" + JSON.stringify(head) + "\n" + Buffer.concat(chunks).toString("latin1");
  }
}

function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new TypeError(`fetch(): ${JSON.stringify(text.slice(0, 256))} is not a valid URL`);
  }
}

/** The request head the isolate sent, checked field by field (the module could have forged it). */
function parseReq(json: string): Req {
  const r = JSON.parse(json) as Partial<Req>;
  if (
    typeof r !== "object" ||
    r === null ||
    !Number.isSafeInteger(r.id) ||
    typeof r.url !== "string" ||
    typeof r.method !== "string" ||
    !TOKEN.test(r.method)
  ) {
    throw new TypeError("fetch(): malformed request");
  }
  if (!["follow", "error", "manual"].includes(r.redirect as string))
    throw new TypeError("fetch(): malformed request (redirect)");
  if (!Array.isArray(r.headers)) throw new TypeError("fetch(): malformed request (headers)");
  const headers: [string, string][] = [];
  for (const h of r.headers as unknown[]) {
    if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== "string" || typeof h[1] !== "string")
      throw new TypeError("fetch(): each header must be a [name, value] pair of strings");
    const [k, v] = h as [string, string];
    if (!TOKEN.test(k)) throw new TypeError(`fetch(): ${JSON.stringify(k)} is not a valid header name`);
    if (/[\0\r\n]/.test(v))
      throw new TypeError(`fetch(): the value of header ${JSON.stringify(k)} contains a NUL, CR or LF character`);
    const name = k.toLowerCase();
    if (!FORBIDDEN.has(name) && !name.startsWith("proxy-")) headers.push([name, v]);
  }
  return {
    id: r.id!,
    method: r.method,
    url: r.url,
    headers,
    redirect: r.redirect as Req["redirect"],
    hasBody: r.hasBody === true,
  };
}

/** One HTTP exchange with the checked address; resolves with the response head. */
function send(
  url: URL,
  to: Checked,
  method: string,
  headers: [string, string][],
  body: Buffer | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const h: Record<string, string> = { "user-agent": "tsmgr", accept: "*/*" };
  for (const [k, v] of headers) h[k] = h[k] !== undefined && k !== "user-agent" && k !== "accept" ? `${h[k]}, ${v}` : v;
  if (body !== undefined) h["content-length"] = String(body.length);
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  // the connection goes to the address fetch-policy.ts checked, whatever a new lookup would say
  const lookup = (_h: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
    opts.all ? cb(null, [{ address: to.address, family: to.family }]) : cb(null, to.address, to.family);
  const opts = {
    hostname,
    port: to.port,
    path: url.pathname + url.search,
    method,
    headers: h,
    lookup,
    agent: false as const,
    signal,
  };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(opts as never, resolve);
    req.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        signal.aborted
          ? signal.reason
          : new TypeError(`fetch(${JSON.stringify(url.href)}) failed: ${e.code ?? e.message}`),
      ),
    );
    req.end(body);
  });
}
