// atob and btoa as the HTML standard defines them ("forgiving-base64"), and the latin1 string
// form in which bytes cross the isolate boundary (one character per byte).
import { DOMException } from "./dom-exception.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) INDEX[ALPHABET.charCodeAt(i)] = i;

export function btoa(data) {
  if (arguments.length === 0) throw new TypeError("btoa(): 1 argument required, but only 0 present");
  const s = String(data);
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0;
    if (a > 255 || b > 255 || c > 255)
      throw new DOMException(
        "btoa(): the string contains characters outside of the Latin1 range",
        "InvalidCharacterError",
      );
    const n = (a << 16) | (b << 8) | c;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < s.length ? ALPHABET[(n >> 6) & 63] : "=";
    out += i + 2 < s.length ? ALPHABET[n & 63] : "=";
  }
  return out;
}

export function atob(data) {
  if (arguments.length === 0) throw new TypeError("atob(): 1 argument required, but only 0 present");
  let s = String(data).replace(/[\t\n\f\r ]/g, "");
  if (s.length % 4 === 0) s = s.replace(/==?$/, "");
  const bad = () =>
    new DOMException("atob(): the string to be decoded is not correctly encoded", "InvalidCharacterError");
  if (s.length % 4 === 1) throw bad();
  let out = "";
  let buf = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? INDEX[c] : -1;
    if (v < 0) throw bad();
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buf >> bits) & 255);
    }
  }
  return out;
}

/** Bytes as a latin1 string (how bodies cross to the host), in chunks to spare the stack. */
export function latin1Of(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(undefined, bytes.subarray(i, i + 8192));
  return s;
}

export function bytesOfLatin1(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
