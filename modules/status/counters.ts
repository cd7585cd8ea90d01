// What the status module reads from the cluster, narrowed to the accessors it uses, so that
// the osd and fs views are plain functions of a reader (the module itself at run time).
import type { ClusterData } from "@tsmgr/sdk";

export interface StatusReader {
  get<K extends "osd_map" | "osd_map_crush" | "osd_stats" | "fs_map" | "df">(name: K): ClusterData[K];
  getCounter(svcType: string, svcId: string, path: string): Record<string, number[][]>;
  getLatest(daemonType: string, daemonName: string, counter: string): number;
  getMetadata<D>(svcType: string, svcId: string, defaultValue: D): Record<string, string> | D;
}

/**
 * A counter's rate over its two newest samples, as Ceph's status module computes it: the value
 * delta floor-divided by the whole seconds between them; 0 with fewer than two samples.
 */
export function rate(r: StatusReader, svcType: string, svcId: string, path: string): number {
  const data = r.getCounter(svcType, svcId, path)[path] ?? [];
  if (data.length < 2) return 0;
  const [t1, v1] = data[data.length - 2]!;
  const [t2, v2] = data[data.length - 1]!;
  const seconds = Math.trunc(t2! - t1!);
  return seconds === 0 ? 0 : Math.floor((v2! - v1!) / seconds);
}
