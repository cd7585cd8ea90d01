// One isolate made ahead of need, so the next module start does not wait for V8 to set up a
// heap (~1 ms of the daemon's thread) on its critical path. A start takes the spare when its
// memory limit matches, and a new spare is made right after, while that start waits on its
// isolate's thread. An idle daemon holds one fresh, empty isolate and does no further work. The
// spare holds nothing of any module: a module gets it once, before any code ran in it.
import ivm from "isolated-vm";

let spare: { memoryLimit: number; iso: ivm.Isolate } | undefined;
let refill: NodeJS.Immediate | undefined;
let closed = false;

/** A new isolate with this memory limit (MiB): the spare when it fits. */
export function takeIsolate(memoryLimit: number): ivm.Isolate {
  const s = spare?.memoryLimit === memoryLimit && !spare.iso.isDisposed ? spare.iso : undefined;
  if (s) spare = undefined;
  if (!closed && !refill) {
    refill = setImmediate(() => {
      refill = undefined;
      if (closed) return;
      spare?.iso.dispose();
      spare = { memoryLimit, iso: new ivm.Isolate({ memoryLimit }) };
    });
    refill.unref();
  }
  return s ?? new ivm.Isolate({ memoryLimit });
}

/** Disposes the spare and makes no more (the daemon is stopping). */
export function closeSpareIsolates(): void {
  closed = true;
  if (refill) clearImmediate(refill);
  refill = undefined;
  spare?.iso.dispose();
  spare = undefined;
}
