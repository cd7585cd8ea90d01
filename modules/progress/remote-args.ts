// Checks what other modules pass to remote("progress", ...): they are untrusted, and a bad event
// would otherwise surface later as a broken `progress json` or a refused status update.
import type { Ref } from "./events.ts";

export interface UpdateArgs {
  id: string;
  message: string;
  progress: number;
  addToCephS: boolean;
}

/** UTF-8 bytes of `s` (isolates have no TextEncoder); a lone surrogate counts 3, as its U+FFFD. */
function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

const SIG = "update(ev_id, ev_msg, ev_progress, refs?, add_to_ceph_s?)";

export function checkUpdate(id: unknown, message: unknown, progress: unknown, addToCephS: unknown): UpdateArgs {
  if (typeof id !== "string" || id === "")
    throw new TypeError(`${SIG}: ev_id must be a non-empty string, got ${JSON.stringify(id) ?? typeof id}`);
  if (utf8Length(id) > 256)
    throw new RangeError(`${SIG}: ev_id must be at most 256 bytes, got ${id.length} characters`);
  if (typeof message !== "string") throw new TypeError(`${SIG}: ev_msg must be a string, got ${typeof message}`);
  if (typeof progress !== "number" || !Number.isFinite(progress))
    throw new TypeError(
      `${SIG}: ev_progress must be a number from 0 to 1, got ${JSON.stringify(progress) ?? typeof progress}`,
    );
  if (progress < 0 || progress > 1) throw new RangeError(`${SIG}: ev_progress must be from 0 to 1, got ${progress}`);
  if (addToCephS !== undefined && addToCephS !== null && typeof addToCephS !== "boolean")
    throw new TypeError(`${SIG}: add_to_ceph_s must be a boolean, got ${typeof addToCephS}`);
  return { id, message, progress, addToCephS: addToCephS === true };
}

/** refs: absent/null → [], else a list of [type, id] pairs as Ceph's tuples are. */
export function checkRefs(refs: unknown): Ref[] {
  if (refs === undefined || refs === null) return [];
  const bad = () =>
    new TypeError(
      `${SIG}: refs must be a list of [type, id] pairs such as [["pool", 2]], got ${JSON.stringify(refs)?.slice(0, 200)}`,
    );
  if (!Array.isArray(refs)) throw bad();
  return refs.map((r) => {
    if (
      !Array.isArray(r) ||
      r.length !== 2 ||
      typeof r[0] !== "string" ||
      (typeof r[1] !== "string" && typeof r[1] !== "number")
    )
      throw bad();
    return [r[0], r[1]] as Ref;
  });
}
