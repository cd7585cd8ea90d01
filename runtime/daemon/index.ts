// The daemon as a library: startDaemon(config) → a handle with modules(), command(), stop().
export { startDaemon, DaemonError, type Daemon, type DaemonOptions, type CommandOptions } from "./daemon.ts";
export type { ModuleStatus, ModuleState, ModuleError, KitHooks } from "./module-runner.ts";
