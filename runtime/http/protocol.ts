// The JSON command protocol, the same over the admin socket (one JSON object per line) and
// over HTTP (POST /api/v1/command): requests are checked here before anything runs.
import { Errno } from "../errors.ts";

export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface WireRequest {
  id?: string | number;
  /** command words, as typed on the CLI */
  argv?: string[];
  /** or a JSON command: {"prefix": "osd pool create", "pool": "rbd"} */
  cmd?: Record<string, unknown>;
  format?: "plain" | "json" | "json-pretty";
  inbuf?: string;
  timeout_ms?: number;
  /** set by a standby that forwards a request to the active (stops forwarding loops) */
  forwarded?: boolean;
  /** the original caller's caps, carried by a forwarded request: they only ever narrow the channel's */
  caps?: string;
}

export interface WireResponse {
  id?: string | number;
  retval: number;
  stdout: string;
  stderr: string;
}

/** What answers requests, from any transport: the channel's caps ("*" on the admin socket). */
export type RequestHandler = (req: WireRequest, caps: string) => Promise<WireResponse>;

const FORMATS = new Set(["plain", "json", "json-pretty"]);

export function errorResponse(errno: number, message: string, id?: string | number): WireResponse {
  return { ...(id === undefined ? {} : { id }), retval: -errno, stdout: "", stderr: message };
}

/** Parses and checks one request; a string is the message of an EINVAL answer. */
export function parseRequest(text: string): WireRequest | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return `request is not valid JSON (${(e as Error).message}): send one object per line such as {"argv": ["status"]}`;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return 'request must be a JSON object such as {"argv": ["status"]}';
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!["id", "argv", "cmd", "format", "inbuf", "timeout_ms", "forwarded", "caps"].includes(k))
      return `unknown request field "${k}": known fields are id, argv, cmd, format, inbuf, timeout_ms`;
  }
  if (r.id !== undefined && typeof r.id !== "string" && typeof r.id !== "number")
    return "id must be a string or a number";
  if (r.argv !== undefined && (!Array.isArray(r.argv) || r.argv.some((w) => typeof w !== "string")))
    return "argv must be an array of strings";
  if (
    r.cmd !== undefined &&
    (typeof r.cmd !== "object" ||
      r.cmd === null ||
      Array.isArray(r.cmd) ||
      typeof (r.cmd as Record<string, unknown>).prefix !== "string")
  ) {
    return 'cmd must be an object with a string "prefix"';
  }
  if ((r.argv === undefined) === (r.cmd === undefined))
    return 'give exactly one of "argv" (words) or "cmd" (a JSON command)';
  if (r.format !== undefined && !FORMATS.has(r.format as string))
    return `format must be plain, json or json-pretty, got ${JSON.stringify(r.format)}`;
  if (r.inbuf !== undefined && typeof r.inbuf !== "string") return "inbuf must be a string";
  if (r.caps !== undefined && (typeof r.caps !== "string" || !/^(\*|r?w?x?)$/.test(r.caps)))
    return 'caps must be "*" or a subset of "rwx" in that order';
  if (
    r.timeout_ms !== undefined &&
    (typeof r.timeout_ms !== "number" || !(r.timeout_ms > 0) || r.timeout_ms > 3_600_000)
  )
    return "timeout_ms must be a number of milliseconds between 1 and 3600000";
  return r as WireRequest;
}

export { Errno };
