// The cluster summary the dashboard shows, computed from get() on each request (cheap: get()
// returns the same frozen snapshot until the data changes). Every field copes with missing
// or disagreeing data: a structure that is absent, an OSD without metadata, a pool that is in
// the osd_map but not yet in df.
import type { MgrModule } from "@tsmgr/sdk";

export type Source = Pick<MgrModule, "get" | "listServers" | "getMgrId">;

export interface ClusterStatus {
  health: { status: string; checks: { code: string; severity: string; summary: string }[] };
  osds: { total: number; up: number; in: number; without_metadata: number };
  pools: {
    id: number;
    name: string;
    type: string;
    size: number;
    pg_num: number;
    stored: number | null;
    objects: number | null;
    percent_used: number | null;
  }[];
  pgs: { total: number; by_state: Record<string, number> };
  capacity: { total_bytes: number; used_bytes: number } | null;
  mons: { total: number; in_quorum: number };
  hosts: number;
  served_by: string;
  generated_at: string;
}

interface OsdMap {
  osds?: { osd: number; up: number; in: number }[];
  pools?: { pool: number; pool_name: string; type: number; size: number; pg_num: number }[];
}
interface Df {
  stats?: { total_bytes?: number; total_used_raw_bytes?: number };
  pools?: { id: number; stats?: { stored?: number; objects?: number; percent_used?: number } }[];
}

export function clusterStatus(src: Source): ClusterStatus {
  const health = parseWrapped<{
    status?: string;
    checks?: Record<string, { severity?: string; summary?: { message?: string } }>;
  }>(src.get("health"));
  const osdMap = src.get<OsdMap | null>("osd_map");
  const osds = osdMap?.osds ?? [];
  // one snapshot for all OSDs, rather than a getMetadata() call for each
  const metadata = src.get<Record<string, unknown> | null>("osd_metadata") ?? {};
  const df = src.get<Df | null>("df");
  const dfPools = new Map((df?.pools ?? []).map((p) => [p.id, p.stats ?? {}]));
  const pgAll = src.get<{ all?: Record<string, number> } | null>("pg_summary")?.all ?? {};
  const monMap = src.get<{ mons?: { rank: number }[] } | null>("mon_map");
  const quorum = parseWrapped<{ quorum?: number[] }>(src.get("mon_status"))?.quorum ?? [];

  return {
    health: {
      status: health?.status ?? "HEALTH_UNKNOWN",
      checks: Object.entries(health?.checks ?? {}).map(([code, c]) => ({
        code,
        severity: c.severity ?? "",
        summary: c.summary?.message ?? "",
      })),
    },
    osds: {
      total: osds.length,
      up: osds.filter((o) => o.up === 1).length,
      in: osds.filter((o) => o.in === 1).length,
      without_metadata: osds.filter((o) => metadata[String(o.osd)] === undefined).length,
    },
    pools: (osdMap?.pools ?? []).map((p) => {
      const s = dfPools.get(p.pool); // a new pool may not be in df yet
      return {
        id: p.pool,
        name: p.pool_name,
        type: p.type === 3 ? "erasure" : "replicated",
        size: p.size,
        pg_num: p.pg_num,
        stored: s?.stored ?? null,
        objects: s?.objects ?? null,
        percent_used: s?.percent_used ?? null,
      };
    }),
    pgs: { total: Object.values(pgAll).reduce((a, b) => a + b, 0), by_state: { ...pgAll } },
    capacity:
      df?.stats?.total_bytes === undefined
        ? null
        : { total_bytes: df.stats.total_bytes, used_bytes: df.stats.total_used_raw_bytes ?? 0 },
    mons: { total: monMap?.mons?.length ?? 0, in_quorum: quorum.length },
    hosts: src.listServers().length,
    served_by: src.getMgrId(),
    generated_at: new Date().toISOString(),
  };
}

/** health and mon_status come as `{json: "<string>"}`, as in ceph-mgr; null when missing or bad. */
function parseWrapped<T>(v: unknown): T | null {
  const text = (v as { json?: unknown } | null)?.json;
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
