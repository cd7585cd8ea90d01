// Renders the PGMap views (pg_dump, pg_stats, pool_stats, osd_stats, pg_summary, io_rate, ...).
// PG fragments are cached per PG, so a tick that touched 50 PGs re-renders 50, then joins.
import { OSD_OVERHEAD_BYTES } from "./constants.ts";
import { ctimeStamp, fl, flat, q, secondsFixed } from "../_json.ts";
import type { OsdState, PgState, PoolState } from "./model.ts";
import { heartbeatPeers } from "./pgstate.ts";
import type { SimState } from "./state.ts";
import { STAT, STORE_STATS_ZERO, aggregate, emptyStats, pgStatVec, statSumJson, type PgmapAggregate } from "./stats.ts";

function pgFragment(pg: PgState, pool: PoolState): string {
  if (pg.frag) return pg.frag;
  const version = `${pg.versionEpoch}'${pg.versionV}`;
  pg.frag = flat(
    `{"reported_seq":${pg.reportedSeq},"reported_epoch":${pg.reportedEpoch},"state":"${pg.state}",` +
      `"mapping_epoch":${pg.mappingEpoch},"created":${pg.created},"last_epoch_clean":${pg.lastEpochClean},` +
      `"parent_split_bits":${pg.parentSplitBits},"log_size":${pg.logSize},"ondisk_log_size":${pg.logSize},` +
      `"stats_invalid":false,"dirty_stats_invalid":false,"omap_stats_invalid":false,"hitset_stats_invalid":false,` +
      `"hitset_bytes_stats_invalid":false,"pin_stats_invalid":false,"manifest_stats_invalid":false,` +
      `"snaptrimq_len":0,"stat_sum":${statSumJson(pgStatVec(pg, pool.size))},"up":[${pg.up.join(",")}],` +
      `"acting":[${pg.acting.join(",")}],"avail_no_missing":[],"object_location_counts":[],"blocked_by":[],` +
      `"up_primary":${pg.up[0] ?? -1},"acting_primary":${pg.acting[0] ?? -1},"purged_snaps":[],` +
      `"pgid":"${pg.pgid}","version":"${version}","last_fresh":"${pg.lastFresh}","last_change":"${pg.lastChange}",` +
      `"last_active":"${pg.lastActive}","last_peered":"${pg.lastPeered}","last_clean":"${pg.lastClean}",` +
      `"last_became_active":"${pg.lastBecameActive}","last_became_peered":"${pg.lastBecamePeered}",` +
      `"last_unstale":"${pg.lastUnstale}","last_undegraded":"${pg.lastUndegraded}",` +
      `"last_fullsized":"${pg.lastFullsized}","log_start":"0'0","ondisk_log_start":"0'0","parent":"0.0",` +
      `"last_scrub":"${pg.lastScrub}","last_scrub_stamp":"${pg.lastScrubStamp}",` +
      `"last_deep_scrub":"${pg.lastDeepScrub}","last_deep_scrub_stamp":"${pg.lastDeepScrubStamp}",` +
      `"last_clean_scrub_stamp":"${pg.lastCleanScrubStamp}"}`,
  );
  return pg.frag;
}

export function pgStatsArray(state: SimState): string {
  const parts: string[] = [];
  for (const pool of state.pools.values()) for (const pg of pool.pgs) parts.push(pgFragment(pg, pool));
  return `[${parts.join(",")}]`;
}

function sumTail(sum: number[], logSize: number, up: number, acting: number): string {
  return (
    `"stat_sum":${statSumJson(sum)},"store_stats":${STORE_STATS_ZERO},"log_size":${logSize},` +
    `"ondisk_log_size":${logSize},"up":${up},"acting":${acting},"num_store_stats":0`
  );
}

function poolStatsArray(agg: PgmapAggregate): string {
  return `[${agg.pools
    .map((p) => `{"poolid":${p.pool.id},"num_pg":${p.pool.pgs.length},${sumTail(p.sum, p.logSize, p.up, p.acting)}}`)
    .join(",")}]`;
}

/** Latency an OSD reports this tick: small, jittery, 0 when down. */
function latencyMs(state: SimState, o: OsdState): number {
  if (!o.up) return 0;
  return (o.id * 7 + state.tick * 13) % 11;
}

function osdStatBody(kb: number, kbUsed: number, kbData: number, hbPeers: readonly number[], latency: number): string {
  const total = kb * 1024;
  const used = kbUsed * 1024;
  return (
    `"num_per_pool_osds":1,"num_per_pool_omap_osds":1,"kb":${kb},"kb_used":${kbUsed},"kb_used_data":${kbData},` +
    `"kb_used_omap":0,"kb_used_meta":${kbUsed - kbData},"kb_avail":${kb - kbUsed},` +
    `"statfs":{"total":${total},"available":${total - used},"internally_reserved":0,"allocated":${kbData * 1024},` +
    `"data_stored":${kbData * 1024},"data_compressed":0,"data_compressed_allocated":0,` +
    `"data_compressed_original":0,"omap_allocated":0,"internal_metadata":${used - kbData * 1024}},` +
    `"hb_peers":[${hbPeers.join(",")}],"snap_trim_queue_len":0,"num_snap_trimming":0,"num_shards_repaired":0,` +
    `"op_queue_age_hist":{"histogram":[],"upper_bound":1},"perf_stat":{"commit_latency_ms":${fl(latency)},` +
    `"apply_latency_ms":${fl(latency)},"commit_latency_ns":${latency * 1e6},"apply_latency_ns":${latency * 1e6}},` +
    `"alerts":[]`
  );
}

/** Space holding object data (the rest of kb_used is BlueStore's own). */
const dataKb = (o: OsdState) => Math.max(0, o.kbUsed - OSD_OVERHEAD_BYTES / 1024);

/** osd_stats[]; the mon's `pg dump` also carries each OSD's network_ping_times. */
function osdStatsArray(state: SimState, withPing = false): string {
  const parts: string[] = [];
  const ctime = withPing ? ctimeStamp(state.nowMs) : "";
  const peers = heartbeatPeers(state);
  for (const o of state.existingOsds()) {
    if (o.isNew) continue;
    const data = dataKb(o);
    // osd_stat seq: the boot epoch in the high word, reports since boot in the low one.
    const seq = o.upFrom * 4294967296 + Math.max(1, (o.up ? state.tick : o.lastReportTick) - o.bootTick + 1);
    parts.push(
      `{"osd":${o.id},"up_from":${o.upFrom},"seq":${seq},"num_pgs":${o.numPgs},"num_osds":1,` +
        osdStatBody(o.kb, o.kbUsed, data, peers.get(o.id) ?? [], latencyMs(state, o)) +
        (withPing ? `,"network_ping_times":${pingTimes(state, o, peers.get(o.id) ?? [], ctime)}}` : "}"),
    );
  }
  return `[${parts.join(",")}]`;
}

function osdStatsSum(agg: PgmapAggregate): string {
  const data = Math.min(agg.kbUsed, agg.kbUsedData);
  return (
    `{"up_from":0,"seq":0,"num_pgs":${agg.acting},"num_osds":${agg.numOsds},` +
    osdStatBody(agg.kb, agg.kbUsed, data, [], 0).replace(
      `"num_per_pool_osds":1,"num_per_pool_omap_osds":1`,
      `"num_per_pool_osds":${agg.numOsds},"num_per_pool_omap_osds":${agg.numOsds}`,
    ) +
    `,"network_ping_times":[]}`
  );
}

function deltaJson(state: SimState): string {
  const d = state.ioDelta;
  const v = emptyStats();
  v[STAT.read] = d.rdOps;
  v[STAT.readKb] = d.rdKb;
  v[STAT.write] = d.wrOps;
  v[STAT.writeKb] = d.wrKb;
  v[STAT.bytes] = d.bytes;
  v[STAT.objects] = d.objects;
  v[STAT.dirty] = d.objects;
  v[STAT.recovered] = d.recoveredObjects;
  v[STAT.bytesRecovered] = d.recoveredBytes;
  return `{${sumTail(v, 0, 0, 0)},"stamp_delta":"${secondsFixed(state.lastTickSeconds)}"}`;
}

export function renderPgDump(state: SimState, withPing = false): string {
  const agg = aggregate(state);
  return (
    `{"version":${state.pgmapVersion},"last_osdmap_epoch":0,"last_pg_scan":0,` +
    `"pg_stats_sum":{${sumTail(agg.total, agg.logSize, agg.up, agg.acting)}},"osd_stats_sum":${osdStatsSum(agg)},` +
    `"pg_stats_delta":${deltaJson(state)},"pg_stats":${pgStatsArray(state)},"pool_stats":${poolStatsArray(agg)},` +
    `"osd_stats":${osdStatsArray(state, withPing)},"pool_statfs":[],"stamp":"${state.pgmapStamp}"}`
  );
}

export const renderPgStats = (state: SimState) => `{"pg_stats":${pgStatsArray(state)}}`;
export const renderPoolStats = (state: SimState) => `{"pool_stats":${poolStatsArray(aggregate(state))}}`;
export const renderOsdStats = (state: SimState) => `{"osd_stats":${osdStatsArray(state)},"pool_statfs":[]}`;
export const renderIoRate = (state: SimState) => `{"pg_stats_delta":${deltaJson(state)}}`;

const countsObject = (m: Map<string, number>) => `{${[...m].map(([k, n]) => `${q(k)}:${n}`).join(",")}}`;

export function renderPgSummary(state: SimState): string {
  const agg = aggregate(state);
  const byOsd = [...agg.byOsd].sort((a, b) => a[0] - b[0]).map(([o, m]) => `"${o}":${countsObject(m)}`);
  const byPool = agg.pools.map((p) => `"${p.pool.id}":${countsObject(p.byState)}`);
  return (
    `{"by_osd":{${byOsd.join(",")}},"by_pool":{${byPool.join(",")}},"all":${countsObject(agg.byState)},` +
    `"pg_stats_sum":{${sumTail(agg.total, agg.logSize, agg.up, agg.acting)}}}`
  );
}

export function renderPgProgress(state: SimState): string {
  const parts: string[] = [];
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      parts.push(
        `"${pg.pgid}":{"num_bytes_recovered":${pg.numBytesRecovered},"num_bytes":${pg.numBytes},` +
          `"reported_epoch":${pg.reportedEpoch},"state":"${pg.state}"}`,
      );
    }
  }
  return `{"pgs":{${parts.join(",")}},"pg_ready":true}`;
}

export function renderActiveCleanPgs(state: SimState): string {
  const parts: string[] = [];
  let total = 0;
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      total += 1;
      if (pg.state === "active+clean") {
        parts.push(`{"pgid":"${pg.pgid}","state":"${pg.state}","reported_epoch":${pg.reportedEpoch}}`);
      }
    }
  }
  return `{"pg_stats":[${parts.join(",")}],"total_num_pgs":${total}}`;
}

/** One OSD's network_ping_times: the heartbeat round trips it sees to each peer (ms). */
function pingTimes(state: SimState, o: OsdState, hbPeers: readonly number[], ctime: string): string {
  const ms = (a: number, b: number, k: number) =>
    Math.round(((((a * 31 + b * 17 + k * 7 + state.tick) % 97) + 20) / 100) * 1000) / 1000;
  const iface = (name: string, a: number, b: number) =>
    `{"interface":"${name}","average":{"1min":${fl(ms(a, b, 1))},"5min":${fl(ms(a, b, 2))},"15min":${fl(ms(a, b, 3))}},` +
    `"min":{"1min":${fl(ms(a, b, 4) / 2)},"5min":${fl(ms(a, b, 5) / 2)},"15min":${fl(ms(a, b, 6) / 2)}},` +
    `"max":{"1min":${fl(ms(a, b, 7) * 2)},"5min":${fl(ms(a, b, 8) * 2)},"15min":${fl(ms(a, b, 9) * 4)}},` +
    `"last":${fl(ms(a, b, 10))}}`;
  if (!o.up) return "[]";
  const peers = hbPeers.map(
    (p) => `{"osd":${p},"last update":"${ctime}","interfaces":[${iface("back", o.id, p)},${iface("front", p, o.id)}]}`,
  );
  return `[${peers.join(",")}]`;
}

/** get("osd_ping_times"): heartbeat round trips each up OSD sees to its peers. */
export function renderOsdPingTimes(state: SimState): string {
  const ctime = ctimeStamp(state.nowMs);
  const parts: string[] = [];
  const peers = heartbeatPeers(state);
  for (const o of state.existingOsds()) {
    const mine = peers.get(o.id);
    if (!o.up || !mine?.length) continue;
    parts.push(`{"osd":${o.id},"network_ping_times":${pingTimes(state, o, mine, ctime)}}`);
  }
  return `{"osd_ping_times":[${parts.join(",")}]}`;
}
