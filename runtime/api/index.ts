// The host API: the module surface (declared once), the table of functions built from it, and
// what bounds the host work a module can cause (command back-pressure, bounded error text).
export { buildHostTable } from "./host-table.ts";
export { apiNames, SURFACE, type SurfaceEntry } from "./surface.ts";
export { CommandGate, COMMAND_GATE_LIMITS, type CommandGateLimits } from "./command-gate.ts";
export { boundedErrorText } from "./bounded-error.ts";
export type { ModuleContext, ModulePhase } from "./context.ts";
// ---- remote calls (issue 15) ----
export { ModuleNotFound, RemoteCalls, MAX_REMOTE_DEPTH, type RemoteCallee } from "./remote.ts";
export { ModuleMirror, getLocalizedOption, setLocalizedOption, type MirrorDelta } from "./mirror.ts";
export { ClusterCells, clusterCellsOf, type SharedText } from "./cluster-cells.ts";
export { DataPusher } from "./data-pusher.ts";
export { ModuleFetcher, type FetchLimits } from "./fetch.ts";
