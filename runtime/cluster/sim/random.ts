// Seeded randomness: a sequential PRNG for the evolution, and stateless hashes for per-entity
// values (placement, perf counters) so a value never depends on the order things were asked for.

/** mulberry32: tiny, fast, good enough for a simulation; the same seed gives the same sequence. */
export class Random {
  #state: number;

  constructor(seed: number) {
    // Any finite number is a seed; fractional ones keep their fraction in the mix.
    const whole = Math.trunc(seed) | 0;
    const frac = Math.round((seed - Math.trunc(seed)) * 0x100000) | 0;
    this.#state = (Math.imul(whole ^ Math.imul(frac, 0x85ebca6b), 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A v4-looking UUID drawn from this sequence. */
  uuid(): string {
    const hex = (n: number) =>
      this.int(2 ** 16)
        .toString(16)
        .padStart(4, "0")
        .slice(0, n);
    const variant = (8 + this.int(4)).toString(16);
    return `${hex(4)}${hex(4)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(4)}${hex(4)}${hex(4)}`;
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of up to four integers. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = fmix(a ^ 0x27d4eb2f);
  h = fmix(h ^ Math.imul(b | 0, 0x165667b1));
  h = fmix(h ^ Math.imul(c | 0, 0x27d4eb2d));
  return fmix(h ^ Math.imul(d | 0, 0x9e3779b1));
}

/** hash32 mapped to [0, 1). */
export function hashUnit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4294967296;
}
