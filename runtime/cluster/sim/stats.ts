// object_stat_sum_t as a flat number vector in the real dump's key order, plus the per-pool and
// per-state aggregates every pgmap view needs (computed once per pgmap version).
import { mgrGet } from "../_fixtures.ts";
import type { PgState, PoolState } from "./model.ts";
import type { SimState } from "./state.ts";

interface PgDumpFixture {
  pg_stats_sum: { stat_sum: Record<string, number>; store_stats: Record<string, number> };
}

/** The 40 stat_sum keys, in dump order. */
export const STAT_KEYS: readonly string[] = Object.keys(mgrGet<PgDumpFixture>("pg_dump").pg_stats_sum.stat_sum);
const STAT_PREFIX = STAT_KEYS.map((k, i) => `${i ? "," : "{"}"${k}":`);
const IX = Object.fromEntries(STAT_KEYS.map((k, i) => [k, i])) as Record<string, number>;
export const STAT = {
  bytes: IX.num_bytes!,
  objects: IX.num_objects!,
  copies: IX.num_object_copies!,
  degraded: IX.num_objects_degraded!,
  misplaced: IX.num_objects_misplaced!,
  dirty: IX.num_objects_dirty!,
  read: IX.num_read!,
  readKb: IX.num_read_kb!,
  write: IX.num_write!,
  writeKb: IX.num_write_kb!,
  recovered: IX.num_objects_recovered!,
  bytesRecovered: IX.num_bytes_recovered!,
};

const STORE_KEYS = Object.keys(mgrGet<PgDumpFixture>("pg_dump").pg_stats_sum.store_stats);
/** FileStore/memstore-style store_stats: all zero, as in the dump. */
export const STORE_STATS_ZERO = `{${STORE_KEYS.map((k) => `"${k}":0`).join(",")}}`;

export type StatVec = number[];

export function emptyStats(): StatVec {
  return new Array(STAT_KEYS.length).fill(0);
}

export function pgStatVec(pg: PgState, size: number): StatVec {
  const v = emptyStats();
  v[STAT.bytes] = pg.numBytes;
  v[STAT.objects] = pg.numObjects;
  v[STAT.copies] = pg.numObjects * size;
  v[STAT.degraded] = pg.degraded;
  v[STAT.misplaced] = pg.misplaced;
  v[STAT.dirty] = pg.numObjects;
  v[STAT.read] = pg.numRead;
  v[STAT.readKb] = pg.numReadKb;
  v[STAT.write] = pg.numWrite;
  v[STAT.writeKb] = pg.numWriteKb;
  v[STAT.recovered] = pg.numObjectsRecovered;
  v[STAT.bytesRecovered] = pg.numBytesRecovered;
  return v;
}

export function addInto(sum: StatVec, v: StatVec): void {
  for (let i = 0; i < sum.length; i++) sum[i]! += v[i]!;
}

export function statSumJson(v: StatVec): string {
  let s = "";
  for (let i = 0; i < v.length; i++) s += STAT_PREFIX[i] + String(v[i]);
  return `${s}}`;
}

export interface PoolAggregate {
  pool: PoolState;
  sum: StatVec;
  logSize: number;
  up: number;
  acting: number;
  byState: Map<string, number>;
}

export interface PgmapAggregate {
  pools: PoolAggregate[];
  total: StatVec;
  logSize: number;
  up: number;
  acting: number;
  numPgs: number;
  byState: Map<string, number>;
  byOsd: Map<number, Map<string, number>>;
  kb: number;
  kbUsed: number;
  kbUsedData: number;
  numOsds: number;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Pool sums, state counts and OSD totals; memoized per pgmap version. */
export function aggregate(state: SimState): PgmapAggregate {
  const cached = state.memo.get("aggregate");
  if (cached && cached.version === state.pgmapVersion) return cached.value as PgmapAggregate;
  const total = emptyStats();
  const agg: PgmapAggregate = {
    pools: [],
    total,
    logSize: 0,
    up: 0,
    acting: 0,
    numPgs: 0,
    byState: new Map(),
    byOsd: new Map(),
    kb: 0,
    kbUsed: 0,
    kbUsedData: 0,
    numOsds: 0,
  };
  for (const pool of state.pools.values()) {
    const pa: PoolAggregate = { pool, sum: emptyStats(), logSize: 0, up: 0, acting: 0, byState: new Map() };
    for (const pg of pool.pgs) {
      addInto(pa.sum, pgStatVec(pg, pool.size));
      pa.logSize += pg.logSize;
      pa.up += pg.up.length;
      pa.acting += pg.acting.length;
      bump(pa.byState, pg.state);
      bump(agg.byState, pg.state);
      for (const o of pg.acting) {
        let m = agg.byOsd.get(o);
        if (!m) agg.byOsd.set(o, (m = new Map()));
        bump(m, pg.state);
      }
    }
    addInto(total, pa.sum);
    agg.logSize += pa.logSize;
    agg.up += pa.up;
    agg.acting += pa.acting;
    agg.numPgs += pool.pgs.length;
    agg.pools.push(pa);
  }
  for (const o of reportingOsds(state)) {
    agg.numOsds += 1;
    agg.kb += o.kb;
    agg.kbUsed += o.kbUsed;
  }
  agg.kbUsedData = Math.round(total[STAT.bytes]! / 1024);
  state.memo.set("aggregate", { version: state.pgmapVersion, value: agg });
  return agg;
}

/** OSDs that have reported stats to the mgr (every OSD that ever booted and still exists). */
export function* reportingOsds(state: SimState): Generator<{ id: number; kb: number; kbUsed: number }> {
  for (const o of state.existingOsds()) if (!o.isNew) yield { id: o.id, kb: o.kb, kbUsed: o.kbUsed };
}
