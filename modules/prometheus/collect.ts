// What the exporter publishes, one collector per section of the cache. Metric names follow
// Ceph Pacific's prometheus module (ceph_health_status, ceph_osd_up, ceph_pool_*, ceph_pg_*,
// perf counters as ceph_<path> with a ceph_daemon label), so existing dashboards and alerts work.
//
// Every collector copes with partial data: maps that disagree (an OSD without metadata, a pool
// in df but not yet in the osd_map), a missing structure, a daemon without counters. It
// publishes what it can rather than nothing.
import type { MgrModule } from "@tsmgr/sdk";
import { Exposition, promethize } from "./exposition.ts";

/** The accessors a collector reads from: the module itself. */
export type Source = Pick<MgrModule, "get" | "getMetadata" | "getPerfSchema" | "getLatestCounter">;

// The OSDs' metadata is read from get("osd_metadata") (one snapshot per change) rather than by
// getMetadata() per OSD: on a cluster of thousands of OSDs that is thousands of calls saved.

export type Section = "health" | "osd" | "mon" | "pg" | "perf";

export interface CollectOptions {
  /** perf counters below this priority are left out (Ceph's PRIO_USEFUL is 5) */
  perfPriority: number;
  /** called once per daemon: lets the module yield now and then on big clusters */
  pause: () => Promise<void>;
}

const HEALTH_STATUS: Record<string, number> = { HEALTH_OK: 0, HEALTH_WARN: 1, HEALTH_ERR: 2 };
const OSD_FLAGS = [
  "noup",
  "nodown",
  "noout",
  "noin",
  "nobackfill",
  "norebalance",
  "norecover",
  "noscrub",
  "nodeep-scrub",
];
/** df's per-pool numbers exported as ceph_pool_<name>{pool_id} (Ceph's DF_POOL). */
const DF_POOL = [
  "max_avail",
  "avail_raw",
  "stored",
  "stored_raw",
  "objects",
  "dirty",
  "quota_bytes",
  "quota_objects",
  "rd",
  "rd_bytes",
  "wr",
  "wr_bytes",
  "compress_bytes_used",
  "compress_under_bytes",
  "bytes_used",
  "percent_used",
];
const DF_POOL_COUNTERS = new Set(["rd", "rd_bytes", "wr", "wr_bytes"]);
const DF_CLUSTER = ["total_bytes", "total_used_bytes", "total_used_raw_bytes"];
/** PG states, each exported as ceph_pg_<state>{pool_id} (Ceph's PG_STATES). */
const PG_STATES = [
  "active",
  "clean",
  "down",
  "recovery_unfound",
  "backfill_unfound",
  "scrubbing",
  "degraded",
  "inconsistent",
  "peering",
  "repair",
  "recovering",
  "forced_recovery",
  "backfill_wait",
  "incomplete",
  "stale",
  "remapped",
  "deep",
  "backfilling",
  "forced_backfill",
  "backfill_toofull",
  "recovery_wait",
  "recovery_toofull",
  "undersized",
  "activating",
  "peered",
  "snaptrim",
  "snaptrim_wait",
  "snaptrim_error",
  "creating",
  "unknown",
  "premerge",
  "failed_repair",
  "laggy",
  "wait",
];
// perf counter type bits (Ceph's perfcounter_type_d)
const PERF_TIME = 1;
const PERF_LONGRUNAVG = 4;
const PERF_COUNTER = 8;
const PERF_HISTOGRAM = 16;

interface OsdMap {
  flags_set?: string[];
  osds?: { osd: number; up: number; in: number; weight: number; public_addr?: string; cluster_addr?: string }[];
  pools?: {
    pool: number;
    pool_name: string;
    type: number;
    size: number;
    erasure_code_profile?: string;
    options?: Record<string, unknown>;
  }[];
}

export const COLLECTORS: Record<Section, (src: Source, e: Exposition, o: CollectOptions) => Promise<void>> = {
  async health(src, e) {
    const health = parseWrapped<{ status?: string; checks?: Record<string, { severity?: string }> }>(src.get("health"));
    const status = health?.status === undefined ? undefined : HEALTH_STATUS[health.status];
    if (status !== undefined)
      e.add(
        "ceph_health_status",
        "untyped",
        "Cluster health status (0 HEALTH_OK, 1 HEALTH_WARN, 2 HEALTH_ERR)",
        status,
      );
    for (const [name, check] of Object.entries(health?.checks ?? {})) {
      e.add("ceph_health_detail", "untyped", "Each active health check, by name and severity", 1, {
        name,
        severity: check.severity ?? "",
      });
    }
  },

  async osd(src, e, o) {
    const map = src.get<OsdMap | null>("osd_map");
    const flags = new Set(map?.flags_set ?? []);
    for (const flag of OSD_FLAGS)
      e.add(`ceph_osd_flag_${flag.replace(/-/g, "_")}`, "untyped", `OSD flag ${flag}`, flags.has(flag) ? 1 : 0);
    const classes = deviceClasses(src);
    const metadata = src.get<Record<string, Record<string, string>> | null>("osd_metadata") ?? {};
    for (const osd of map?.osds ?? []) {
      await o.pause();
      const daemon = `osd.${osd.osd}`;
      e.add("ceph_osd_up", "untyped", "OSD status up", osd.up, { ceph_daemon: daemon });
      e.add("ceph_osd_in", "untyped", "OSD status in", osd.in, { ceph_daemon: daemon });
      e.add("ceph_osd_weight", "untyped", "OSD status weight", osd.weight, { ceph_daemon: daemon });
      // An OSD created a moment ago has no metadata yet: it is up/in above, just not described.
      const m = metadata[String(osd.osd)];
      if (!m) continue;
      e.add("ceph_osd_metadata", "untyped", "OSD Metadata", 1, {
        back_iface: m.back_iface ?? "",
        ceph_daemon: daemon,
        cluster_addr: host(osd.cluster_addr),
        device_class: classes.get(osd.osd) ?? "",
        front_iface: m.front_iface ?? "",
        hostname: m.hostname ?? "",
        objectstore: m.osd_objectstore ?? "",
        public_addr: host(osd.public_addr),
        ceph_version: m.ceph_version ?? "",
      });
    }
    for (const p of map?.pools ?? []) {
      const type = p.type === 1 ? "replicated" : p.type === 3 ? "erasure" : "unknown";
      e.add("ceph_pool_metadata", "untyped", "POOL Metadata", 1, {
        pool_id: String(p.pool),
        name: p.pool_name,
        type,
        description: type === "erasure" ? `ec:${p.erasure_code_profile ?? ""}` : `replica:${p.size}`,
        compression_mode: typeof p.options?.compression_mode === "string" ? p.options.compression_mode : "none",
      });
    }
  },

  async mon(src, e) {
    const mons =
      src.get<{ mons?: { name: string; rank: number; public_addr?: string }[] } | null>("mon_map")?.mons ?? [];
    const quorum = new Set(parseWrapped<{ quorum?: number[] }>(src.get("mon_status"))?.quorum ?? []);
    for (const mon of mons) {
      const daemon = `mon.${mon.name}`;
      const m = src.getMetadata("mon", mon.name);
      e.add("ceph_mon_metadata", "untyped", "MON Metadata", 1, {
        ceph_daemon: daemon,
        hostname: m?.hostname ?? "",
        public_addr: host(mon.public_addr),
        rank: String(mon.rank),
        ceph_version: m?.ceph_version ?? "",
      });
      e.add("ceph_mon_quorum_status", "gauge", "Monitors in quorum", quorum.has(mon.rank) ? 1 : 0, {
        ceph_daemon: daemon,
      });
    }
  },

  async pg(src, e) {
    // PG states per pool, from pg_summary ("active+clean": n → active n, clean n)
    const summary = src.get<{
      by_pool?: Record<string, Record<string, number>>;
      pg_stats_sum?: { stat_sum?: Record<string, number> };
    } | null>("pg_summary");
    const poolIds = new Set<string>([
      ...(src.get<OsdMap | null>("osd_map")?.pools ?? []).map((p) => String(p.pool)),
      ...Object.keys(summary?.by_pool ?? {}),
    ]);
    for (const poolId of poolIds) {
      const counts = new Map<string, number>();
      let total = 0;
      for (const [states, n] of Object.entries(summary?.by_pool?.[poolId] ?? {})) {
        total += n;
        for (const s of states.split("+")) counts.set(s, (counts.get(s) ?? 0) + n);
      }
      for (const state of PG_STATES)
        e.add(`ceph_pg_${state}`, "gauge", `PG ${state} per pool`, counts.get(state) ?? 0, { pool_id: poolId });
      e.add("ceph_pg_total", "gauge", "PG Total Count per Pool", total, { pool_id: poolId });
    }
    const sum = summary?.pg_stats_sum?.stat_sum;
    for (const k of ["degraded", "misplaced", "unfound"]) {
      const v = sum?.[`num_objects_${k}`];
      if (typeof v === "number") e.add(`ceph_num_objects_${k}`, "gauge", `Number of ${k} objects`, v);
    }

    // capacity, cluster-wide and per pool, from df
    const df = src.get<{
      stats?: Record<string, number>;
      pools?: { id: number; stats?: Record<string, number> }[];
    } | null>("df");
    for (const k of DF_CLUSTER) {
      const v = df?.stats?.[k];
      if (typeof v === "number") e.add(`ceph_cluster_${k}`, "gauge", `DF ${k}`, v);
    }
    for (const p of df?.pools ?? []) {
      for (const k of DF_POOL) {
        const v = p.stats?.[k];
        if (typeof v === "number")
          e.add(`ceph_pool_${k}`, DF_POOL_COUNTERS.has(k) ? "counter" : "gauge", `DF pool ${k}`, v, {
            pool_id: String(p.id),
          });
      }
    }

    // per-OSD latencies, from the OSDs' own reports (osd_stats)
    const osdStats =
      src.get<{ osd_stats?: { osd: number; perf_stat?: Record<string, number> }[] } | null>("osd_stats")?.osd_stats ??
      [];
    for (const s of osdStats) {
      for (const k of ["apply_latency_ms", "commit_latency_ms"]) {
        const v = s.perf_stat?.[k];
        if (typeof v === "number") e.add(`ceph_osd_${k}`, "gauge", `OSD stat ${k}`, v, { ceph_daemon: `osd.${s.osd}` });
      }
    }
  },

  async perf(src, e, o) {
    // Every OSD that has reported (has metadata) and every mon: their counters at or above
    // the priority, the newest sample of each. This is one call per counter: the costly section.
    const metadata = src.get<Record<string, unknown> | null>("osd_metadata") ?? {};
    const daemons: [string, string][] = [];
    for (const osd of src.get<OsdMap | null>("osd_map")?.osds ?? [])
      if (metadata[String(osd.osd)]) daemons.push(["osd", String(osd.osd)]);
    for (const mon of src.get<{ mons?: { name: string }[] } | null>("mon_map")?.mons ?? [])
      daemons.push(["mon", mon.name]);
    for (const [type, id] of daemons) {
      await o.pause();
      const daemon = `${type}.${id}`;
      const schema = (src.getPerfSchema(type, id)[daemon] ?? {}) as Record<
        string,
        { type: number; priority: number; description?: string }
      >;
      for (const [path, info] of Object.entries(schema)) {
        if (info.priority < o.perfPriority || info.type & PERF_HISTOGRAM) continue;
        const sample = src.getLatestCounter(type, id, path)[path];
        if (!sample || sample.length < 2) continue; // never reported: nothing to publish
        const name = promethize(path);
        const help = info.description ?? path;
        const scale = info.type & PERF_TIME ? 1e-9 : 1; // times are kept in nanoseconds
        if (info.type & PERF_LONGRUNAVG && sample.length >= 3) {
          e.add(`${name}_sum`, "counter", help, sample[1]! * scale, { ceph_daemon: daemon });
          e.add(`${name}_count`, "counter", `${help} Count`, sample[2]!, { ceph_daemon: daemon });
        } else {
          e.add(name, info.type & PERF_COUNTER ? "counter" : "gauge", help, sample[1]! * scale, {
            ceph_daemon: daemon,
          });
        }
      }
    }
  },
};

/** Which sections a notification makes stale. */
export const STALE_ON: Record<string, Section[]> = {
  health: ["health"],
  osd_map: ["osd", "pg", "perf"],
  pg_summary: ["pg", "perf"],
  mon_map: ["mon", "perf"],
  mon_status: ["mon"],
  perf_schema_update: ["perf"],
};

/** health and mon_status are `{json: "<string>"}` as in ceph-mgr; null when missing or bad. */
function parseWrapped<T>(v: unknown): T | null {
  const text = (v as { json?: unknown } | null)?.json;
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** "10.0.0.11:6801/2427714357" → "10.0.0.11" (also for "[::1]:6801/0"). */
function host(addr: string | undefined): string {
  if (!addr) return "";
  const noNonce = addr.split("/")[0]!;
  const i = noNonce.lastIndexOf(":");
  return (i > 0 ? noNonce.slice(0, i) : noNonce).replace(/^\[|\]$/g, "");
}

/** OSD id → device class, from the crush map (empty when the crush map is missing). */
function deviceClasses(src: Source): Map<number, string> {
  const devices = src.get<{ devices?: { id: number; class?: string }[] } | null>("osd_map_crush")?.devices ?? [];
  return new Map(devices.filter((d) => typeof d.class === "string").map((d) => [d.id, d.class!]));
}
