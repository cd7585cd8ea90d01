// Public surface of the cluster backends: the ClusterSource contract, the simulated cluster and a real Ceph cluster.
export type { ClusterSource, CommandResult, ConfigDbEntry, DaemonTarget, LogEntry, NotifyType } from "./types.ts";
export { allPerfCounters, perfSchema, PERF_SERVICES, PRIO } from "./perf-query.ts";
export { cephOption, foreignCephOption, typedOptionValue, type CephOptionValue } from "./ceph-options.ts";
export { DEFAULT_SIM_OPTIONS, SimCluster, SimError, createSimCluster, type SimClusterOptions } from "./sim/index.ts";
export { SIM_COMMANDS, handleSimCommand } from "./sim/control-commands.ts";
export type { PoolSpec } from "./sim/model.ts";
export {
  CephBackendError,
  createCephCluster,
  type CephCluster,
  type CephClusterOptions,
  type CephConfig,
} from "./ceph/index.ts";
