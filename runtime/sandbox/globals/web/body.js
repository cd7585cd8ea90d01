// Request and Response: what fetch() takes and gives. Bodies are whole byte arrays (no
// streams: a fetched body is capped by limits.maxFetchBytes and arrives complete), read once
// through text(), json(), arrayBuffer() or bytes().
import { bytesOf, TextDecoder, TextEncoder } from "./encoding.js";
import { Headers } from "./headers.js";
import { urlClass } from "./lazy-url.js";

const encoder = new TextEncoder();
const FORBIDDEN_METHODS = ["CONNECT", "TRACE", "TRACK"];
const NORMAL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"];

/** [bytes, content type] of a body init; bytes are copied so later changes do not leak in. */
export function extractBody(init) {
  if (init === undefined || init === null) return [null, null];
  if (typeof init === "string") return [encoder.encode(init), "text/plain;charset=UTF-8"];
  if (init instanceof ArrayBuffer || ArrayBuffer.isView(init)) return [bytesOf(init, "body").slice(), null];
  if (Object.prototype.toString.call(init) === "[object URLSearchParams]")
    return [encoder.encode(String(init)), "application/x-www-form-urlencoded;charset=UTF-8"];
  throw new TypeError(
    "body must be a string, an ArrayBuffer, a typed array or URLSearchParams (tsmgr has no Blob, FormData or streams)",
  );
}

class Body {
  #bytes;
  #used = false;
  constructor(bytes) {
    this.#bytes = bytes;
  }
  get body() {
    // no ReadableStream in the isolate: read the body with text(), json(), arrayBuffer() or bytes()
    return null;
  }
  get bodyUsed() {
    return this.#used;
  }
  _bytes() {
    return this.#bytes;
  }
  #take() {
    if (this.#used) return Promise.reject(new TypeError("the body has already been read"));
    this.#used = true;
    return Promise.resolve(this.#bytes ?? new Uint8Array(0));
  }
  async bytes() {
    return (await this.#take()).slice();
  }
  async arrayBuffer() {
    return (await this.bytes()).buffer;
  }
  async text() {
    return new TextDecoder().decode(await this.#take());
  }
  async json() {
    return JSON.parse(await this.text());
  }
}

function normalizeMethod(m) {
  const up = String(m).toUpperCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(String(m)))
    throw new TypeError(`Request: ${JSON.stringify(String(m))} is not a valid method`);
  if (FORBIDDEN_METHODS.includes(up)) throw new TypeError(`Request: the method ${up} is forbidden`);
  return NORMAL_METHODS.includes(up) ? up : String(m);
}

export class Request extends Body {
  #url;
  #method;
  #headers;
  #signal;
  #redirect;
  constructor(input, init = {}) {
    const base = input instanceof Request ? input : undefined;
    const o = init ?? {};
    let bytes = base ? base._bytes() : null;
    let type = null;
    if (o.body !== undefined) [bytes, type] = extractBody(o.body);
    super(bytes);
    const URLC = urlClass();
    this.#url = base ? base.url : new URLC(String(input)).href;
    this.#method = normalizeMethod(o.method ?? (base ? base.method : "GET"));
    if ((this.#method === "GET" || this.#method === "HEAD") && bytes !== null)
      throw new TypeError(`Request: a ${this.#method} request cannot have a body`);
    this.#headers = new Headers(o.headers ?? (base ? base.headers : undefined));
    if (type !== null && !this.#headers.has("content-type")) this.#headers.set("content-type", type);
    this.#signal = o.signal ?? (base ? base.signal : null);
    this.#redirect = String(o.redirect ?? (base ? base.redirect : "follow"));
    if (!["follow", "error", "manual"].includes(this.#redirect))
      throw new TypeError(
        `Request: redirect must be "follow", "error" or "manual", got ${JSON.stringify(this.#redirect)}`,
      );
  }
  get url() {
    return this.#url;
  }
  get method() {
    return this.#method;
  }
  get headers() {
    return this.#headers;
  }
  get signal() {
    return this.#signal;
  }
  get redirect() {
    return this.#redirect;
  }
  clone() {
    if (this.bodyUsed) throw new TypeError("Request.clone(): the body has already been read");
    return new Request(this);
  }
  get [Symbol.toStringTag]() {
    return "Request";
  }
}

const NULL_BODY = [101, 103, 204, 205, 304];

export class Response extends Body {
  #status;
  #statusText;
  #headers;
  #meta;
  constructor(body = null, init = {}, meta = undefined) {
    const [bytes, type] = extractBody(body);
    super(bytes);
    const o = init ?? {};
    const status = o.status === undefined ? 200 : Number(o.status);
    if (!Number.isInteger(status) || ((status < 200 || status > 599) && !meta))
      throw new RangeError(`Response: status ${String(o.status)} is not between 200 and 599`);
    if (bytes !== null && NULL_BODY.includes(status) && !meta)
      throw new TypeError(`Response: a ${status} response cannot have a body`);
    this.#status = status;
    this.#statusText = String(o.statusText ?? "");
    this.#headers = new Headers(o.headers);
    if (type !== null && !this.#headers.has("content-type")) this.#headers.set("content-type", type);
    this.#meta = meta ?? { type: "default", url: "", redirected: false };
  }
  get status() {
    return this.#status;
  }
  get ok() {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText() {
    return this.#statusText;
  }
  get headers() {
    return this.#headers;
  }
  get type() {
    return this.#meta.type;
  }
  get url() {
    return this.#meta.url;
  }
  get redirected() {
    return this.#meta.redirected;
  }
  clone() {
    if (this.bodyUsed) throw new TypeError("Response.clone(): the body has already been read");
    return new Response(
      this._bytes(),
      { status: this.#status, statusText: this.#statusText, headers: this.#headers },
      this.#meta,
    );
  }
  static error() {
    return new Response(null, { status: 0 }, { type: "error", url: "", redirected: false });
  }
  static redirect(url, status = 302) {
    if (![301, 302, 303, 307, 308].includes(status))
      throw new RangeError(`Response.redirect(): ${status} is not a redirect status`);
    const URLC = urlClass();
    return new Response(null, { status, headers: { location: new URLC(String(url)).href } });
  }
  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Response.json(): the data cannot be serialized as JSON");
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(text, { ...init, headers });
  }
  get [Symbol.toStringTag]() {
    return "Response";
  }
}
