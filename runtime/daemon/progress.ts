// Progress events (ceph-mgr's update/complete/fail_progress_event): what `tsmgr status` shows in
// its "progress:" section and as `progress_events` under -f json. They live in the active
// daemon's memory and belong to the module that published them: when it stops (disable, reload,
// failure, failover) they are dropped, and the module publishes them again when it runs again.
import { LimitExceeded } from "../errors.ts";

export const MAX_PROGRESS_EVENTS = 100;
export const MAX_PROGRESS_ID_BYTES = 256;
export const MAX_PROGRESS_MESSAGE = 4096;
const BAR_WIDTH = 30;

export interface ProgressEvent {
  message: string;
  progress: number;
  refs: unknown[];
  add_to_ceph_s: boolean;
  /** ms since the epoch when the event first appeared */
  startedAt: number;
}

/** The options of updateProgressEvent, as they arrive from a module (checked here). */
export interface ProgressOptions {
  refs?: unknown;
  addToCephS?: unknown;
}

export class ProgressEvents {
  readonly #byModule = new Map<string, Map<string, ProgressEvent>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  update(module: string, id: unknown, message: unknown, fraction: unknown, opts: ProgressOptions = {}): void {
    checkId("updateProgressEvent", id);
    if (typeof message !== "string")
      throw new TypeError(`updateProgressEvent(): the message must be a string, got ${typeName(message)}`);
    if (typeof fraction !== "number")
      throw new TypeError(
        `updateProgressEvent(): the progress must be a number from 0 to 1, got ${typeName(fraction)}`,
      );
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`updateProgressEvent(): the progress is ${fraction}: it must be from 0 to 1`);
    const refs = opts.refs ?? [];
    if (!Array.isArray(refs))
      throw new TypeError(`updateProgressEvent(): refs must be a list such as [["osd", "2"]], got ${typeName(refs)}`);
    if (opts.addToCephS !== undefined && typeof opts.addToCephS !== "boolean")
      throw new TypeError(`updateProgressEvent(): addToCephS must be a boolean, got ${typeName(opts.addToCephS)}`);
    const events = this.#byModule.get(module) ?? new Map<string, ProgressEvent>();
    const old = events.get(id);
    if (!old && events.size >= MAX_PROGRESS_EVENTS) {
      throw new LimitExceeded(
        `updateProgressEvent(): module ${module} has ${events.size} progress events: the limit is ${MAX_PROGRESS_EVENTS}; complete or fail some first`,
      );
    }
    events.set(id, {
      message:
        message.length > MAX_PROGRESS_MESSAGE ? message.slice(0, MAX_PROGRESS_MESSAGE) + "…(truncated)" : message,
      progress: fraction,
      refs: refs.slice(0, 100),
      add_to_ceph_s: opts.addToCephS ?? true,
      startedAt: old?.startedAt ?? this.#now(),
    });
    this.#byModule.set(module, events);
  }

  /** Removes a finished event; an unknown id is not an error (Ceph ignores it too). */
  complete(module: string, id: unknown): boolean {
    checkId("completeProgressEvent", id);
    return this.#remove(module, id);
  }

  /** Removes a failed event; the caller logs `message`. False when there was no such event. */
  fail(module: string, id: unknown, message: unknown): boolean {
    checkId("failProgressEvent", id);
    if (typeof message !== "string")
      throw new TypeError(`failProgressEvent(): the message must be a string, got ${typeName(message)}`);
    return this.#remove(module, id);
  }

  /** Every event of a module goes when it stops: it publishes them again when it runs again. */
  drop(module: string): void {
    this.#byModule.delete(module);
  }

  /** Ceph's `progress_events` of `ceph status -f json`: id → {message, progress, add_to_ceph_s}. */
  json(): Record<string, { message: string; progress: number; add_to_ceph_s: boolean }> {
    const out: Record<string, { message: string; progress: number; add_to_ceph_s: boolean }> = {};
    for (const [id, e] of this.#all())
      out[id] = { message: e.message, progress: e.progress, add_to_ceph_s: e.add_to_ceph_s };
    return out;
  }

  /** The "progress:" section of `tsmgr status` ("" when nothing is shown), as `ceph -s` draws it. */
  text(): string {
    const now = this.#now();
    const lines: string[] = [];
    for (const [, e] of this.#all()) {
      if (!e.add_to_ceph_s) continue;
      const elapsed = Math.max(0, (now - e.startedAt) / 1000);
      const filled = Math.floor(e.progress * BAR_WIDTH);
      const bar = `[${"=".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
      const remaining =
        e.progress > 0 && e.progress < 1
          ? ` (remaining: ${formatSeconds((elapsed * (1 - e.progress)) / e.progress)})`
          : "";
      lines.push(`    ${e.message} (${formatSeconds(elapsed)})`, `      ${bar}${remaining}`);
    }
    return lines.length === 0 ? "" : ["progress:", ...lines].join("\n");
  }

  #all(): [string, ProgressEvent][] {
    return [...this.#byModule.values()].flatMap((m) => [...m.entries()]);
  }

  #remove(module: string, id: string): boolean {
    const events = this.#byModule.get(module);
    const had = events?.delete(id) ?? false;
    if (events && events.size === 0) this.#byModule.delete(module);
    return had;
  }
}

function checkId(fn: string, id: unknown): asserts id is string {
  if (typeof id !== "string") throw new TypeError(`${fn}(): the event id must be a string, got ${typeName(id)}`);
  if (id === "") throw new RangeError(`${fn}(): the event id is empty`);
  const bytes = Buffer.byteLength(id);
  if (bytes > MAX_PROGRESS_ID_BYTES)
    throw new RangeError(`${fn}(): the event id is ${bytes} bytes long: the limit is ${MAX_PROGRESS_ID_BYTES}`);
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** As Ceph's progress module prints durations: 42s, 3m, 2h, 1d. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
