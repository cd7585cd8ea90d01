// structuredClone: the HTML structured clone algorithm for the types a module can make here
// (primitives, plain objects and arrays, Date, RegExp, Map, Set, ArrayBuffer and views, Error
// and the boxed primitives), with cycles and shared references kept. Anything else (functions,
// symbols, class instances' methods) is a DataCloneError, as in browsers.
import { DOMException } from "./dom-exception.js";

const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
const VIEWS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
];

function refuse(v) {
  const what =
    typeof v === "function"
      ? `function ${v.name || "(anonymous)"}`
      : typeof v === "symbol"
        ? v.toString()
        : Object.prototype.toString.call(v);
  return new DOMException(`structuredClone(): ${what} could not be cloned.`, "DataCloneError");
}

export function structuredClone(value, options) {
  if (arguments.length === 0) throw new TypeError("structuredClone(): 1 argument required, but only 0 present");
  if (options !== undefined && options !== null && options.transfer !== undefined && options.transfer.length > 0) {
    throw new DOMException("structuredClone(): transfer is not supported in tsmgr modules", "DataCloneError");
  }
  const seen = new Map();
  return clone(value, seen);
}

function clone(v, seen) {
  const t = typeof v;
  if (v === null || t === "undefined" || t === "boolean" || t === "number" || t === "string" || t === "bigint")
    return v;
  if (t !== "object") throw refuse(v);
  if (seen.has(v)) return seen.get(v);
  const special = cloneSpecial(v, seen);
  if (special !== undefined) return special;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    seen.set(v, out);
    for (const k of Object.keys(v)) out[k] = clone(v[k], seen);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null && !isPlainClass(v)) throw refuse(v);
  const out = {};
  seen.set(v, out);
  for (const k of Object.keys(v)) out[k] = clone(v[k], seen);
  return out;
}

/** Class instances without internal slots clone as plain objects of their own fields (as in browsers). */
function isPlainClass(v) {
  const tag = Object.prototype.toString.call(v);
  return tag === "[object Object]";
}

function cloneSpecial(v, seen) {
  let out;
  if (v instanceof Date) out = new Date(v.getTime());
  else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
  else if (v instanceof ArrayBuffer) out = v.slice(0);
  else if (v instanceof Boolean || v instanceof Number || v instanceof String) out = Object(v.valueOf());
  else if (ArrayBuffer.isView(v)) {
    const C = VIEWS.find((K) => v instanceof K);
    if (!C) throw refuse(v);
    const buf = clone(v.buffer, seen);
    out = C === DataView ? new DataView(buf, v.byteOffset, v.byteLength) : new C(buf, v.byteOffset, v.length);
  } else if (v instanceof Map) {
    out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(clone(k, seen), clone(x, seen));
    return out;
  } else if (v instanceof Set) {
    out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(clone(x, seen));
    return out;
  } else if (v instanceof Error) {
    const C = ERRORS[v.name] ?? Error;
    out = new C(v.message);
    if (v.stack !== undefined) out.stack = String(v.stack);
    if ("cause" in v) out.cause = clone(v.cause, seen);
  } else if (typeof v === "function" || v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise)
    throw refuse(v);
  if (out !== undefined) seen.set(v, out);
  return out;
}
