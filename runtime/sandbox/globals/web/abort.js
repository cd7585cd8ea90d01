// AbortController and AbortSignal (with abort(), timeout() and any()), on the host's timers.
import { DOMException } from "./dom-exception.js";
import { Event, EventTarget } from "./events.js";

let timers = { setTimeout: undefined, clearTimeout: undefined };
/** The prelude hands over its timer functions before any module code runs. */
export function useTimers(t) {
  timers = t;
}

const CREATE = Symbol("create");

export class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  onabort = null;

  constructor(key) {
    super();
    if (key !== CREATE)
      throw new TypeError(
        "AbortSignal cannot be constructed: use new AbortController().signal, AbortSignal.abort() or AbortSignal.timeout()",
      );
  }
  get aborted() {
    return this.#aborted;
  }
  get reason() {
    return this.#reason;
  }
  throwIfAborted() {
    if (this.#aborted) throw this.#reason;
  }

  static abort(reason) {
    const s = new AbortSignal(CREATE);
    s._abort(reason);
    return s;
  }

  static timeout(ms) {
    const n = Number(ms);
    if (!Number.isFinite(n) || n < 0)
      throw new TypeError(`AbortSignal.timeout(): ${String(ms)} is not a number of milliseconds`);
    const s = new AbortSignal(CREATE);
    timers.setTimeout(() => s._abort(new DOMException("The operation timed out.", "TimeoutError")), n);
    return s;
  }

  static any(signals) {
    const s = new AbortSignal(CREATE);
    for (const x of signals) {
      if (x.aborted) {
        s._abort(x.reason);
        return s;
      }
    }
    for (const x of signals) x.addEventListener("abort", () => s._abort(x.reason), { once: true });
    return s;
  }

  /** internal: aborts once, then tells the listeners */
  _abort(reason) {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    const e = new Event("abort");
    if (typeof this.onabort === "function") {
      try {
        this.onabort(e);
      } catch (err) {
        if (typeof console === "object") console.error(err);
      }
    }
    this.dispatchEvent(e);
  }
}

export class AbortController {
  #signal = new AbortSignal(CREATE);
  get signal() {
    return this.#signal;
  }
  abort(reason) {
    this.#signal._abort(reason);
  }
}
