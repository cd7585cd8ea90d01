// The progress module's events, as Ceph's progress module keeps them: remote events other modules
// drive, recovery events of the PGs an OSD in/out moved, the global recovery event, and the
// "ghosts" of completed events kept for `progress` and `progress json`.
import { pyFloat } from "../_lib/pyjson.ts";
import { prettyDuration } from "./pretty-duration.ts";

/** What an event is about, as Ceph's tuples: `["osd", 3]`, `["pool", 2]`, `["global", ""]`. */
export type Ref = [string, string | number];

/** Seconds since the epoch with a fraction, as Python's time.time(). */
export const now = (): number => Date.now() / 1000;

/** A random version-4 UUID, the id Ceph gives events the progress module makes itself. */
export function uuid4(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export abstract class ProgressEvent {
  failed = false;
  failureMessage: string | null = null;

  constructor(
    readonly id: string,
    public message: string,
    readonly refs: Ref[],
    readonly addToCephS: boolean,
    readonly startedAt: number = now(),
  ) {}

  abstract get progress(): number;

  /** `(3m)`: how long the event has run. */
  durationStr(at = now()): string {
    return `(${prettyDuration(at - this.startedAt)})`;
  }

  /** Seconds left at the rate so far; null before any progress. */
  timeRemaining(at = now()): number | null {
    const p = this.progress;
    if (p === 0) return null;
    return Math.trunc(((at - this.startedAt) * (1 - p)) / p);
  }

  /** `[=====.....]`, `width` characters in all. */
  bar(width: number): string {
    const inner = width - 2;
    const done = Math.trunc(this.progress * inner);
    return `[${"=".repeat(done)}${".".repeat(inner - done)}]`;
  }

  /** The message with its duration, then the bar on the next line, as `ceph progress` shows it. */
  twoline(indent = 4, at = now()): string {
    const left = this.timeRemaining(at);
    const remaining = left ? `(remaining: ${prettyDuration(left)})` : "";
    return `${this.message} ${this.durationStr(at)}\n${" ".repeat(indent)}${this.bar(30)} ${remaining}`;
  }

  toJson(at = now()): Record<string, unknown> {
    return {
      id: this.id,
      message: this.message,
      duration: this.durationStr(at),
      refs: this.refs,
      progress: pyFloat(this.progress),
      started_at: pyFloat(this.startedAt),
      time_remaining: this.timeRemaining(at),
    };
  }
}

/** An event another module publishes with remote("progress", "update", ...). */
export class RemoteEvent extends ProgressEvent {
  fraction = 0;
  get progress(): number {
    return this.fraction;
  }
}

/** The recovery of the PGs an OSD being marked in or out moved; done when all are active+clean. */
export class PgRecoveryEvent extends ProgressEvent {
  fraction = 0;
  /** bytes each PG had recovered when the event began (null until the first update) */
  originalRecovered: Map<string, number> | null = null;
  readonly originalCount: number;

  constructor(
    message: string,
    refs: Ref[],
    public pgs: Set<string>,
    readonly osds: number[],
    readonly startEpoch: number,
  ) {
    super(uuid4(), message, refs, false);
    this.originalCount = pgs.size;
  }
  get progress(): number {
    return this.fraction;
  }
}

/** active+clean PGs over all PGs, while some PG is not active+clean. */
export class GlobalRecoveryEvent extends ProgressEvent {
  fraction = 0;
  constructor(
    readonly startEpoch: number,
    public activeCleanNum: number,
  ) {
    super(uuid4(), "Global Recovery Event", [["global", ""]], true);
  }
  get progress(): number {
    return this.fraction;
  }
}

/** What is kept of a completed event (and saved in the store). */
export class GhostEvent extends ProgressEvent {
  constructor(
    id: string,
    message: string,
    refs: Ref[],
    addToCephS: boolean,
    startedAt: number,
    readonly finishedAt: number = now(),
    failureMessage: string | null = null,
    failed = false,
  ) {
    super(id, message, refs, addToCephS, startedAt);
    this.failed = failed;
    this.failureMessage = failed ? failureMessage : null;
  }
  get progress(): number {
    return 1;
  }

  static of(ev: ProgressEvent): GhostEvent {
    return new GhostEvent(ev.id, ev.message, ev.refs, ev.addToCephS, ev.startedAt, now(), ev.failureMessage, ev.failed);
  }

  override toJson(): Record<string, unknown> {
    // "add_to_ceph_s:" with its colon is Ceph's own spelling of the key
    const d: Record<string, unknown> = {
      id: this.id,
      message: this.message,
      refs: this.refs,
      started_at: pyFloat(this.startedAt),
      finished_at: pyFloat(this.finishedAt),
      "add_to_ceph_s:": this.addToCephS,
    };
    if (this.failed) Object.assign(d, { failed: true, failure_message: this.failureMessage });
    return d;
  }
}
