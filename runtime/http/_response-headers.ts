// What a module may put in its HTTP response headers. The host owns the framing: a module's
// Content-Length or Transfer-Encoding would let it end a response early and forge the next
// one on a keep-alive connection (response splitting), so those are dropped and Node frames
// the body itself. Names and values Node would refuse (or that carry CR/LF) fail the response.

/** Hop-by-hop and framing headers (RFC 9110 §7.6.1, RFC 9112 §6): the host's, never a module's. */
const HOST_OWNED = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "trailer",
  "te",
  "proxy-connection",
  "http2-settings",
]);

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field value: visible ASCII, obs-text, space and tab; never CR, LF, NUL or other controls. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const MAX_HEADERS = 100;
const MAX_HEADER_BYTES = 16 * 1024;

/** The headers to send, or a string saying why the module's response cannot be sent. */
export function moduleResponseHeaders(headers: unknown): Record<string, string> | string {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== "object" || Array.isArray(headers))
    return `headers must be an object of strings, got ${Array.isArray(headers) ? "an array" : typeof headers}`;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries = Object.entries(headers as Record<string, unknown>);
  if (entries.length > MAX_HEADERS) return `${entries.length} headers: at most ${MAX_HEADERS}`;
  let bytes = 0;
  for (const [name, value] of entries) {
    if (!TOKEN.test(name)) return `header name ${JSON.stringify(name.slice(0, 100))} is not a valid HTTP token`;
    if (typeof value !== "string") return `header ${JSON.stringify(name)} must be a string, got ${typeof value}`;
    if (!VALUE.test(value))
      return `header ${JSON.stringify(name)} has a value with control characters (CR, LF, NUL...) or characters above U+00FF: ${JSON.stringify(value.slice(0, 100))}`;
    bytes += name.length + value.length;
    if (bytes > MAX_HEADER_BYTES) return `headers larger than ${MAX_HEADER_BYTES} bytes`;
    if (HOST_OWNED.has(name.toLowerCase())) continue;
    out[name] = value;
  }
  return out;
}
