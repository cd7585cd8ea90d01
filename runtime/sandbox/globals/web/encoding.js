// TextEncoder and TextDecoder (UTF-8 only, as the Encoding Standard's TextEncoder is): written
// here because no maintained pure-JS implementation exists that does not pull in every legacy
// encoding. test/sandbox/web-globals.test.ts compares both with Node's on a generated corpus.

/** UTF-8 bytes of a string; lone surrogates become U+FFFD, as the standard says. */
function utf8Encode(s) {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd;
    }
    out[n++] = 0xe0 | (c >> 12);
    out[n++] = 0x80 | ((c >> 6) & 63);
    out[n++] = 0x80 | (c & 63);
  }
  return out.slice(0, n);
}

export class TextEncoder {
  get encoding() {
    return "utf-8";
  }
  encode(input = "") {
    return utf8Encode(String(input));
  }
  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array))
      throw new TypeError("TextEncoder.encodeInto(): the destination must be a Uint8Array");
    const s = String(source);
    let read = 0;
    let written = 0;
    for (const ch of s) {
      const b = utf8Encode(ch);
      if (written + b.length > destination.length) break;
      destination.set(b, written);
      written += b.length;
      read += ch.length;
    }
    return { read, written };
  }
}

/** The bytes of a BufferSource, without copying. */
export function bytesOf(input, what) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError(
    `${what}: expected an ArrayBuffer or a typed array, got ${input === null ? "null" : typeof input}`,
  );
}

/** How many continuation bytes a lead byte announces, and the bounds of the first one (the standard's table). */
function leadOf(b) {
  if (b >= 0xc2 && b <= 0xdf) return [1, 0x80, 0xbf, b & 0x1f];
  if (b === 0xe0) return [2, 0xa0, 0xbf, b & 0xf];
  if (b === 0xed) return [2, 0x80, 0x9f, b & 0xf];
  if (b >= 0xe1 && b <= 0xef) return [2, 0x80, 0xbf, b & 0xf];
  if (b === 0xf0) return [3, 0x90, 0xbf, b & 7];
  if (b === 0xf4) return [3, 0x80, 0x8f, b & 7];
  if (b >= 0xf1 && b <= 0xf3) return [3, 0x80, 0xbf, b & 7];
  return undefined;
}

export class TextDecoder {
  #fatal;
  #ignoreBOM;
  #pending = new Uint8Array(0);
  #bomSeen = false;

  constructor(label = "utf-8", options = {}) {
    const l = String(label).trim().toLowerCase();
    if (l !== "utf-8" && l !== "utf8" && l !== "unicode-1-1-utf-8") {
      throw new RangeError(
        `TextDecoder: the encoding ${JSON.stringify(String(label))} is not supported: tsmgr modules decode utf-8 only`,
      );
    }
    this.#fatal = Boolean(options && options.fatal);
    this.#ignoreBOM = Boolean(options && options.ignoreBOM);
  }
  get encoding() {
    return "utf-8";
  }
  get fatal() {
    return this.#fatal;
  }
  get ignoreBOM() {
    return this.#ignoreBOM;
  }

  decode(input, options = {}) {
    const stream = Boolean(options && options.stream);
    let bytes = input === undefined ? new Uint8Array(0) : bytesOf(input, "TextDecoder.decode()");
    if (this.#pending.length > 0) {
      const joined = new Uint8Array(this.#pending.length + bytes.length);
      joined.set(this.#pending);
      joined.set(bytes, this.#pending.length);
      bytes = joined;
    }
    const { text, used } = this.#run(bytes, stream);
    this.#pending = bytes.slice(used);
    let out = text;
    if (!this.#bomSeen && out.length > 0) {
      this.#bomSeen = true;
      if (!this.#ignoreBOM && out.charCodeAt(0) === 0xfeff) out = out.slice(1);
    }
    if (!stream) {
      this.#pending = new Uint8Array(0);
      this.#bomSeen = false;
    }
    return out;
  }

  /** Decodes `b`; with `stream`, an incomplete sequence at the end is left unused. */
  #run(b, stream) {
    const parts = [];
    let chunk = [];
    const push = (cp) => {
      chunk.push(cp);
      if (chunk.length >= 8192) {
        parts.push(String.fromCodePoint.apply(undefined, chunk));
        chunk = [];
      }
    };
    let i = 0;
    while (i < b.length) {
      const c = b[i];
      if (c < 0x80) {
        push(c);
        i++;
        continue;
      }
      const lead = leadOf(c);
      if (lead === undefined) {
        this.#bad(push);
        i++;
        continue;
      }
      let [need, lo, hi, cp] = lead;
      let j = i + 1;
      let ok = true;
      for (let k = 0; k < need; k++, j++) {
        if (j >= b.length) {
          if (stream) return this.#done(parts, chunk, i);
          ok = false;
          break;
        }
        const x = b[j];
        if (x < lo || x > hi) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (x & 63);
        lo = 0x80;
        hi = 0xbf;
      }
      if (!ok) {
        this.#bad(push);
        i = j;
        continue;
      }
      push(cp);
      i = j;
    }
    return this.#done(parts, chunk, b.length);
  }

  #bad(push) {
    if (this.#fatal) throw new TypeError("TextDecoder.decode(): the input is not valid utf-8");
    push(0xfffd);
  }

  #done(parts, chunk, used) {
    if (chunk.length > 0) parts.push(String.fromCodePoint.apply(undefined, chunk));
    return { text: parts.join(""), used };
  }
}
