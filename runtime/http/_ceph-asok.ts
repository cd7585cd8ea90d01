// Ceph's admin-socket protocol, spoken by `ceph --admin-daemon PATH ...` and `ceph daemon`:
// one JSON command per connection, ended by NUL (or newline), answered with a 4-byte
// big-endian length and the output, then the daemon closes. Ceph has no error code on this
// wire: a failure is the output prefixed with "ERROR: (errno) strerror\n" and the message.
import { parseSignature, signatureToJson } from "../commands/index.ts";
import { Errno, type WireRequest, type WireResponse } from "./protocol.ts";

/** One command as the daemon's router lists it (`router.help()`): descriptor text and help. */
export interface CommandListing {
  cmd: string;
  desc: string;
  module?: string;
  perm?: string;
}

/** The commands Ceph's AdminSocket itself answers, listed before the daemon's own. */
const OWN: CommandListing[] = [
  { cmd: "0", desc: "" },
  { cmd: "get_command_descriptions", desc: "list available commands" },
];

/** Ceph's old binary protocol: a 4-byte request code naming one of these commands. */
export const OLD_PROTOCOL_COMMANDS = ["0", "perfcounters_dump", "perfcounters_schema"];

/** Ceph's own answer to "0": the admin-socket protocol version. */
const ASOK_VERSION = "2";

/** glibc's strerror() text, as Ceph's cpp_strerror prints it, for the errnos tsmgr returns. */
const STRERROR: Record<number, string> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  5: "Input/output error",
  11: "Resource temporarily unavailable",
  13: "Permission denied",
  16: "Device or resource busy",
  17: "File exists",
  22: "Invalid argument",
  27: "File too large",
  28: "No space left on device",
  34: "Numerical result out of range",
  38: "Function not implemented",
  95: "Operation not supported",
  110: "Connection timed out",
  111: "Connection refused",
  125: "Operation canceled",
};

/** Frames an answer: length, then the output (with Ceph's ERROR preamble when retval < 0). */
export function cephFrame(r: Pick<WireResponse, "retval" | "stdout" | "stderr">): Buffer {
  const text =
    r.retval < 0
      ? `ERROR: (${-r.retval}) ${STRERROR[-r.retval] ?? `Unknown error ${-r.retval}`}\n${r.stderr}\n${r.stdout}`
      : r.stdout;
  const body = Buffer.from(text, "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** `format` as Ceph tools send it; daemons answer JSON (pretty) unless told otherwise. */
function wireFormat(f: unknown): WireRequest["format"] {
  return f === "json" || f === "plain" ? f : "json-pretty";
}

/** A Ceph command object, or an answer when the admin socket answers it itself. */
export function cephRequest(text: string, listing: () => readonly CommandListing[]): WireRequest | WireResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("invalid json");
  }
  if (
    typeof raw !== "object" ||
    raw === null ||
    Array.isArray(raw) ||
    typeof (raw as { prefix?: unknown }).prefix !== "string"
  ) {
    return fail("invalid json, missing format and/or prefix");
  }
  const { format, ...cmd } = raw as Record<string, unknown> & { prefix: string };
  if (cmd.prefix === "0") return ok(ASOK_VERSION);
  if (cmd.prefix === "get_command_descriptions") return ok(commandDescriptions([...OWN, ...listing()]));
  return { cmd, format: wireFormat(format), forwarded: false };
}

/** True when the first newline-ended message of a connection is a Ceph command (`{"prefix": ...}`), not a line request. */
export function isCephCommand(text: string): boolean {
  try {
    const o = JSON.parse(text) as unknown;
    return (
      typeof o === "object" &&
      o !== null &&
      !Array.isArray(o) &&
      typeof (o as { prefix?: unknown }).prefix === "string" &&
      !("argv" in o) &&
      !("cmd" in o)
    );
  } catch {
    return false;
  }
}

/** Ceph's get_command_descriptions answer: {"cmd000": {"sig": [...], "help": ..., ...}, ...}. */
export function commandDescriptions(list: readonly CommandListing[]): string {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const c of list) {
    let sig;
    try {
      sig = signatureToJson(parseSignature(c.cmd)).sig;
    } catch {
      continue; // the router refused it at load; nothing a Ceph tool could call
    }
    out[`cmd${String(n++).padStart(3, "0")}`] = {
      sig,
      help: c.desc,
      module: c.module ?? "tsmgr",
      perm: c.perm ?? "r",
      flags: 0,
    };
  }
  return JSON.stringify(out);
}

function ok(stdout: string): WireResponse {
  return { retval: 0, stdout, stderr: "" };
}

function fail(message: string): WireResponse {
  return { retval: -Errno.EINVAL, stdout: "", stderr: message };
}
