// Headers as the Fetch standard defines them: case-insensitive names, values joined with ", ",
// set-cookie kept apart (getSetCookie), names and values checked, so a CR or LF can never
// smuggle a second header line into a request.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// a value may not hold NUL, CR or LF (the standard's "header value" production)
const BAD_VALUE = /[\0\r\n]/;

export function checkName(name) {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`Headers: ${JSON.stringify(n)} is not a valid header name`);
  return n.toLowerCase();
}

export function checkValue(name, value) {
  const v = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (BAD_VALUE.test(v))
    throw new TypeError(`Headers: the value of ${JSON.stringify(name)} contains a NUL, CR or LF character`);
  return v;
}

export class Headers {
  #map = new Map();
  #cookies = [];

  constructor(init) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [k, v] of init.#list()) this.append(k, v);
    } else if (typeof init === "object" && typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const p = [...pair];
        if (p.length !== 2) throw new TypeError("Headers: each header must be a [name, value] pair");
        this.append(p[0], p[1]);
      }
    } else if (typeof init === "object") {
      for (const k of Object.keys(init)) this.append(k, init[k]);
    } else throw new TypeError("Headers: init must be an object, an array of pairs or a Headers");
  }

  append(name, value) {
    const n = checkName(name);
    const v = checkValue(n, value);
    if (n === "set-cookie") this.#cookies.push(v);
    else this.#map.set(n, this.#map.has(n) ? `${this.#map.get(n)}, ${v}` : v);
  }
  set(name, value) {
    const n = checkName(name);
    const v = checkValue(n, value);
    if (n === "set-cookie") this.#cookies = [v];
    else this.#map.set(n, v);
  }
  delete(name) {
    const n = checkName(name);
    if (n === "set-cookie") this.#cookies = [];
    else this.#map.delete(n);
  }
  get(name) {
    const n = checkName(name);
    if (n === "set-cookie") return this.#cookies.length ? this.#cookies.join(", ") : null;
    return this.#map.has(n) ? this.#map.get(n) : null;
  }
  has(name) {
    const n = checkName(name);
    return n === "set-cookie" ? this.#cookies.length > 0 : this.#map.has(n);
  }
  getSetCookie() {
    return this.#cookies.slice();
  }

  /** sorted by name, set-cookie once per value (the standard's "sort and combine") */
  #list() {
    const out = [...this.#map.entries()];
    for (const c of this.#cookies) out.push(["set-cookie", c]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  *entries() {
    yield* this.#list();
  }
  *keys() {
    for (const [k] of this.#list()) yield k;
  }
  *values() {
    for (const [, v] of this.#list()) yield v;
  }
  forEach(fn, thisArg) {
    for (const [k, v] of this.#list()) fn.call(thisArg, v, k, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "Headers";
  }
}
