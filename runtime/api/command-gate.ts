// Back-pressure on a module's sendCommand(): the daemon validates, sends and notifies each
// command on its one thread, so a module calling sendCommand in a loop (45,000 calls in 0.9 s
// of its CPU) could starve everything else on that thread, lease renewal included. Per module:
// at most `running` commands at once, started at most `perSecond` a second (after a burst),
// further calls wait in a bounded queue, and beyond that they are refused with LimitExceeded.
import { LimitExceeded } from "../errors.ts";

export interface CommandGateLimits {
  running: number;
  waiting: number;
  perSecond: number;
  burst: number;
}

export const COMMAND_GATE_LIMITS: CommandGateLimits = { running: 16, waiting: 256, perSecond: 500, burst: 100 };

export class CommandGate {
  readonly #module: string;
  readonly #l: CommandGateLimits;
  #running = 0;
  #queue: (() => void)[] = [];
  #tokens: number;
  #at = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(module: string, limits: CommandGateLimits = COMMAND_GATE_LIMITS) {
    this.#module = module;
    this.#l = limits;
    this.#tokens = limits.burst;
  }

  /** Runs `send` when a slot is free; refuses at once when too many calls already wait. */
  run<T>(send: () => Promise<T>): Promise<T> {
    if (this.#queue.length === 0 && this.#take()) return this.#start(send);
    if (this.#queue.length >= this.#l.waiting) {
      const l = this.#l;
      return Promise.reject(
        new LimitExceeded(
          `module ${this.#module} has ${l.waiting} sendCommand() calls waiting: the limit is ${l.waiting} (at most ${l.running} run at once, ${l.perSecond} start a second): await earlier commands before sending more`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => void this.#start(send).then(resolve, reject));
      this.#schedule();
    });
  }

  /** A slot and a token, if both are free now. */
  #take(): boolean {
    if (this.#running >= this.#l.running) return false;
    const now = performance.now();
    this.#tokens = Math.min(this.#l.burst, this.#tokens + ((now - this.#at) * this.#l.perSecond) / 1000);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  async #start<T>(send: () => Promise<T>): Promise<T> {
    this.#running++;
    try {
      return await send();
    } finally {
      this.#running--;
      this.#pump();
    }
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#take()) this.#queue.shift()!();
    this.#schedule();
  }

  /** Waiting for a token (not a slot: a finishing call pumps): wake when the next one is due. */
  #schedule(): void {
    if (this.#timer || this.#queue.length === 0 || this.#running >= this.#l.running) return;
    const ms = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#l.perSecond));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, ms);
    this.#timer.unref();
  }
}
