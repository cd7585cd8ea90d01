// Perf-counter reads that span daemons, answered the way Pacific's ceph-mgr answers them, on top
// of any ClusterSource: get_perf_schema with wildcards (an empty type or id means all) and
// get_all_perf_counters. Both backends keep one schema and one series per daemon; this file only
// walks the daemons list_servers() knows, as mgr_module.py does, so a module gets the whole
// answer in one host call instead of one per counter.
import type { ClusterSource } from "./types.ts";

/** Counter priorities (mgr_module.py PRIO_*). */
export const PRIO = { CRITICAL: 10, INTERESTING: 8, USEFUL: 5, UNINTERESTING: 2, DEBUGONLY: 0 } as const;
const PERFCOUNTER_LONGRUNAVG = 4;

/** The service types get_all_perf_counters() looks at by default (mgr_module.py). */
export const PERF_SERVICES = ["mds", "mon", "osd", "rbd-mirror", "rgw", "tcmu-runner"] as const;

interface ServiceRef {
  type: string;
  id: string;
}
type CounterSchema = Record<string, { type: number; priority: number; [k: string]: unknown }>;

/** Every daemon list_servers() names, in its order. */
function services(cluster: ClusterSource): ServiceRef[] {
  const out: ServiceRef[] = [];
  for (const server of cluster.listServers() as { services?: ServiceRef[] }[]) {
    for (const s of server.services ?? []) out.push({ type: String(s.type), id: String(s.id) });
  }
  return out;
}

/**
 * [get_perf_schema]: `{"osd.0": {path: info}}` for one daemon, or for every daemon of `svcType`
 * when `svcId` is "", or for every daemon when `svcType` is "" (ActivePyModules::get_perf_schema_python).
 */
export function perfSchema(cluster: ClusterSource, svcType: string, svcId: string): Record<string, unknown> {
  if (svcType !== "" && svcId !== "") return cluster.getPerfSchema(svcType, svcId) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const s of services(cluster)) {
    if (svcType !== "" && s.type !== svcType) continue;
    Object.assign(out, cluster.getPerfSchema(s.type, s.id) as Record<string, unknown>);
  }
  return out;
}

/**
 * [get_all_perf_counters]: every counter of priority ≥ `prioLimit` of the daemons whose type is in
 * `serviceTypes`, with its newest value (`value`, and `count` for averages), as mgr_module.py builds it.
 */
export function allPerfCounters(
  cluster: ClusterSource,
  prioLimit: number,
  serviceTypes: readonly string[],
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of services(cluster)) {
    if (!serviceTypes.includes(s.type)) continue;
    const key = `${s.type}.${s.id}`;
    const schema = (cluster.getPerfSchema(s.type, s.id) as Record<string, CounterSchema>)[key];
    if (!schema) continue;
    for (const [path, info] of Object.entries(schema)) {
      if (info.priority < prioLimit) continue;
      const latest = cluster.getLatestCounter(s.type, s.id, path)[path] ?? [];
      const counter: Record<string, unknown> = { ...info };
      if (info.type & PERFCOUNTER_LONGRUNAVG) {
        counter.value = latest.length === 3 ? latest[1] : 0;
        counter.count = latest.length === 3 ? latest[2] : 0;
      } else {
        counter.value = latest.length >= 2 ? latest[1] : 0;
      }
      (out[key] ??= {})[path] = counter;
    }
  }
  return out;
}
