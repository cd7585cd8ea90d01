// crypto.getRandomValues, crypto.randomUUID and crypto.subtle.digest: the randomness and the
// hashing are the host's (node:crypto), reached through two host functions.
import { bytesOfLatin1, latin1Of } from "./base64.js";
import { bytesOf } from "./encoding.js";
import { DOMException } from "./dom-exception.js";

let host = { random: undefined, digest: undefined };
/** The prelude hands over the host functions before any module code runs. */
export function useCryptoHost(h) {
  host = h;
}

const INTEGER_ARRAYS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
];
const DIGESTS = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

function getRandomValues(array) {
  if (!INTEGER_ARRAYS.some((C) => array instanceof C)) {
    throw new DOMException(
      "crypto.getRandomValues(): the argument must be an integer typed array",
      "TypeMismatchError",
    );
  }
  if (array.byteLength > 65536) {
    throw new DOMException(
      `crypto.getRandomValues(): ${array.byteLength} bytes were asked for: the limit is 65536`,
      "QuotaExceededError",
    );
  }
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  bytes.set(bytesOfLatin1(host.random(array.byteLength)));
  return array;
}

function randomUUID() {
  const b = getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function digest(algorithm, data) {
  const name = String(typeof algorithm === "object" && algorithm !== null ? algorithm.name : algorithm).toUpperCase();
  const alg = DIGESTS[name];
  if (alg === undefined)
    throw new DOMException(
      `crypto.subtle.digest(): ${JSON.stringify(name)} is not supported: use SHA-1, SHA-256, SHA-384 or SHA-512`,
      "NotSupportedError",
    );
  const bytes = bytesOf(data, "crypto.subtle.digest()");
  return bytesOfLatin1(await host.digest(alg, latin1Of(bytes))).buffer;
}

const subtle = Object.freeze({ digest });
export const crypto = Object.freeze({ getRandomValues, randomUUID, subtle });
