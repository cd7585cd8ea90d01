// The completed events, saved in the module's store under "completed" in Ceph's encoding
// (version 2: events as `progress json` lists them, with started_at and finished_at).
import { GhostEvent, type Ref } from "./events.ts";

const ENCODING_VERSION = 2;

interface StoredEvent {
  id: string;
  message: string;
  refs: Ref[];
  started_at: number | null;
  finished_at: number | null;
  "add_to_ceph_s:"?: boolean;
  failed?: boolean;
  failure_message?: string | null;
}

export function saveCompleted(events: readonly GhostEvent[]): string {
  return JSON.stringify({
    events: events.map((e) => e.toJson()),
    version: ENCODING_VERSION,
    compat_version: ENCODING_VERSION,
  });
}

/**
 * The events saved by this module (or by Ceph's, from a store it shared): an unreadable or newer
 * encoding is reported through `warn` and yields none, rather than stopping the module.
 */
export function loadCompleted(stored: string | null | undefined, warn: (msg: string) => void): GhostEvent[] {
  if (!stored) return [];
  let decoded: { compat_version?: number; events?: StoredEvent[] };
  try {
    decoded = JSON.parse(stored) as typeof decoded;
  } catch (e) {
    warn(`the stored completed events are not JSON (${(e as Error).message}): starting without them`);
    return [];
  }
  if (
    typeof decoded.compat_version !== "number" ||
    decoded.compat_version > ENCODING_VERSION ||
    !Array.isArray(decoded.events)
  ) {
    warn(
      `Cannot decode version ${JSON.stringify(decoded.compat_version)} of the stored completed events: starting without them`,
    );
    return [];
  }
  const old = decoded.compat_version < ENCODING_VERSION;
  return decoded.events.map((ev) => {
    // version 1 had no times: Ceph loads them as "now"
    const started = old || typeof ev.started_at !== "number" ? Date.now() / 1000 : ev.started_at;
    const finished = old || typeof ev.finished_at !== "number" ? Date.now() / 1000 : ev.finished_at;
    return new GhostEvent(
      String(ev.id),
      String(ev.message),
      Array.isArray(ev.refs) ? ev.refs : [],
      ev["add_to_ceph_s:"] === true,
      started,
      finished,
      ev.failure_message ?? null,
      ev.failed === true,
    );
  });
}
