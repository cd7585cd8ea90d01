// The order a real mgr delivers notifications in, shared by every cluster backend so that a
// module sees the same sequence from the simulator and from a real cluster.
import type { NotifyType } from "./types.ts";

/** Notifications go out in the order a real mgr sees them: maps first, then digests, then log. */
const NOTIFY_ORDER: ReadonlyMap<NotifyType, number> = new Map<NotifyType, number>([
  ["mon_map", 0],
  ["osd_map", 1],
  ["fs_map", 2],
  ["service_map", 3],
  ["mgr_map", 4],
  ["mon_status", 5],
  ["perf_schema_update", 6],
  ["pg_summary", 7],
  ["health", 8],
  ["clog", 9],
]);

/** The notifications sorted into the mgr's order; equal kinds keep the order they were raised in. */
export function inNotifyOrder<T extends [NotifyType, unknown]>(notifies: readonly T[]): T[] {
  return notifies
    .map((n, i) => ({ n, i, rank: NOTIFY_ORDER.get(n[0]) ?? 10 }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map(({ n }) => n);
}
