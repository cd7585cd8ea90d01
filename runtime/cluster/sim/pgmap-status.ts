// The pgmap digests: capacity, `df`, per-pool io/recovery rates (osd_pool_stats) and the pgmap
// part of `ceph status` (pg_status), all derived from the per-version aggregate.
import { serviceMapObject } from "./maps.ts";
import type { PoolState } from "./model.ts";
import type { SimState } from "./state.ts";
import { STAT, aggregate, type PoolAggregate } from "./stats.ts";

/** Cluster capacity figures shared by df, pg_status and status. */
export function capacity(state: SimState) {
  const agg = aggregate(state);
  const total = agg.kb * 1024;
  const used = agg.kbUsed * 1024;
  return { total, used, avail: total - used, ratio: total ? used / total : 0, numOsds: agg.numOsds };
}

export function poolUsage(state: SimState, p: PoolAggregate) {
  const cap = capacity(state);
  const stored = p.sum[STAT.bytes]!;
  const storedRaw = stored * p.pool.size;
  const availRaw = Math.max(0, Math.floor(cap.total * 0.95 - cap.used));
  const maxAvail = Math.floor(availRaw / p.pool.size);
  const percentUsed = storedRaw + availRaw > 0 ? storedRaw / (storedRaw + availRaw) : 0;
  return { stored, storedRaw, availRaw, maxAvail, percentUsed, objects: p.sum[STAT.objects]! };
}

/** get("df") / `df detail -f json`. */
export function dfObject(state: SimState, detail = true) {
  const agg = aggregate(state);
  const cap = capacity(state);
  const totals = {
    total_bytes: cap.total,
    total_avail_bytes: cap.avail,
    total_used_bytes: cap.used,
    total_used_raw_bytes: cap.used,
    total_used_raw_ratio: cap.ratio,
  };
  const pools = agg.pools.map((p) => {
    const u = poolUsage(state, p);
    const brief = {
      stored: u.stored,
      objects: u.objects,
      kb_used: Math.ceil(u.storedRaw / 1024),
      bytes_used: u.storedRaw,
      percent_used: u.percentUsed,
      max_avail: u.maxAvail,
    };
    const stats = detail
      ? {
          stored: u.stored,
          stored_data: u.stored,
          stored_omap: 0,
          objects: u.objects,
          kb_used: Math.ceil(u.storedRaw / 1024),
          bytes_used: u.storedRaw,
          data_bytes_used: u.storedRaw,
          omap_bytes_used: 0,
          percent_used: u.percentUsed,
          max_avail: u.maxAvail,
          quota_objects: p.pool.quotaMaxObjects,
          quota_bytes: p.pool.quotaMaxBytes,
          dirty: 0,
          rd: p.sum[STAT.read]!,
          rd_bytes: p.sum[STAT.readKb]! * 1024,
          wr: p.sum[STAT.write]!,
          wr_bytes: p.sum[STAT.writeKb]! * 1024,
          compress_bytes_used: 0,
          compress_under_bytes: 0,
          stored_raw: u.storedRaw,
          avail_raw: u.availRaw,
        }
      : brief;
    return { name: p.pool.name, id: p.pool.id, stats };
  });
  return {
    stats: { ...totals, num_osds: cap.numOsds, num_per_pool_osds: cap.numOsds, num_per_pool_omap_osds: cap.numOsds },
    stats_by_class: { hdd: totals },
    pools,
  };
}

/** Client io and recovery rates of the last tick, per pool and in total. */
export function poolRates(state: SimState, pool: PoolState) {
  const s = state.lastTickSeconds || 1;
  const io: Record<string, number> = {};
  if (pool.io.rdBytes || pool.io.wrBytes || pool.io.rdOps || pool.io.wrOps) {
    io.read_bytes_sec = Math.round(pool.io.rdBytes / s);
    io.write_bytes_sec = Math.round(pool.io.wrBytes / s);
    io.read_op_per_sec = Math.round(pool.io.rdOps / s);
    io.write_op_per_sec = Math.round(pool.io.wrOps / s);
  }
  return io;
}

export function recoveryFigures(pool: PoolState, size: number) {
  let degraded = 0;
  let misplaced = 0;
  let objects = 0;
  for (const pg of pool.pgs) {
    degraded += pg.degraded;
    misplaced += pg.misplaced;
    objects += pg.numObjects;
  }
  const total = objects * size;
  const out: Record<string, number> = {};
  if (degraded)
    Object.assign(out, { degraded_objects: degraded, degraded_total: total, degraded_ratio: degraded / total });
  if (misplaced)
    Object.assign(out, { misplaced_objects: misplaced, misplaced_total: total, misplaced_ratio: misplaced / total });
  return out;
}

export function recoveryRate(state: SimState, pool: PoolState) {
  if (!pool.recovered.objects) return {};
  const s = state.lastTickSeconds || 1;
  return {
    recovering_objects_per_sec: Math.round(pool.recovered.objects / s),
    recovering_bytes_per_sec: Math.round(pool.recovered.bytes / s),
    recovering_keys_per_sec: 0,
    num_objects_recovered: pool.recovered.objects,
    num_bytes_recovered: pool.recovered.bytes,
    num_keys_recovered: 0,
  };
}

export function osdPoolStatsObject(state: SimState) {
  return [...state.pools.values()].map((pool) => ({
    pool_name: pool.name,
    pool_id: pool.id,
    recovery: recoveryFigures(pool, pool.size),
    recovery_rate: recoveryRate(state, pool),
    client_io_rate: poolRates(state, pool),
  }));
}

/** get("pg_status"): the pgmap part of `ceph status`. */
export function pgStatusObject(state: SimState) {
  const agg = aggregate(state);
  const cap = capacity(state);
  const byCount = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([state_name, count]) => ({ state_name, count }));
  const out: Record<string, unknown> = {
    pgs_by_pool_state: agg.pools.map((p) => ({ pool_id: p.pool.id, pg_state_counts: byCount(p.byState) })),
    pgs_by_state: byCount(agg.byState),
    num_pgs: agg.numPgs,
    num_pools: agg.pools.length,
    num_objects: agg.total[STAT.objects],
    data_bytes: agg.total[STAT.bytes],
    bytes_used: cap.used,
    bytes_avail: cap.avail,
    bytes_total: cap.total,
  };
  const totals: Record<string, number> = {};
  for (const pool of state.pools.values()) {
    for (const part of [recoveryFigures(pool, pool.size), poolRates(state, pool), recoveryRate(state, pool)]) {
      for (const [k, v] of Object.entries(part)) if (!k.endsWith("_ratio")) totals[k] = (totals[k] ?? 0) + v;
    }
  }
  if (totals.degraded_objects) totals.degraded_ratio = totals.degraded_objects / totals.degraded_total!;
  if (totals.misplaced_objects) totals.misplaced_ratio = totals.misplaced_objects / totals.misplaced_total!;
  for (const k of ["num_objects_recovered", "num_bytes_recovered", "num_keys_recovered"]) delete totals[k];
  return { ...out, ...totals };
}

/** The servicemap as `ceph status` summarizes it. */
export function serviceMapView(state: SimState) {
  const m = serviceMapObject(state);
  return { epoch: m.epoch, modified: m.modified, services: m.services };
}
