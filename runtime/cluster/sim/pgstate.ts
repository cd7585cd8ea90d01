// PG life cycle: up/acting from placement and OSD liveness, pg_temp while backfilling, recovery
// of OSDs that missed writes, and the state string Ceph prints ("active+undersized+degraded").
import { FLAG, OSD_OVERHEAD_BYTES } from "./constants.ts";
import type { PgState, PoolState } from "./model.ts";
import { PlacementView } from "./placement.ts";
import type { SimState } from "./state.ts";

/** PG_STATE_* bits, listed in the order pg_state_string prints them. */
const STATE_ORDER = [
  "stale",
  "creating",
  "active",
  "activating",
  "clean",
  "recovery_wait",
  "recovery_toofull",
  "recovering",
  "forced_recovery",
  "down",
  "recovery_unfound",
  "backfill_unfound",
  "undersized",
  "degraded",
  "remapped",
  "premerge",
  "scrubbing",
  "deep",
  "inconsistent",
  "peering",
  "repair",
  "backfill_wait",
  "backfilling",
  "forced_backfill",
  "backfill_toofull",
  "incomplete",
  "peered",
  "snaptrim",
  "snaptrim_wait",
  "snaptrim_error",
] as const;
export type PgStateName = (typeof STATE_ORDER)[number];
export const PG = Object.fromEntries(STATE_ORDER.map((n, i) => [n, 2 ** i])) as Record<PgStateName, number>;

export function pgStateString(flags: number): string {
  if (!flags) return "unknown";
  let s = "";
  for (let i = 0; i < STATE_ORDER.length; i++) if (flags & (2 ** i)) s += (s ? "+" : "") + STATE_ORDER[i];
  return s;
}

const sameArray = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Recomputes CRUSH placement (`raw`): of every PG after in/crush/size changes, or only of the PGs
 * that held an OSD that went out (straw2 moves nothing else).
 */
export function remapAll(state: SimState): void {
  const view = new PlacementView(state);
  const only = state.placementDirty ? null : state.remapOsds;
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      if (only && !pg.raw.some((o) => only.has(o))) continue;
      const raw = view.map(pool.id, pg.ps, pool.size);
      if (!sameArray(raw, pg.raw)) pg.raw = raw;
    }
  }
  state.placementDirty = false;
  state.remapOsds.clear();
}

/**
 * Brings every PG's up/acting/state in line with the OSDs, and the OSDs' usage in line with
 * the PGs. Returns whether anything a pgmap consumer sees changed.
 */
export function refreshPgs(state: SimState): boolean {
  if (state.placementDirty || state.remapOsds.size) remapAll(state);
  let changed = false;
  for (const pool of state.pools.values()) for (const pg of pool.pgs) if (refreshPg(state, pool, pg)) changed = true;
  if (refreshOsdUsage(state)) changed = true;
  return changed;
}

/** Flags of a settled PG whose placement, copies and OSDs are all in order. */
function settledFlags(pg: PgState): number {
  return PG.active | PG.clean | (pg.scrubTicks > 0 ? PG.scrubbing | (pg.deepScrub ? PG.deep : 0) : 0);
}

/** The steady state, checked without allocating: nothing to do for most PGs on most ticks. */
function isSettled(state: SimState, pool: PoolState, pg: PgState): boolean {
  if (
    pg.temp ||
    pg.behind.length ||
    pg.creating ||
    pg.peeringTicks ||
    pg.waitTicks ||
    pg.recoveryTicks ||
    pg.backfillTicks
  )
    return false;
  const raw = pg.raw;
  if (
    raw.length !== pool.size ||
    raw.length !== pg.up.length ||
    raw.length !== pg.homes.length ||
    raw.length !== pg.acting.length
  )
    return false;
  for (let i = 0; i < raw.length; i++) {
    const id = raw[i]!;
    if (pg.up[i] !== id || pg.acting[i] !== id || pg.homes[i] !== id || state.osds[id]?.up !== true) return false;
  }
  return true;
}

function refreshPg(state: SimState, pool: PoolState, pg: PgState): boolean {
  if (isSettled(state, pool, pg)) {
    const countsChanged = setCounts(pg, 0, 0);
    return applyState(state, pg, pg.up, pg.acting, null, settledFlags(pg)) || countsChanged;
  }
  const isUp = (id: number) => state.osds[id]?.up === true;
  const up = pg.raw.filter(isUp);
  const liveHomes = pg.homes.filter(isUp);
  let temp: number[] | null = null;
  let acting = up;
  const missingData = up.some((o) => !pg.homes.includes(o));
  if (missingData && liveHomes.length > 0 && !pg.creating) {
    // pg_temp: the old copies keep serving while the new members backfill.
    temp = liveHomes;
    acting = temp;
  } else if (missingData && (pg.creating || pg.homes.length === 0)) {
    pg.homes = up.slice();
  }
  const stale = liveHomes.length === 0 && pg.homes.length > 0 && !pg.creating;
  if (stale) {
    // Nobody left to report: the mgr keeps the last report and marks it stale.
    const flags = (pg.flags & ~PG.stale) | PG.stale;
    return applyState(state, pg, pg.up, pg.acting, pg.temp, flags);
  }

  // Members that were down while holding a copy missed writes and recover when back.
  for (const h of pg.homes) if (!isUp(h) && !pg.behind.includes(h)) pg.behind.push(h);
  const actingChanged = !sameArray(acting, pg.acting) || !sameArray(up, pg.up);
  if (actingChanged) {
    pg.peeringTicks = 1;
    pg.mappingEpoch = state.osdmapEpoch;
  }
  if (temp && pg.backfillTicks === 0) {
    pg.backfillTicks = state.rand.between(3, 8);
    pg.waitTicks = 1;
  }
  const recovering = pg.behind.some((o) => acting.includes(o));
  if (recovering && pg.recoveryTicks === 0) {
    pg.recoveryTicks = state.rand.between(2, 5);
    pg.waitTicks = 1;
  }

  let flags: number;
  if (pg.peeringTicks > 0) {
    flags = PG.peering | (pg.creating ? PG.creating : 0);
  } else {
    flags = acting.length >= pool.minSize ? PG.active : PG.peered;
    const undersized = acting.length < pool.size;
    if (undersized) flags |= PG.undersized | PG.degraded;
    if (recovering) {
      const waiting = pg.waitTicks > 0 || state.hasFlag(FLAG.norecover!);
      flags |= PG.degraded | (waiting ? PG.recovery_wait : PG.recovering);
    }
    if (temp) {
      const waiting = pg.waitTicks > 0 || state.hasFlag(FLAG.nobackfill!);
      flags |= PG.remapped | (waiting ? PG.backfill_wait : PG.backfilling);
    }
    if (!undersized && !recovering && !temp && flags & PG.active) flags |= PG.clean;
    if (flags & PG.clean && pg.scrubTicks > 0) flags |= PG.scrubbing | (pg.deepScrub ? PG.deep : 0);
  }
  const copiesMissing = Math.max(0, pool.size - acting.length);
  const behindActing = pg.behind.filter((o) => acting.includes(o)).length;
  const countsChanged = setCounts(
    pg,
    pg.numObjects * copiesMissing + Math.ceil(pg.numObjects * 0.02) * behindActing,
    temp && !copiesMissing ? pg.numObjects * up.filter((o) => !pg.homes.includes(o)).length : 0,
  );
  // pg_temp lives in the osdmap: setting or clearing it is a new epoch.
  if (temp !== pg.temp && !(temp && pg.temp && sameArray(temp, pg.temp))) state.bumpOsdmap();
  return applyState(state, pg, up, acting, temp, flags) || countsChanged;
}

/** Updates the degraded/misplaced object counts; a change means a new PG report. */
function setCounts(pg: PgState, degraded: number, misplaced: number): boolean {
  if (pg.degraded === degraded && pg.misplaced === misplaced) return false;
  pg.degraded = degraded;
  pg.misplaced = misplaced;
  pg.frag = undefined;
  return true;
}

function applyState(
  state: SimState,
  pg: PgState,
  up: number[],
  acting: number[],
  temp: number[] | null,
  flags: number,
): boolean {
  const sameTemp = temp === pg.temp || (temp !== null && pg.temp !== null && sameArray(temp, pg.temp));
  const same = flags === pg.flags && sameArray(up, pg.up) && sameArray(acting, pg.acting) && sameTemp;
  if (same) return false;
  const now = state.nowStamp;
  const wasActive = (pg.flags & PG.active) !== 0;
  pg.up = up;
  pg.acting = acting;
  pg.temp = temp;
  pg.flags = flags;
  pg.state = pgStateString(flags);
  touchPgStats(state, pg);
  pg.lastChange = now;
  if (flags & PG.active) {
    pg.lastActive = now;
    pg.lastPeered = now;
    if (!wasActive) pg.lastBecameActive = pg.lastBecamePeered = now;
  } else if (flags & PG.peered) {
    pg.lastPeered = now;
  }
  if (flags & PG.clean) pg.lastClean = now;
  if (!(flags & PG.stale)) pg.lastUnstale = now;
  if (!(flags & PG.degraded)) pg.lastUndegraded = now;
  if (!(flags & PG.undersized)) pg.lastFullsized = now;
  if (flags & PG.clean) pg.lastEpochClean = state.osdmapEpoch;
  return true;
}

/** Marks a PG as freshly reported: new stamp, new seq, cached JSON dropped. */
export function touchPgStats(state: SimState, pg: PgState): void {
  pg.reportedSeq += 1;
  pg.reportedEpoch = state.osdmapEpoch;
  pg.lastFresh = state.nowStamp;
  pg.frag = undefined;
}

/** Per-OSD PG count and used space, derived from the PGs. */
function refreshOsdUsage(state: SimState): boolean {
  const count = new Int32Array(state.maxOsd);
  const bytes = new Float64Array(state.maxOsd);
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      for (const o of pg.acting) count[o]! += 1;
      for (const o of pg.homes) bytes[o]! += pg.numBytes;
    }
  }
  let changed = false;
  for (const osd of state.existingOsds()) {
    const numPgs = count[osd.id]!;
    // A full OSD takes no more writes: usage never passes the device size.
    const kbUsed = Math.min(osd.kb, Math.round((OSD_OVERHEAD_BYTES + bytes[osd.id]!) / 1024));
    if (numPgs !== osd.numPgs || kbUsed !== osd.kbUsed) {
      osd.numPgs = numPgs;
      osd.kbUsed = kbUsed;
      changed = true;
    }
  }
  return changed;
}

/** Each up OSD's heartbeat peers: the OSDs it shares PGs with (memoized per pgmap version). */
export function heartbeatPeers(state: SimState): Map<number, number[]> {
  const hit = state.memo.get("hbPeers");
  if (hit && hit.version === state.pgmapVersion) return hit.value as Map<number, number[]>;
  const sets = new Map<number, Set<number>>();
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      for (const a of pg.acting) {
        let set = sets.get(a);
        if (!set) sets.set(a, (set = new Set()));
        for (const b of pg.acting) if (b !== a) set.add(b);
      }
    }
  }
  const peers = new Map<number, number[]>();
  for (const [osd, set] of sets)
    if (state.osds[osd]?.up)
      peers.set(
        osd,
        [...set].sort((a, b) => a - b),
      );
  state.memo.set("hbPeers", { version: state.pgmapVersion, value: peers });
  return peers;
}

/** Advances recovery, backfill, peering and scrubs by one tick. */
export function progressPgs(state: SimState): void {
  const noscrub = state.hasFlag(FLAG.noscrub!);
  const nodeep = state.hasFlag(FLAG["nodeep-scrub"]!);
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      if (pg.peeringTicks > 0) {
        pg.peeringTicks -= 1;
        if (pg.peeringTicks === 0 && pg.creating) {
          pg.creating = false;
          pg.homes = pg.up.slice();
        }
        continue;
      }
      if (pg.waitTicks > 0) {
        pg.waitTicks -= 1;
        continue;
      }
      if (pg.recoveryTicks > 0 && !state.hasFlag(FLAG.norecover!) && pg.flags & PG.active) {
        if (--pg.recoveryTicks === 0) finishRecovery(state, pool, pg);
      }
      if (pg.backfillTicks > 0 && pg.temp && !state.hasFlag(FLAG.nobackfill!) && pg.flags & PG.active) {
        if (--pg.backfillTicks === 0) finishBackfill(state, pool, pg);
      }
      if (pg.scrubTicks > 0) {
        if (--pg.scrubTicks === 0) finishScrub(state, pg);
      } else if (pg.flags & PG.clean && !noscrub && state.rand.chance(0.002)) {
        pg.deepScrub = !nodeep && state.rand.chance(0.2);
        pg.scrubTicks = state.rand.between(1, 3);
      }
    }
  }
}

function finishRecovery(state: SimState, pool: PoolState, pg: PgState): void {
  const recovered = pg.behind.filter((o) => pg.acting.includes(o));
  const objects = Math.ceil(pg.numObjects * 0.02) * recovered.length;
  const bytes = pg.numObjects ? Math.round((pg.numBytes / pg.numObjects) * objects) : 0;
  pg.behind = pg.behind.filter((o) => !recovered.includes(o));
  countRecovered(state, pool, pg, objects, bytes);
}

function finishBackfill(state: SimState, pool: PoolState, pg: PgState): void {
  const fresh = pg.up.filter((o) => !pg.homes.includes(o)).length;
  pg.homes = pg.up.slice();
  pg.behind = pg.behind.filter((o) => pg.homes.includes(o));
  countRecovered(state, pool, pg, pg.numObjects * fresh, pg.numBytes * fresh);
}

function countRecovered(state: SimState, pool: PoolState, pg: PgState, objects: number, bytes: number): void {
  pg.numObjectsRecovered += objects;
  pg.numBytesRecovered += bytes;
  pool.recovered.objects += objects;
  pool.recovered.bytes += bytes;
  state.ioDelta.recoveredObjects += objects;
  state.ioDelta.recoveredBytes += bytes;
  touchPgStats(state, pg);
}

function finishScrub(state: SimState, pg: PgState): void {
  const version = `${pg.versionEpoch}'${pg.versionV}`;
  pg.lastScrub = version;
  pg.lastScrubStamp = state.nowStamp;
  pg.lastCleanScrubStamp = state.nowStamp;
  if (pg.deepScrub) {
    pg.lastDeepScrub = version;
    pg.lastDeepScrubStamp = state.nowStamp;
  }
  pg.deepScrub = false;
  touchPgStats(state, pg);
}
