// Test helpers for the simulated cluster: a deterministic clock and a notification recorder.
import type { ClusterSource, NotifyType } from "../../runtime/cluster/index.ts";

/** The fixtures' own wall clock (2026-11-26 04:31:47 UTC), advancing one second per reading. */
export function fixedClock(startMs = Date.UTC(2026, 10, 26, 4, 31, 47), stepMs = 1000): () => number {
  let t = startMs;
  return () => (t += stepMs);
}

export interface Recorded {
  type: NotifyType;
  id: string | object;
}

/** Records every notification; `take()` returns and clears what arrived so far. */
export function recorder(source: ClusterSource) {
  let seen: Recorded[] = [];
  const unsubscribe = source.subscribe((type, id) => seen.push({ type, id }));
  return {
    take(): Recorded[] {
      const out = seen;
      seen = [];
      return out;
    },
    types(): string[] {
      return this.take().map((n) => n.type);
    },
    unsubscribe,
  };
}

/** Versions of every data name, to see which ones a change bumped. */
export function versions(source: ClusterSource): Map<string, number> {
  return new Map(source.dataNames().map((n) => [n, source.version(n)!]));
}

export function bumped(before: Map<string, number>, source: ClusterSource): string[] {
  return [...before]
    .filter(([n, v]) => source.version(n) !== v)
    .map(([n]) => n)
    .sort();
}

export const parse = <T = any>(text: string | undefined): T => JSON.parse(text!) as T;
