// A crash report posted with `crash post -i FILE`: what Ceph's crash module requires of it
// (JSON, crash_id, a timestamp in its format) and the stack signature it adds from the backtrace.
import { crashTime } from "./crash-time.ts";
import { sha256Hex } from "./sha256.ts";

/** A stored crash: ceph-crash's meta file plus what the module adds (stack_sig, archived). */
export interface Crash {
  crash_id: string;
  timestamp: string;
  entity_name?: string;
  process_name?: string;
  utsname_hostname?: string;
  backtrace?: string[];
  assert_msg?: string;
  stack_sig?: string;
  archived?: string;
  [field: string]: unknown;
}

/** Answered as Ceph's "malformed crash metadata: ..." (EINVAL). */
export class MalformedCrash extends Error {
  override name = "MalformedCrash";
}

/** The metadata of `inbuf`, checked, with stack_sig computed when it has a backtrace. */
export function parseCrash(inbuf: string): Crash {
  let meta: unknown;
  try {
    meta = JSON.parse(inbuf);
  } catch (e) {
    throw new MalformedCrash(`not JSON: ${(e as Error).message}`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    throw new MalformedCrash("missing 'crash_id' field");
  const m = meta as Record<string, unknown>;
  for (const f of ["crash_id", "timestamp"]) {
    if (!(f in m)) throw new MalformedCrash(`missing '${f}' field`);
    if (typeof m[f] !== "string" || m[f] === "")
      throw new MalformedCrash(`'${f}' must be a non-empty string, got ${JSON.stringify(m[f])}`);
  }
  try {
    crashTime(m.timestamp as string);
  } catch (e) {
    throw new MalformedCrash((e as Error).message);
  }
  if ("backtrace" in m) m.stack_sig = stackSig(m.backtrace, m.assert_msg);
  return m as Crash;
}

/** Ceph's calc_sig: sha256 of the frames' function names, then of the assert message's stable part. */
function stackSig(backtrace: unknown, assertMsg: unknown): string {
  if (!Array.isArray(backtrace) || backtrace.some((f) => typeof f !== "string"))
    throw new MalformedCrash("'backtrace' must be a list of strings");
  let text = backtrace.map((f: string) => functionOf(f)).join("");
  if (assertMsg) {
    if (typeof assertMsg !== "string") throw new MalformedCrash("'assert_msg' must be a string");
    text += assertCore(assertMsg);
  }
  return sha256Hex(text);
}

/** "(func(args)+0x1a) [0x55d0]" → "func(args)": the function without offset and address. */
function functionOf(frame: string): string {
  const space = frame.lastIndexOf(" ");
  const head = space < 0 ? frame : frame.slice(0, space);
  return head.slice(1, -1).split("+")[0]!;
}

/** The assert message up to " thread ", then from its last ": " on: no thread id, time or line. */
const ASSERT_MATCH = /^(.*) thread .* time .*(: .*)\n/s;
function assertCore(msg: string): string {
  const m = ASSERT_MATCH.exec(msg);
  if (!m)
    throw new MalformedCrash(
      "'assert_msg' is not a Ceph assert message (\"FILE: In function ... thread ... time ...: ...\\n\")",
    );
  return m[1]! + m[2]!;
}
