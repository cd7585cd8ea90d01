// The data names `get()` serves, each bound to its renderer, and the groups of names one kind of
// change invalidates (every pgmap change touches the same dozen views).
import { mdsMetadata } from "./daemon-ops.ts";
import { stringifyCeph } from "../_json.ts";
import {
  deviceObject,
  devicesObject,
  fsMapObject,
  monMapObject,
  renderConfigOptions,
  renderMgrMap,
  renderModifiedOptions,
  renderMonStatus,
  serviceMapObject,
} from "./maps.ts";
import type { PgState } from "./model.ts";
import { renderCrush, renderOsdMap, renderOsdTree } from "./osdmap.ts";
import { dfObject, osdPoolStatsObject, pgStatusObject } from "./pgmap-status.ts";
import {
  renderActiveCleanPgs,
  renderIoRate,
  renderOsdPingTimes,
  renderOsdStats,
  renderPgDump,
  renderPgProgress,
  renderPgStats,
  renderPgSummary,
  renderPoolStats,
} from "./pgmap.ts";
import type { Renderer } from "./published.ts";
import type { SimState } from "./state.ts";

/** Names whose content derives from the PGMap. */
export const PGMAP_NAMES = [
  "pg_summary",
  "pg_status",
  "pg_dump",
  "pg_stats",
  "pool_stats",
  "osd_stats",
  "df",
  "io_rate",
  "pg_progress",
  "active_clean_pgs",
  "osd_pool_stats",
  "osd_ping_times",
] as const;

function osdMetadataJson(state: SimState): string {
  const parts: string[] = [];
  const ids = new Set<number>();
  for (const o of state.existingOsds()) {
    if (!o.metadata) continue;
    o.metaFrag ??= JSON.stringify(o.metadata);
    parts.push(`"${o.id}":${o.metaFrag}`);
    ids.add(o.id);
  }
  // A purged OSD's metadata stays until the mgr culls it.
  for (const [key, l] of state.lingeringMetadata) {
    const id = Number(key.slice(4));
    if (!ids.has(id)) parts.push(`"${id}":${JSON.stringify(l.metadata)}`);
  }
  return `{${parts.join(",")}}`;
}

export function renderers(state: SimState): Map<string, Renderer> {
  const table: [string, Renderer][] = [
    ["osd_map", () => renderOsdMap(state)],
    ["osd_map_tree", () => renderOsdTree(state)],
    ["osd_map_crush", () => renderCrush(state)],
    // The real mgr hands over the binary crush map as a C string: it ends at the first NUL byte.
    ["osdmap_crush_map_text", () => `""`],
    ["osd_metadata", () => osdMetadataJson(state)],
    [
      "mds_metadata",
      () => JSON.stringify(Object.fromEntries([...state.mdsDaemons.keys()].map((n) => [n, mdsMetadata(state, n)]))),
    ],
    ["pg_summary", () => renderPgSummary(state)],
    ["pg_status", () => stringifyCeph(pgStatusObject(state))],
    ["pg_dump", () => renderPgDump(state)],
    ["pg_stats", () => renderPgStats(state)],
    ["pool_stats", () => renderPoolStats(state)],
    ["osd_pool_stats", () => stringifyCeph({ pool_stats: osdPoolStatsObject(state) })],
    ["osd_stats", () => renderOsdStats(state)],
    ["osd_ping_times", () => renderOsdPingTimes(state)],
    ["df", () => stringifyCeph(dfObject(state, true))],
    ["io_rate", () => renderIoRate(state)],
    ["pg_ready", () => `{"pg_ready":true}`],
    ["pg_progress", () => renderPgProgress(state)],
    ["active_clean_pgs", () => renderActiveCleanPgs(state)],
    ["health", () => JSON.stringify({ json: state.healthJson })],
    ["mon_status", () => renderMonStatus(state)],
    ["mon_map", () => JSON.stringify(monMapObject(state))],
    ["fs_map", () => stringifyCeph(fsMapObject(state), new Set())],
    ["mgr_map", () => renderMgrMap(state)],
    ["service_map", () => JSON.stringify(serviceMapObject(state))],
    ["config", () => JSON.stringify(state.mgrConfig)],
    ["config_options", () => renderConfigOptions()],
    ["modified_config_options", () => renderModifiedOptions(state)],
    ["devices", () => JSON.stringify(devicesObject(state))],
    ["mgr_ips", () => JSON.stringify({ ips: [state.hosts[0]!.ip] })],
    ["have_local_config_map", () => `{"have_local_config_map":true}`],
  ];
  return new Map(table);
}

/**
 * Cheap fingerprints of views that a pgmap change often leaves as they were (io moves counters
 * they do not show): the name is only bumped when its fingerprint changes.
 */
export const CONTENT_KEYS: ReadonlyMap<string, (state: SimState) => string> = new Map([
  [
    "active_clean_pgs",
    (state: SimState) => pgFingerprint(state, (pg) => (pg.state === "active+clean" ? [1, pg.reportedEpoch] : [0])),
  ],
  [
    "pg_progress",
    (state: SimState) => pgFingerprint(state, (pg) => [pg.flags, pg.reportedEpoch, pg.numBytes, pg.numBytesRecovered]),
  ],
]);

function pgFingerprint(state: SimState, fields: (pg: PgState) => number[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  let n = 0;
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      n += 1;
      a = Math.imul(a ^ pg.pool, 0x01000193) ^ pg.ps;
      for (const v of fields(pg)) {
        a = Math.imul(a ^ (v | 0), 0x01000193);
        b = Math.imul(b ^ ((v / 4294967296) | 0) ^ (v | 0), 0x5bd1e995) + n;
      }
    }
  }
  return `${n}:${a >>> 0}:${b >>> 0}`;
}

/** get("device <devid>"): {"device": {...}}, or undefined for an unknown device. */
export function renderDevice(state: SimState, devid: string): string | undefined {
  const device = deviceObject(state, devid);
  return device ? JSON.stringify({ device }) : undefined;
}
