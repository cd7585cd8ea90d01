// The daemon-wide CPU watchdog of every isolate. An idle isolate costs no timer: the watchdog
// ticks (every TICK_MS) only while some isolate may be running — inside a call, or woken by a
// host callback and not yet seen quiet — and each isolate leaves the watch once a tick finds it
// used no CPU. A slow sweep over every live isolate (one cpuTime read each, ~0.4 µs) catches an
// isolate that woke without the host (V8's own tasks: Atomics.waitAsync, FinalizationRegistry).

/** An isolate as the watchdog sees it. */
export interface Watched {
  /** A watch tick: checks the limits; false once the isolate is quiet (or gone). */
  tick(now: number): boolean;
  /** CPU used so far (isolate + its host calls), in ms; read by the slow sweep. */
  cpuMs(): number;
}

const TICK_MS = 100;
const SWEEP_MS = 1000;

const watched = new Set<Watched>();
/** every live isolate, with the CPU the last sweep saw */
const live = new Map<Watched, number>();
let ticker: NodeJS.Timeout | undefined;
let sweeper: NodeJS.Timeout | undefined;

/** The isolate may be running: watch it until a tick finds it quiet. */
export function watch(w: Watched): void {
  if (watched.has(w) || !live.has(w)) return;
  watched.add(w);
  if (!ticker) {
    ticker = setInterval(tick, TICK_MS);
    ticker.unref();
  }
}

/** A new isolate: swept until `forget`. */
export function register(w: Watched): void {
  live.set(w, w.cpuMs());
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref();
  }
}

/** The isolate is gone: no more ticks or sweeps for it. */
export function forget(w: Watched): void {
  watched.delete(w);
  live.delete(w);
  if (watched.size === 0) stopTicker();
  if (live.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

function tick(): void {
  const now = performance.now();
  for (const w of watched) if (!w.tick(now)) watched.delete(w);
  if (watched.size === 0) stopTicker();
}

function stopTicker(): void {
  if (ticker) clearInterval(ticker);
  ticker = undefined;
}

function sweep(): void {
  for (const [w, seen] of live) {
    const cpu = w.cpuMs();
    live.set(w, cpu);
    if (cpu - seen >= QUIET_MS) watch(w);
  }
}

/** Less CPU than this between two ticks (ms) is a quiet isolate. */
export const QUIET_MS = 0.1;

/** For tests: how many isolates are watched and swept, and whether each timer exists. */
export function watchdogState(): { watched: number; live: number; ticking: boolean; sweeping: boolean } {
  return { watched: watched.size, live: live.size, ticking: ticker !== undefined, sweeping: sweeper !== undefined };
}
