// The autoscaler's sizing of every pool (Ceph's _get_pool_status): group pools by the CRUSH subtree
// their rule takes from, share each subtree's PG budget (OSDs × mon_target_pg_per_osd) out by the
// pools' share of its capacity, in three passes (small pools, then bulk pools above an even share,
// then the rest evenly), and quantize to a power of two.
import type { ClusterData } from "@tsmgr/sdk";
import { osdsUnder, ruleRoot } from "./crush.ts";

const PG_NUM_MIN = 32;
const THRESHOLD = 3.0;

type Pool = ClusterData["osd_map"]["pools"][number];

/** One CRUSH subtree: the roots that share OSDs, their pools and PG budget. */
export interface Subtree {
  rootIds: number[];
  osds: Set<number>;
  poolIds: number[];
  poolNames: string[];
  pgTarget: number;
  pgLeft: number;
  poolCount: number;
  poolUsed: number;
  capacity: number;
  totalTargetRatio: number;
  totalTargetBytes: number;
}

/** One row of `osd pool autoscale-status -f json` (Ceph's keys). */
export interface PoolStatus {
  pool_id: number;
  pool_name: string;
  crush_root_id: number;
  pg_autoscale_mode: string;
  pg_num_target: number;
  logical_used: number;
  target_bytes: number;
  raw_used_rate: number;
  subtree_capacity: number;
  actual_raw_used: number;
  raw_used: number;
  actual_capacity_ratio: number;
  capacity_ratio: number;
  target_ratio: number;
  effective_target_ratio: number;
  pg_num_ideal: number;
  pg_num_final: number;
  would_adjust: boolean;
  bias: number;
  bulk: boolean;
}

export interface ClusterView {
  osdMap: ClusterData["osd_map"];
  crush: ClusterData["osd_map_crush"];
  osdStats: ClusterData["osd_stats"];
  df: ClusterData["df"];
  targetPgPerOsd: number;
  warn?: (msg: string) => void;
}

/** OSDMap::pool_raw_used_rate: replicas for a replicated pool, (k+m)/k for an erasure-coded one. */
export function rawUsedRate(osdMap: ClusterData["osd_map"], pool: Pool): number {
  if (pool.type !== 3) return pool.size;
  const profile = osdMap.erasure_code_profiles[pool.erasure_code_profile];
  const k = parseInt(profile?.k ?? "", 10);
  const m = parseInt(profile?.m ?? "", 10);
  return Number.isNaN(k) || Number.isNaN(m) || k === 0 ? 0 : (k + m) / k;
}

/** Ceph's nearest_power_of_two: the power of two nearest `n`, the higher one on a tie. */
export function nearestPowerOfTwo(n: number): number {
  const v = Math.trunc(n);
  if (v <= 1) return v <= 0 ? 0 : 1;
  const high = 2 ** Math.ceil(Math.log2(v));
  const low = high / 2;
  return high - n > n - low ? low : high;
}

/** Ceph's effective_target_ratio: a pool's ratio normalized over its subtree, less the bytes reserved by target sizes. */
export function effectiveTargetRatio(
  ratio: number,
  totalRatio: number,
  totalTargetBytes: number,
  capacity: number,
): number {
  let r = totalRatio ? ratio / totalRatio : ratio;
  if (totalTargetBytes && capacity) r *= 1 - Math.min(1, totalTargetBytes / capacity);
  return r;
}

const opt = (p: Pool, name: string): number | undefined => (p.options as Record<string, number | undefined>)[name];

/** Subtrees by root id (roots sharing OSDs share one), and the roots that overlap. */
export function subtrees(view: ClusterView): { byRoot: Map<number, Subtree>; overlapped: Set<number> } {
  const byRoot = new Map<number, Subtree>();
  const all: Subtree[] = [];
  const overlapped = new Set<number>();
  for (const pool of view.osdMap.pools) {
    const rootId = ruleRoot(view.crush, pool.crush_rule);
    if (rootId === null) continue;
    const osds = new Set(osdsUnder(view.crush, rootId));
    let s: Subtree | undefined;
    for (const [prevRoot, prev] of byRoot) {
      if (![...osds].some((o) => prev.osds.has(o))) continue;
      s = prev;
      if (prevRoot !== rootId) {
        overlapped.add(prevRoot).add(rootId);
        view.warn?.(`pool ${pool.pool_name} won't scale due to overlapping roots: ${[...overlapped].join(", ")}`);
      }
      break;
    }
    if (!s)
      all.push(
        (s = {
          rootIds: [],
          osds: new Set(),
          poolIds: [],
          poolNames: [],
          pgTarget: 0,
          pgLeft: 0,
          poolCount: 0,
          poolUsed: 0,
          capacity: 0,
          totalTargetRatio: 0,
          totalTargetBytes: 0,
        }),
      );
    byRoot.set(rootId, s);
    s.rootIds.push(rootId);
    for (const o of osds) s.osds.add(o);
    s.poolIds.push(pool.pool);
    s.poolNames.push(pool.pool_name);
    const ratio = opt(pool, "target_size_ratio") ?? 0;
    if (ratio) s.totalTargetRatio += ratio;
    else s.totalTargetBytes += (opt(pool, "target_size_bytes") ?? 0) * rawUsedRate(view.osdMap, pool);
  }
  for (const s of all) {
    s.pgTarget = s.osds.size * view.targetPgPerOsd;
    s.pgLeft = s.pgTarget;
    s.poolCount = s.poolIds.length;
    // the OSDs' raw size, not reweighted: PG counts follow physical storage
    s.capacity = view.osdStats.osd_stats.filter((o) => s.osds.has(o.osd)).reduce((sum, o) => sum + o.kb * 1024, 0);
  }
  return { byRoot, overlapped };
}

type Pass = "first" | "second" | "third";

/** The share of its subtree a pool gets in this pass, and its PG target; null: not in this pass. */
function passTarget(
  pass: Pass,
  p: Pool,
  s: Subtree,
  capacityRatio: number,
  bias: number,
  bulk: boolean,
): [ratio: number, pgTarget: number] | null {
  if (pass === "first") {
    if (bulk) return null;
    const used = capacityRatio * s.pgLeft;
    s.pgLeft -= Math.trunc(used);
    s.poolUsed += 1;
    return [capacityRatio, (used / p.size) * bias];
  }
  const even = 1 / (s.poolCount - s.poolUsed);
  if (pass === "third") return [even, ((even * s.pgLeft) / p.size) * bias];
  if (capacityRatio <= even) return null;
  s.poolUsed += 1;
  const ratio = Math.max(capacityRatio, even);
  const used = ratio * s.pgLeft;
  s.pgLeft -= Math.trunc(used);
  return [ratio, (used / p.size) * bias];
}

// long: one pool's row in Ceph's own order of steps, kept together so it reads against module.py
function poolRow(
  view: ClusterView,
  p: Pool,
  rootId: number,
  s: Subtree,
  stored: number,
  pass: Pass,
): PoolStatus | null {
  const rate = rawUsedRate(view.osdMap, p);
  const bias = opt(p, "pg_autoscale_bias") ?? 1.0;
  const ratioOpt = opt(p, "target_size_ratio") ?? 0.0;
  // the ratio wins when both are set
  const targetBytes = ratioOpt === 0 ? (opt(p, "target_size_bytes") ?? 0) : 0;
  const actualRawUsed = stored * rate;
  const rawUsed = Math.max(stored, targetBytes) * rate;
  const targetRatio = effectiveTargetRatio(ratioOpt, s.totalTargetRatio, s.totalTargetBytes, s.capacity);
  const bulk = p.flags_names.split(",").includes("bulk");
  const capacityRatio = Math.max(rawUsed / s.capacity, targetRatio);
  const share = passTarget(pass, p, s, capacityRatio, bias, bulk);
  if (!share) return null;
  const [finalRatio, pgTarget] = share;
  let final = Math.max(opt(p, "pg_num_min") ?? PG_NUM_MIN, nearestPowerOfTwo(pgTarget));
  const max = opt(p, "pg_num_max");
  if (max && max < final) final = max;
  const adjust =
    (final > p.pg_num_target * THRESHOLD || final < p.pg_num_target / THRESHOLD) &&
    finalRatio >= 0 &&
    finalRatio <= 1 &&
    p.pg_autoscale_mode === "on";
  return {
    pool_id: p.pool,
    pool_name: p.pool_name,
    crush_root_id: rootId,
    pg_autoscale_mode: p.pg_autoscale_mode,
    pg_num_target: p.pg_num_target,
    logical_used: stored,
    target_bytes: targetBytes,
    raw_used_rate: rate,
    subtree_capacity: s.capacity,
    actual_raw_used: actualRawUsed,
    raw_used: rawUsed,
    actual_capacity_ratio: actualRawUsed / s.capacity,
    capacity_ratio: capacityRatio,
    target_ratio: ratioOpt,
    effective_target_ratio: targetRatio,
    pg_num_ideal: Math.trunc(pgTarget),
    pg_num_final: final,
    would_adjust: adjust,
    bias,
    bulk,
  };
}

/** Every pool's status, in Ceph's order (small pools, then bulk ones, then the evenly shared). */
export function poolStatus(view: ClusterView): { pools: PoolStatus[]; byRoot: Map<number, Subtree> } {
  const { byRoot, overlapped } = subtrees(view);
  const stored = new Map(view.df.pools.map((p) => [p.id, p.stats.stored]));
  const out: PoolStatus[] = [];
  let pending = [...view.osdMap.pools];
  for (const pass of ["first", "second", "third"] as const) {
    const next: Pool[] = [];
    for (const p of pending) {
      const rootId = ruleRoot(view.crush, p.crush_rule);
      const s = rootId === null ? undefined : byRoot.get(rootId);
      // a pool deleted meanwhile, an overlapping root, an empty subtree: Ceph skips them
      if (!s || rootId === null || !stored.has(p.pool) || overlapped.has(rootId) || s.capacity === 0) continue;
      const row = poolRow(view, p, rootId, s, stored.get(p.pool)!, pass);
      if (row) out.push(row);
      else next.push(p);
    }
    pending = next;
  }
  return { pools: out, byRoot };
}
