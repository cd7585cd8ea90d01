// From what the mon and mgr answer (`osd dump`, `pg dump`, ... with format json) to what a module's
// get(NAME) returns inside a real ceph-mgr (the fixtures under shared/fixtures/ceph-16.2.15/mgr-get).
// Two differences recur: the mgr hands Python floats where the mon's JSON writer prints "1" for 1.0,
// and a few views are cut from or built over one dump (pg_summary, osd_stats, io_rate, ... from
// `pg dump`). 64-bit integers (feature masks) must keep every digit, so the big dumps stay text.
import { rawNumber, stringifyCeph } from "../_json.ts";
import type { LogEntry } from "../types.ts";
import type { RawLogEntry } from "./transport.ts";

/** Keys whose numbers the real mgr hands over as floats, per data name (found in the real answers). */
export const FLOAT_KEYS = {
  osd_map: [
    "full_ratio",
    "backfillfull_ratio",
    "nearfull_ratio",
    "weight",
    "primary_affinity",
    "laggy_probability",
    "target_size_ratio",
    "compression_required_ratio",
  ],
  osd_map_tree: ["crush_weight", "reweight", "primary_affinity"],
  df: ["percent_used", "total_used_raw_ratio"],
  pg_dump: ["commit_latency_ms", "apply_latency_ms"],
  osd_ping_times: ["1min", "5min", "15min", "last"],
  pg_status: ["degraded_ratio", "misplaced_ratio", "unfound_ratio"],
} as const;

const floatPatterns = new Map<string, RegExp>();

/**
 * Writes integral numbers under `keys` as floats ("weight":1 → "weight":1.0), on the text itself:
 * nothing else is re-encoded, so 64-bit integers elsewhere keep every digit. A key inside a
 * string value appears with escaped quotes (\"weight\":1) and is left alone.
 */
export function floatify(text: string, keys: readonly string[]): string {
  const id = keys.join("|");
  let re = floatPatterns.get(id);
  if (!re) {
    re = new RegExp(`(?<!\\\\)"(${keys.map(escapeRegExp).join("|")})":(\\s*-?\\d+)(?=\\s*[,}\\]])`, "g");
    floatPatterns.set(id, re);
  }
  return text.replace(re, '"$1":$2.0');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// A decimal integer of 16+ digits that is not part of a float, i.e. one that may not fit a double.
const SIXTEEN_DIGITS = /\d{16}/;
const BIG_INT_HINT = /(?<![.\deE+-])\d{16,}(?![.\deE])/;
const BIG_INT_TOKENS = /"(?:[^"\\]|\\.)*"|(?<![.\deE+-])-?\d{16,}(?![.\deE])/g;

export interface Parsed<T> {
  value: T;
  /** true when some integer did not fit a double and is carried as a raw mark (see rawNumber) */
  bigInts: boolean;
}

/** JSON.parse, except that integers beyond 2^53 survive (as _json.ts raw marks). */
export function parseExact<T = unknown>(text: string): Parsed<T> {
  // the plain scan is ~10× cheaper than the one with lookarounds, and usually finds nothing
  if (!SIXTEEN_DIGITS.test(text) || !BIG_INT_HINT.test(text)) return { value: JSON.parse(text) as T, bigInts: false };
  let bigInts = false;
  const marked = text.replace(BIG_INT_TOKENS, (tok) => {
    if (tok.charCodeAt(0) === 34 || Number.isSafeInteger(Number(tok))) return tok;
    bigInts = true;
    return JSON.stringify(rawNumber(tok));
  });
  return { value: JSON.parse(marked) as T, bigInts };
}

/** Compact JSON with the given float keys; raw marks (big integers) written back as digits. */
export function serialize(value: unknown, floatKeys: readonly string[] = [], bigInts = false): string {
  if (bigInts) return stringifyCeph(value, new Set(floatKeys));
  const text = JSON.stringify(value);
  return floatKeys.length ? floatify(text, floatKeys) : text;
}

/** A new object with `order`'s keys first (those present), then the rest in their own order. */
export function ordered<T extends Record<string, unknown>>(obj: T, order: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out as T;
}

// ---- the OSDMap family: the mon's dumps, floats fixed ----

export const osdMapText = (osdDump: string): string => floatify(osdDump.trim(), FLOAT_KEYS.osd_map);
export const osdTreeText = (osdTree: string): string => floatify(osdTree.trim(), FLOAT_KEYS.osd_map_tree);
export const dfText = (dfDetail: string): string => floatify(dfDetail.trim(), FLOAT_KEYS.df);

// ---- the MonMap: the mgr's field order, no quorum (that lives in mon_status) ----

const MON_MAP_ORDER = [
  "epoch",
  "min_mon_release",
  "min_mon_release_name",
  "election_strategy",
  "stretch_mode",
  "tiebreaker_mon",
  "features",
  "mons",
  "fsid",
  "modified",
  "created",
  "disallowed_leaders: ",
  "removed_ranks: ",
];
const MON_ORDER = ["rank", "name", "public_addrs", "priority", "weight", "addr", "public_addr", "crush_location"];
const ADDR_ORDER = ["type", "nonce", "addr"];

export function monMapText(monDump: string): string {
  const { quorum: _q, ...map } = JSON.parse(monDump) as Record<string, unknown>;
  const mons = ((map.mons as Record<string, unknown>[]) ?? []).map((m) => {
    const pa = m.public_addrs as { addrvec?: Record<string, unknown>[] } | undefined;
    const addrvec = pa?.addrvec?.map((a) => ordered(a, ADDR_ORDER));
    return ordered(addrvec ? { ...m, public_addrs: { ...pa, addrvec } } : m, MON_ORDER);
  });
  return JSON.stringify(ordered({ ...map, mons }, MON_MAP_ORDER));
}

// ---- daemon metadata: the mon's lists, keyed as the mgr keys them ----

export type Metadata = Record<string, string>;

/** `osd metadata` / `mon metadata` / ... (a list) → {id: {hostname, ...}} without the id field. */
export function keyedMetadata(list: string, idKey: "id" | "name"): Map<string, Metadata> {
  const out = new Map<string, Metadata>();
  const entries = JSON.parse(list) as Record<string, unknown>[];
  if (!Array.isArray(entries)) return out;
  for (const e of entries) {
    const id = e[idKey];
    if (id === undefined) continue;
    const meta: Metadata = { hostname: String(e.hostname ?? "") };
    for (const [k, v] of Object.entries(e)) {
      if (k === idKey || k === "hostname") continue;
      meta[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    out.set(String(id), Object.freeze(meta));
  }
  return out;
}

export function metadataText(map: ReadonlyMap<string, Metadata>): string {
  const parts: string[] = [];
  for (const [id, meta] of map) parts.push(`${JSON.stringify(id)}:${JSON.stringify(meta)}`);
  return `{${parts.join(",")}}`;
}

// ---- the service map: {epoch, services, modified} ----

export function serviceMapText(serviceDump: string): string {
  const { value, bigInts } = parseExact<Record<string, unknown>>(serviceDump);
  return serialize(ordered(value, ["epoch", "services", "modified"]), [], bigInts);
}

// ---- the PGMap family, all from one `pg dump` (plus the pgmap digest of `status`) ----

interface PgStat {
  pgid: string;
  state: string;
  reported_epoch: number;
  acting?: number[];
  stat_sum?: { num_bytes?: number; num_bytes_recovered?: number };
  [k: string]: unknown;
}

interface OsdStat {
  osd: number;
  network_ping_times?: unknown[];
  [k: string]: unknown;
}

interface PgMapDump {
  version?: number;
  stamp?: string;
  pg_stats_sum?: unknown;
  pg_stats_delta?: unknown;
  pg_stats?: PgStat[];
  pool_stats?: unknown[];
  osd_stats?: OsdStat[];
  pool_statfs?: unknown[];
  [k: string]: unknown;
}

/** The mgr's order of a pg_stats entry (its formatter writes the streamed fields last). */
const PG_STAT_ORDER = [
  "reported_seq",
  "reported_epoch",
  "state",
  "mapping_epoch",
  "created",
  "last_epoch_clean",
  "parent_split_bits",
  "log_size",
  "ondisk_log_size",
  "stats_invalid",
  "dirty_stats_invalid",
  "omap_stats_invalid",
  "hitset_stats_invalid",
  "hitset_bytes_stats_invalid",
  "pin_stats_invalid",
  "manifest_stats_invalid",
  "snaptrimq_len",
  "stat_sum",
  "up",
  "acting",
  "avail_no_missing",
  "object_location_counts",
  "blocked_by",
  "up_primary",
  "acting_primary",
  "purged_snaps",
  "pgid",
  "version",
  "last_fresh",
  "last_change",
  "last_active",
  "last_peered",
  "last_clean",
  "last_became_active",
  "last_became_peered",
  "last_unstale",
  "last_undegraded",
  "last_fullsized",
  "log_start",
  "ondisk_log_start",
  "parent",
  "last_scrub",
  "last_scrub_stamp",
  "last_deep_scrub",
  "last_deep_scrub_stamp",
  "last_clean_scrub_stamp",
];
const PG_DUMP_ORDER = [
  "version",
  "last_osdmap_epoch",
  "last_pg_scan",
  "pg_stats_sum",
  "osd_stats_sum",
  "pg_stats_delta",
  "pg_stats",
  "pool_stats",
  "osd_stats",
  "pool_statfs",
  "stamp",
];

export interface PgViews {
  version: number;
  texts: Map<string, string>;
}

/** The pgmap digest in `status` (pgs_by_state, num_pgs, bytes_*, io rates while there is io). */
export type PgDigest = Record<string, unknown>;

/**
 * Every PGMap-derived name from one `pg dump` (mgr) and the latest `status` pgmap digest:
 * pg_dump, pg_stats, pool_stats, osd_stats, io_rate, pg_ready, pg_summary, pg_progress,
 * active_clean_pgs, osd_ping_times, pg_status.
 */
export function pgViews(pgDump: string, digest: PgDigest | undefined): PgViews {
  const { value: dump, bigInts } = parseExact<{ pg_ready?: boolean; pg_map?: PgMapDump }>(pgDump);
  const map: PgMapDump = dump.pg_map ?? {};
  const pgReady = dump.pg_ready ?? true;
  const pgStats = (map.pg_stats ?? []).map((pg) => ordered(pg, PG_STAT_ORDER));
  const osdStats = (map.osd_stats ?? []).map(({ network_ping_times: _n, ...o }) => o);
  const poolStatfs = map.pool_statfs ?? [];
  const ser = (v: unknown, floats: readonly string[] = []) => serialize(v, floats, bigInts);

  // Each part is written once and spliced: pg_stats (nearly all the bytes) serves pg_dump and
  // pg_stats alike, and only the small OSD parts carry floats to fix.
  const parts = new Map<string, string>();
  for (const [key, value] of Object.entries({
    ...map,
    pg_stats: pgStats,
    osd_stats: osdStats,
    pool_statfs: poolStatfs,
  })) {
    const floats = key === "osd_stats" || key === "osd_stats_sum" ? FLOAT_KEYS.pg_dump : [];
    parts.set(key, ser(value, floats));
  }
  const keys = [
    ...PG_DUMP_ORDER.filter((k) => parts.has(k)),
    ...[...parts.keys()].filter((k) => !PG_DUMP_ORDER.includes(k)),
  ];
  const texts = new Map<string, string>();
  texts.set("pg_dump", `{${keys.map((k) => `${JSON.stringify(k)}:${parts.get(k)}`).join(",")}}`);
  texts.set("pg_stats", `{"pg_stats":${parts.get("pg_stats")}}`);
  texts.set("osd_stats", `{"osd_stats":${parts.get("osd_stats")},"pool_statfs":${parts.get("pool_statfs")}}`);
  texts.set("pool_stats", ser({ pool_stats: map.pool_stats ?? [] }));
  texts.set("io_rate", ser({ pg_stats_delta: map.pg_stats_delta ?? {} }));
  texts.set("pg_ready", JSON.stringify({ pg_ready: pgReady }));
  texts.set("pg_summary", ser(pgSummary(pgStats, map.pg_stats_sum)));
  texts.set("pg_progress", pgProgress(pgStats, pgReady));
  texts.set("active_clean_pgs", activeCleanPgs(pgStats));
  const pings = (map.osd_stats ?? []).map((o) => ({ osd: o.osd, network_ping_times: o.network_ping_times ?? [] }));
  texts.set("osd_ping_times", ser({ osd_ping_times: pings }, FLOAT_KEYS.osd_ping_times));
  texts.set("pg_status", ser(pgStatus(pgStats, digest), FLOAT_KEYS.pg_status));
  return { version: Number(map.version ?? 0), texts };
}

function bump(counts: Record<string, Record<string, number>>, key: string, state: string): void {
  const c = (counts[key] ??= {});
  c[state] = (c[state] ?? 0) + 1;
}

/** {by_osd, by_pool, all, pg_stats_sum}: PG states counted per acting OSD, per pool and overall. */
function pgSummary(pgStats: readonly PgStat[], sum: unknown) {
  const byOsd: Record<string, Record<string, number>> = {};
  const byPool: Record<string, Record<string, number>> = {};
  const all: Record<string, number> = {};
  for (const pg of pgStats) {
    bump(byPool, pg.pgid.slice(0, pg.pgid.indexOf(".")), pg.state);
    for (const osd of pg.acting ?? []) bump(byOsd, String(osd), pg.state);
    all[pg.state] = (all[pg.state] ?? 0) + 1;
  }
  return { by_osd: byOsd, by_pool: byPool, all, pg_stats_sum: sum ?? {} };
}

function pgProgress(pgStats: readonly PgStat[], pgReady: boolean): string {
  const parts = pgStats.map(
    (pg) =>
      `${JSON.stringify(pg.pgid)}:{"num_bytes_recovered":${pg.stat_sum?.num_bytes_recovered ?? 0},"num_bytes":${pg.stat_sum?.num_bytes ?? 0},` +
      `"reported_epoch":${pg.reported_epoch},"state":${JSON.stringify(pg.state)}}`,
  );
  return `{"pgs":{${parts.join(",")}},"pg_ready":${pgReady}}`;
}

function activeCleanPgs(pgStats: readonly PgStat[]): string {
  const parts: string[] = [];
  for (const pg of pgStats) {
    if (pg.state !== "active+clean") continue;
    parts.push(`{"pgid":${JSON.stringify(pg.pgid)},"state":"active+clean","reported_epoch":${pg.reported_epoch}}`);
  }
  return `{"pg_stats":[${parts.join(",")}],"total_num_pgs":${pgStats.length}}`;
}

/** The pgmap digest as `status` prints it, with pgs_by_pool_state in front (the mgr's pg_status). */
function pgStatus(pgStats: readonly PgStat[], digest: PgDigest | undefined) {
  const byPool = new Map<string, Map<string, number>>();
  for (const pg of pgStats) {
    const pool = pg.pgid.slice(0, pg.pgid.indexOf("."));
    let states = byPool.get(pool);
    if (!states) byPool.set(pool, (states = new Map()));
    states.set(pg.state, (states.get(pg.state) ?? 0) + 1);
  }
  const pgsByPoolState = [...byPool].map(([pool, states]) => ({
    pool_id: Number(pool),
    pg_state_counts: [...states].map(([state_name, count]) => ({ state_name, count })),
  }));
  if (digest) return { pgs_by_pool_state: pgsByPoolState, ...digest };
  // no `status` yet: the same digest, counted from the PGs
  const all = new Map<string, number>();
  for (const pg of pgStats) all.set(pg.state, (all.get(pg.state) ?? 0) + 1);
  return {
    pgs_by_pool_state: pgsByPoolState,
    pgs_by_state: [...all].map(([state_name, count]) => ({ state_name, count })),
    num_pgs: pgStats.length,
  };
}

// ---- the cluster log ----

/** "v2:127.0.0.1:3300/0" → {type, nonce, addr}; a bare address is type "any" (Ceph's print of it). */
function parseAddr(s: string): { type: string; nonce: number; addr: string } {
  const m = /^(?:(v1|v2|any):)?(.*?)(?:\/(\d+))?$/.exec(s.trim())!;
  return { type: m[1] ?? "any", nonce: Number(m[3] ?? 0), addr: m[2] ?? "" };
}

/** utime_t as Ceph prints it, from seconds and nanoseconds: "2026-11-26T04:31:47.558943+0000". */
export function stampOf(sec: number, nsec: number): string {
  const iso = new Date(sec * 1000).toISOString(); // 2026-11-26T04:31:47.000Z
  return `${iso.slice(0, 19)}.${String(Math.floor(nsec / 1000)).padStart(6, "0")}+0000`;
}

/** librados' monitor_log2 fields → the LogEntry dict a module's notify("clog", entry) receives. */
export function logEntry(raw: RawLogEntry): LogEntry {
  // who: "mon.0 [v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]" or "client.? 127.0.0.1:0/1110"
  const space = raw.who.indexOf(" ");
  const rank = space < 0 ? raw.who : raw.who.slice(0, space);
  const addrText = space < 0 ? "" : raw.who.slice(space + 1).replace(/^\[|\]$/g, "");
  const addrvec = addrText ? addrText.split(",").map(parseAddr) : [];
  return {
    addrs: { addrvec },
    seq: raw.seq,
    channel: raw.channel,
    message: raw.message,
    name: raw.name,
    rank,
    stamp: stampOf(raw.sec, raw.nsec),
    priority: raw.priority,
  };
}
