// Public surface of the cluster backends: the ClusterSource contract and the simulated cluster.
export type { ClusterSource, CommandResult, NotifyType } from "./types.ts";
export { DEFAULT_SIM_OPTIONS, SimCluster, SimError, createSimCluster, type SimClusterOptions } from "./sim/index.ts";
export { SIM_COMMANDS, handleSimCommand } from "./sim/sim-commands.ts";
export type { PoolSpec } from "./sim/model.ts";
