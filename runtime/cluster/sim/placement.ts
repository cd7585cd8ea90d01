// CRUSH stand-in: maps each PG to `size` in OSDs on distinct hosts with a straw2-like hash draw,
// so placement is stable (an OSD going out only moves the PGs it held) and seed-deterministic.
import { hash32 } from "./random.ts";
import type { SimState } from "./state.ts";

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

interface HostCandidates {
  salt: number;
  osds: { id: number; salt: number; weight: number }[];
}

/** The in OSDs grouped by host, with per-item salts; rebuilt whenever in/out/crush changes. */
export class PlacementView {
  readonly hosts: HostCandidates[] = [];
  readonly byHost: boolean;
  readonly #seed: number;

  constructor(state: SimState) {
    this.#seed = state.opts.seed;
    for (const host of state.hosts) {
      const osds = [];
      for (const id of host.osds) {
        const o = state.osd(id);
        if (o && o.in && o.weight > 0) osds.push({ id, salt: hash32(this.#seed, 0x05d, id), weight: o.weight });
      }
      if (osds.length) this.hosts.push({ salt: hash32(this.#seed, 0x4057, host.index), osds });
    }
    // A single host can only place replicas across OSDs (the fixture's own rule does that).
    this.byHost = state.hosts.length > 1;
  }

  /** CRUSH result for a PG: up to `size` OSD ids, primary first. */
  map(poolId: number, ps: number, size: number): number[] {
    const key = hash32(this.#seed, poolId, ps);
    if (!this.byHost) return this.#bestOsds(key, this.hosts[0]?.osds ?? [], size);
    // Keep the `size` best-scoring hosts (insertion into a tiny sorted list).
    const bestScore: number[] = [];
    const bestHost: HostCandidates[] = [];
    for (const host of this.hosts) {
      const score = fmix(key ^ host.salt);
      if (bestScore.length === size && score <= bestScore[size - 1]!) continue;
      let i = bestScore.length < size ? bestScore.length : size - 1;
      while (i > 0 && bestScore[i - 1]! < score) {
        if (i < size) {
          bestScore[i] = bestScore[i - 1]!;
          bestHost[i] = bestHost[i - 1]!;
        }
        i--;
      }
      bestScore[i] = score;
      bestHost[i] = host;
    }
    const out: number[] = [];
    for (const host of bestHost) {
      const chosen = this.#bestOsd(key, host.osds);
      if (chosen >= 0) out.push(chosen);
    }
    return out;
  }

  /** The best-scoring OSD that accepts the draw (a reweighted OSD rejects a share, as CRUSH does). */
  #bestOsd(key: number, osds: HostCandidates["osds"], exclude: readonly number[] = []): number {
    let best = -1;
    let bestScore = -1;
    for (const o of osds) {
      const score = fmix(key ^ o.salt);
      if (score <= bestScore || exclude.includes(o.id)) continue;
      if (o.weight < 1 && fmix(score ^ 0x5bd1e995) / 4294967296 >= o.weight) continue;
      best = o.id;
      bestScore = score;
    }
    return best;
  }

  #bestOsds(key: number, osds: HostCandidates["osds"], count: number): number[] {
    const out: number[] = [];
    while (out.length < count) {
      const next = this.#bestOsd(key, osds, out);
      if (next < 0) break;
      out.push(next);
    }
    return out;
  }
}
