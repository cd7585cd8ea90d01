// One isolate, with its context, made ahead of need, so the next module start does not wait for
// V8 to set up a heap (~1 ms of the daemon's thread) and a first context (~1 ms of the isolate's
// thread) on its critical path. A start takes the spare when its memory limit matches, and a new
// spare is made right after, while that start waits on its own isolate's thread. An idle daemon
// holds one fresh, empty isolate and does no further work. The spare holds nothing of any module:
// a module gets it once, before any code ran in it.
import ivm from "isolated-vm";

export interface FreshIsolate {
  iso: ivm.Isolate;
  /** its context, being created (a failure shows to the start awaiting it) */
  ctx: Promise<ivm.Context>;
}

let spare: (FreshIsolate & { memoryLimit: number }) | undefined;
let refill: NodeJS.Immediate | undefined;
let closed = false;

function fresh(memoryLimit: number): FreshIsolate {
  const iso = new ivm.Isolate({ memoryLimit });
  const ctx = iso.createContext();
  ctx.catch(() => {}); // awaited by the start that takes it
  return { iso, ctx };
}

/** A new isolate with this memory limit (MiB) and its context: the spare when it fits. */
export function takeIsolate(memoryLimit: number): FreshIsolate {
  const s = spare?.memoryLimit === memoryLimit && !spare.iso.isDisposed ? spare : undefined;
  if (s) spare = undefined;
  if (!closed && !refill) {
    refill = setImmediate(() => {
      refill = undefined;
      if (closed) return;
      spare?.iso.dispose();
      spare = { memoryLimit, ...fresh(memoryLimit) };
    });
    refill.unref();
  }
  return s ?? fresh(memoryLimit);
}

/** Disposes the spare and makes no more (the daemon is stopping). */
export function closeSpareIsolates(): void {
  closed = true;
  if (refill) clearImmediate(refill);
  refill = undefined;
  spare?.iso.dispose();
  spare = undefined;
}
