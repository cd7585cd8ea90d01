// A clock for module timers that moves only when a test says so: `advance(60_000)` fires, in
// order, every timer due within the next minute, each after the module finished the previous one,
// so a `sleep(60_000)` loop in serve() runs its minute in milliseconds.
import type { TimerClock } from "../sandbox/index.ts";

interface Pending {
  at: number;
  /** the period of a repeating timer; undefined for a one-shot */
  every: number | undefined;
  fire: () => Promise<void>;
  seq: number;
}

/** Node turns given to host work a callback started (a store write, a mon command) between two looks at the isolates. */
const HOST_TURNS = 4;
/** Rounds of (isolates drained, host turns): a callback's await of a host call, then its next step. */
const SETTLE_ROUNDS = 3;

export class VirtualClock implements TimerClock {
  #now = 0;
  #seq = 0;
  readonly #pending = new Map<number, Pending>();
  #advancing: Promise<void> = Promise.resolve();
  readonly #isolates = new Set<() => Promise<unknown>>();

  /** Virtual ms since the harness started. */
  get now(): number {
    return this.#now;
  }

  /** Timers waiting (sleep() included), for a test that wants to see its module is idle. */
  get pending(): number {
    return this.#pending.size;
  }

  set(fire: () => Promise<void>, ms: number, repeat: boolean): unknown {
    const handle = ++this.#seq;
    this.#pending.set(handle, { at: this.#now + ms, every: repeat ? ms : undefined, fire, seq: handle });
    return handle;
  }

  clear(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  attach(idle: () => Promise<unknown>): void {
    this.#isolates.add(idle);
  }

  /**
   * Resolves once the modules have done what they can without the clock moving: every isolate
   * ran what was queued, and the host work that started (store writes, commands) had its turns.
   */
  async settle(): Promise<void> {
    for (let round = 0; round < SETTLE_ROUNDS; round++) {
      await Promise.all([...this.#isolates].map((idle) => idle().catch(() => this.#isolates.delete(idle))));
      for (let i = 0; i < HOST_TURNS; i++) await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Moves the clock `ms` forward, firing each timer due on the way at its own time (earliest
   * first, then in the order set). Calls queue: a second advance starts where the first ended.
   */
  advance(ms: number): Promise<void> {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance(): ms must be a finite number ≥ 0, got ${String(ms)}`);
    const run = this.#advancing.then(() => this.#run(ms));
    this.#advancing = run.catch(() => {});
    return run;
  }

  async #run(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await this.settle();
      const next = this.#next(end);
      if (!next) break;
      this.#now = next.at;
      if (next.every === undefined) this.#pending.delete(next.seq);
      else next.at += Math.max(1, next.every);
      await next.fire();
    }
    this.#now = end;
  }

  #next(end: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.#pending.values()) {
      if (p.at > end) continue;
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    }
    return best;
  }
}
