// The host API: the table of functions injected into each module's isolate.
export { buildHostTable } from "./host-table.ts";
export type { ModuleContext, ModulePhase } from "./context.ts";
