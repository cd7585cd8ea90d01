// Pool changes: create, delete, rename, set/get of pool variables, quotas, applications and
// data fill, with the mon's own messages and errno values.
import { POOL_FLAG, OSD_BYTES } from "./constants.ts";
import { newPg, newPool } from "./factory.ts";
import type { PoolState } from "./model.ts";
import { hashUnit } from "./random.ts";
import type { SimState } from "./state.ts";

export interface OpResult {
  retval: number;
  message: string;
}
const ok = (message: string): OpResult => ({ retval: 0, message });
const fail = (retval: number, message: string): OpResult => ({ retval, message });

const OBJECT_SIZE = 4 * 2 ** 20;

function poolChanged(state: SimState, pool: PoolState): void {
  pool.frag = undefined;
  pool.lastChange = state.bumpOsdmap();
  state.osdmapModified = state.nowStamp;
  state.pgmapDirty = true;
  state.pgmapChanged = true;
}

/** (Re)builds a pool's PG list to `pgNum`, spreading `bytes` over the PGs with a little skew. */
export function populatePgs(state: SimState, pool: PoolState, pgNum: number, bytes: number, creating: boolean): void {
  const weights: number[] = [];
  for (let ps = 0; ps < pgNum; ps++) weights.push(0.9 + 0.2 * hashUnit(state.opts.seed, pool.id, ps, 0xb17e));
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const kept = pool.pgs.slice(0, pgNum);
  for (let ps = kept.length; ps < pgNum; ps++) {
    const share = Math.round((bytes * weights[ps]!) / sum);
    kept.push(
      newPg(state, pool, ps, {
        bytes: share,
        objects: Math.ceil(share / OBJECT_SIZE),
        creating,
        scrubAgeMs: hashUnit(state.opts.seed, pool.id, ps, 0x5c) * 86_400_000,
      }),
    );
  }
  pool.pgs = kept;
  pool.pgNum = pgNum;
  state.placementDirty = true;
}

function totalPgReplicas(state: SimState, except?: PoolState): number {
  let n = 0;
  for (const p of state.pools.values()) if (p !== except) n += p.pgNum * p.size;
  return n;
}

function checkPgLimit(state: SimState, pgNum: number, size: number, except?: PoolState): OpResult | undefined {
  const total = totalPgReplicas(state, except) + pgNum * size;
  const inOsds = [...state.existingOsds()].filter((o) => o.in).length;
  const max = 250 * inOsds;
  if (total > max) {
    return fail(
      -34,
      `pg_num ${pgNum} size ${size} would mean ${total} total pgs, which exceeds max ${max} (mon_max_pg_per_osd 250 * num_in_osds ${inOsds})`,
    );
  }
  return undefined;
}

export function createPool(state: SimState, name: string, pgNum: number, size: number, application?: string): OpResult {
  if (state.poolByName(name)) return ok(`pool '${name}' already exists`);
  if (pgNum <= 0 || pgNum > 65536)
    return fail(
      -22,
      `'pg_num' must be greater than 0 and less than or equal to 65536 (you may adjust 'mon max pool pg num' for higher values)`,
    );
  const limit = checkPgLimit(state, pgNum, size);
  if (limit) return limit;
  const id = ++state.poolMax;
  const pool = newPool(state, id, { name, ...(application ? { application } : {}) }, size, pgNum);
  if (!application) pool.application = {};
  state.pools.set(id, pool);
  populatePgs(state, pool, pgNum, 0, true);
  poolChanged(state, pool);
  return ok(`pool '${name}' created`);
}

export function deletePool(state: SimState, name: string, name2: string | undefined, sure: boolean): OpResult {
  const pool = state.poolByName(name);
  if (!pool) return ok(`pool '${name}' does not exist`);
  if (name2 !== name || !sure) {
    return fail(
      -1,
      `WARNING: this will *PERMANENTLY DESTROY* all data stored in pool ${name}.  If you are *ABSOLUTELY CERTAIN* that is what you want, pass the pool name *twice*, followed by --yes-i-really-really-mean-it.`,
    );
  }
  if (!configFlag(state, "mon_allow_pool_delete")) {
    return fail(
      -1,
      "pool deletion is disabled; you must first set the mon_allow_pool_delete config option to true before you can destroy a pool",
    );
  }
  if (pool.flags & POOL_FLAG.nodelete!)
    return fail(-1, "pool deletion is disabled; you must unset nodelete flag for the pool first");
  state.pools.delete(pool.id);
  state.bumpOsdmap();
  state.osdmapModified = state.nowStamp;
  state.pgmapDirty = true;
  state.pgmapChanged = true;
  return ok(`pool '${name}' removed`);
}

/** A boolean mon option as the config db holds it (mon section or global). */
export function configFlag(state: SimState, name: string): boolean {
  const entry = [...state.configDb]
    .reverse()
    .find((e) => e.name === name && (e.section === "mon" || e.section === "global" || e.section.startsWith("mon.")));
  return entry ? ["true", "1", "yes"].includes(entry.value.toLowerCase()) : false;
}

export function renamePool(state: SimState, from: string, to: string): OpResult {
  const pool = state.poolByName(from);
  if (!pool)
    return state.poolByName(to)
      ? ok(`pool '${from}' does not exist; pool '${to}' does exist; assuming the rename was already performed`)
      : fail(-2, `unrecognized pool '${from}'`);
  if (state.poolByName(to)) return fail(-17, `pool '${to}' already exists`);
  pool.name = to;
  poolChanged(state, pool);
  return ok(`pool '${from}' renamed to '${to}'`);
}

const BOOL_FLAGS = [
  "hashpspool",
  "nodelete",
  "nopgchange",
  "nosizechange",
  "write_fadvise_dontneed",
  "noscrub",
  "nodeep-scrub",
];
const INT = /^-?\d+$/;

// long: one short case per pool variable, as Ceph's OSDMonitor checks them; a table read top to bottom
export function setPoolVar(state: SimState, pool: PoolState, key: string, val: string): OpResult {
  const n = Number(val);
  const needInt = () =>
    INT.test(val)
      ? undefined
      : fail(-22, `error parsing integer value '${val}': strict_strtoll: expected integer, got: '${val}'`);
  switch (key) {
    case "size": {
      const bad = needInt();
      if (bad) return bad;
      if (pool.flags & POOL_FLAG.nosizechange!)
        return fail(-1, "pool size change is disabled; you must unset nosizechange flag for the pool first");
      if (n <= 0 || n > 10) return fail(-22, "pool size must be between 1 and 10");
      pool.size = n;
      if (pool.minSize > n) pool.minSize = n;
      state.placementDirty = true;
      break;
    }
    case "min_size": {
      const bad = needInt();
      if (bad) return bad;
      if (n < 1 || n > pool.size)
        return fail(-22, `pool min_size must be between 1 and size, which is set to ${pool.size}`);
      pool.minSize = n;
      break;
    }
    case "pg_num":
    case "pgp_num":
    case "pgp_num_actual":
    case "pg_num_actual": {
      const bad = needInt();
      if (bad) return bad;
      if (pool.flags & POOL_FLAG.nopgchange!)
        return fail(-1, "pool pg_num change is disabled; you must unset nopgchange flag for the pool first");
      if (n <= 0) return fail(-22, "specified pg_num must be > 0");
      if (key.startsWith("pgp") && n > pool.pgNum) return fail(-22, `specified pgp_num ${n} > pg_num ${pool.pgNum}`);
      if (key.startsWith("pg_num") && n !== pool.pgNum) {
        const limit = checkPgLimit(state, n, pool.size, pool);
        if (limit) return limit;
        const bytes = pool.pgs.reduce((s, pg) => s + pg.numBytes, 0);
        populatePgs(state, pool, n, Math.round((bytes / Math.max(1, pool.pgNum)) * Math.max(0, n - pool.pgNum)), true);
      }
      break;
    }
    case "crush_rule":
      if (val !== "replicated_rule" && val !== "0") return fail(-2, `crush rule ${val} does not exist`);
      pool.crushRule = 0;
      break;
    case "pg_autoscale_mode":
      if (!["on", "off", "warn"].includes(val)) return fail(-22, "specify one of on, off, or warn");
      pool.autoscaleMode = val;
      break;
    default:
      if (BOOL_FLAGS.includes(key)) {
        const on = val === "true" || val === "1";
        if (!on && val !== "false" && val !== "0") return fail(-22, "expecting value 'true', 'false', '0', or '1'");
        pool.flags = on ? pool.flags | POOL_FLAG[key]! : pool.flags & ~POOL_FLAG[key]!;
      } else if (
        [
          "hit_set_period",
          "hit_set_count",
          "target_max_bytes",
          "target_max_objects",
          "cache_min_flush_age",
          "cache_min_evict_age",
          "min_read_recency_for_promote",
          "min_write_recency_for_promote",
          "hit_set_grade_decay_rate",
          "hit_set_search_last_n",
        ].includes(key)
      ) {
        const bad = needInt();
        if (bad) return bad;
        pool.extra[key] = n;
      } else if (key === "fast_read" || key === "use_gmt_hitset") {
        pool.extra[key] = val === "true" || val === "1";
      } else {
        // Everything else lives in the pool's options map (target_size_ratio, compression_*, ...).
        pool.options[key] = val !== "" && !Number.isNaN(n) ? n : val;
      }
  }
  poolChanged(state, pool);
  return ok(`set pool ${pool.id} ${key} to ${val}`);
}

/** `osd pool get`: the value of one variable, or undefined when it is not set. */
export function getPoolVar(pool: PoolState, key: string): number | string | boolean | undefined {
  switch (key) {
    case "size":
      return pool.size;
    case "min_size":
      return pool.minSize;
    case "pg_num":
    case "pgp_num":
      return pool.pgNum;
    case "crush_rule":
      return "replicated_rule";
    case "pg_autoscale_mode":
      return pool.autoscaleMode;
    case "erasure_code_profile":
      return undefined;
    default:
      if (BOOL_FLAGS.includes(key)) return (pool.flags & POOL_FLAG[key]!) !== 0;
      if (key in pool.extra) return pool.extra[key];
      if (key in pool.options) return pool.options[key];
      if (
        [
          "hit_set_period",
          "hit_set_count",
          "target_max_objects",
          "target_max_bytes",
          "cache_min_flush_age",
          "cache_min_evict_age",
          "min_read_recency_for_promote",
          "min_write_recency_for_promote",
          "hit_set_grade_decay_rate",
          "hit_set_search_last_n",
        ].includes(key)
      )
        return 0;
      if (key === "fast_read" || key === "use_gmt_hitset") return key === "use_gmt_hitset";
      return undefined;
  }
}

export const POOL_GET_ALL = [
  "size",
  "min_size",
  "pg_num",
  "pgp_num",
  "crush_rule",
  "hashpspool",
  "nodelete",
  "nopgchange",
  "nosizechange",
  "write_fadvise_dontneed",
  "noscrub",
  "nodeep-scrub",
  "use_gmt_hitset",
  "fast_read",
  "pg_autoscale_mode",
];

export function setQuota(state: SimState, pool: PoolState, field: string, val: string): OpResult {
  if (!INT.test(val) || Number(val) < 0) return fail(-22, `error parsing value '${val}'`);
  if (field === "max_bytes") pool.quotaMaxBytes = Number(val);
  else pool.quotaMaxObjects = Number(val);
  poolChanged(state, pool);
  return ok(`set-quota ${field} = ${val} for pool ${pool.name}`);
}

export function enableApplication(state: SimState, pool: PoolState, app: string): OpResult {
  if (!(app in pool.application)) {
    pool.application[app] = {};
    poolChanged(state, pool);
  }
  return ok(`enabled application '${app}' on pool '${pool.name}'`);
}

/**
 * Fills a pool so that its %USED (as `ceph df` computes it) becomes `percent`: at 100 the OSDs
 * under it reach the full ratio.
 */
export function fillPool(state: SimState, pool: PoolState, percent: number): void {
  let otherRaw = 0;
  let osdCount = 0;
  for (const o of state.existingOsds()) if (!o.isNew) osdCount += 1;
  for (const p of state.pools.values()) {
    if (p !== pool) for (const pg of p.pgs) otherRaw += pg.numBytes * p.size;
  }
  const total = osdCount * OSD_BYTES;
  const room = Math.max(0, total * 0.95 - otherRaw - osdCount * 2 ** 30);
  const targetRaw = (percent / 100) * room;
  const bytes = Math.round(targetRaw / pool.size);
  const current = pool.pgs.reduce((s, pg) => s + pg.numBytes, 0);
  for (const pg of pool.pgs) {
    const share = current > 0 ? pg.numBytes / current : 1 / pool.pgs.length;
    pg.numBytes = Math.round(bytes * share);
    pg.numObjects = Math.ceil(pg.numBytes / OBJECT_SIZE);
    pg.frag = undefined;
  }
  state.pgmapDirty = true;
  state.pgmapChanged = true;
}
