// Event and EventTarget, as much of the DOM standard as AbortSignal and module code need:
// listeners with once / signal options, handleEvent objects, stopImmediatePropagation.

export class Event {
  #type;
  #stop = false;
  #canceled = false;
  #cancelable;
  #target = null;
  #time = Date.now();
  constructor(type, init = {}) {
    if (arguments.length === 0) throw new TypeError("Event: 1 argument required, but only 0 present");
    this.#type = String(type);
    this.#cancelable = Boolean(init && init.cancelable);
    this.bubbles = Boolean(init && init.bubbles);
    this.composed = Boolean(init && init.composed);
  }
  get type() {
    return this.#type;
  }
  get target() {
    return this.#target;
  }
  get currentTarget() {
    return this.#target;
  }
  get cancelable() {
    return this.#cancelable;
  }
  get defaultPrevented() {
    return this.#canceled;
  }
  get timeStamp() {
    return this.#time;
  }
  get isTrusted() {
    return false;
  }
  preventDefault() {
    if (this.#cancelable) this.#canceled = true;
  }
  stopPropagation() {}
  stopImmediatePropagation() {
    this.#stop = true;
  }
  /** for EventTarget.dispatchEvent only */
  static _begin(e, target) {
    e.#target = target;
    e.#stop = false;
  }
  static _stopped(e) {
    return e.#stop;
  }
}

export class EventTarget {
  #listeners = new Map();

  addEventListener(type, listener, options) {
    if (listener === null || listener === undefined) return;
    const opts = typeof options === "object" && options !== null ? options : { capture: Boolean(options) };
    const t = String(type);
    const list = this.#listeners.get(t) ?? [];
    if (list.some((l) => l.listener === listener && l.capture === Boolean(opts.capture))) return;
    const entry = { listener, capture: Boolean(opts.capture), once: Boolean(opts.once) };
    if (opts.signal !== undefined) {
      if (opts.signal.aborted) return;
      opts.signal.addEventListener("abort", () => this.removeEventListener(t, listener, opts));
    }
    list.push(entry);
    this.#listeners.set(t, list);
  }

  removeEventListener(type, listener, options) {
    const capture = typeof options === "object" && options !== null ? Boolean(options.capture) : Boolean(options);
    const list = this.#listeners.get(String(type));
    if (!list) return;
    const i = list.findIndex((l) => l.listener === listener && l.capture === capture);
    if (i >= 0) ((list[i].removed = true), list.splice(i, 1));
  }

  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new TypeError("dispatchEvent(): the argument must be an Event");
    Event._begin(event, this);
    const list = (this.#listeners.get(event.type) ?? []).slice();
    for (const l of list) {
      if (l.removed) continue;
      if (l.once) this.removeEventListener(event.type, l.listener, { capture: l.capture });
      try {
        if (typeof l.listener === "function") l.listener.call(this, event);
        else if (typeof l.listener.handleEvent === "function") l.listener.handleEvent(event);
      } catch (e) {
        // as in browsers: a throwing listener does not stop the others; the error is reported
        if (typeof console === "object") console.error(e);
      }
      if (Event._stopped(event)) break;
    }
    return !event.defaultPrevented;
  }
}
