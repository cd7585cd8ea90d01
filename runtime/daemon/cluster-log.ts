// The cluster log as modules write it (ceph-mgr's cluster_log) and as `tsmgr log last` reads it.
// On the simulator an entry keeps its channel and priority; on a real cluster it is sent with the
// mon command `log` (the only way a client writes there), which records it as [INF] on "cluster".
import type { ClusterSource } from "../cluster/index.ts";

/** Ceph's CLUSTER_LOG_PRIO (mgr_module.py: DEBUG 0, INFO 1, SEC 2, WARN 3, ERROR 4) as LogEntry priorities. */
export const CLUSTER_LOG_PRIORITIES = ["[DBG]", "[INF]", "[SEC]", "[WRN]", "[ERR]"] as const;
export type ClusterLogPriority = (typeof CLUSTER_LOG_PRIORITIES)[number];
export const CLUSTER_LOG_CHANNELS = ["cluster", "audit"] as const;

/** The channel and priority checked: TypeError / RangeError naming what is accepted. */
export function checkClusterLog(channel: string, priority: unknown): ["cluster" | "audit", ClusterLogPriority] {
  if (!(CLUSTER_LOG_CHANNELS as readonly string[]).includes(channel))
    throw new RangeError(
      `clusterLog(): channel ${JSON.stringify(channel)} is not a cluster log channel: use "cluster" or "audit"`,
    );
  if (typeof priority !== "number")
    throw new TypeError(
      `clusterLog(): the priority must be a number (ClusterLogPrio.INFO etc., 0..4), got ${priority === null ? "null" : typeof priority}`,
    );
  const p = CLUSTER_LOG_PRIORITIES[priority];
  if (!Number.isInteger(priority) || p === undefined)
    throw new RangeError(
      `clusterLog(): priority ${priority} is not one of 0 (DEBUG), 1 (INFO), 2 (SEC), 3 (WARN), 4 (ERROR)`,
    );
  return [channel as "cluster" | "audit", p];
}

/** Writes one entry; rejects when the cluster refused it. */
export async function writeClusterLog(
  cluster: ClusterSource,
  channel: "cluster" | "audit",
  priority: ClusterLogPriority,
  message: string,
): Promise<void> {
  if (cluster.clusterLog) return cluster.clusterLog(channel, priority, message);
  const r = await cluster.sendCommand({ prefix: "log", logtext: [message] }, "");
  if (r.retval !== 0) throw new Error(`the cluster refused the log entry: ${r.stderr || `error ${r.retval}`}`);
}
