// Sandbox: one V8 isolate per module, with limits, a watchdog and source-mapped errors.
export { ModuleSandbox, REAL_CLOCK, type PushedData, type TimerClock } from "./isolate.ts";
export type { HostFn, HostTable, HostValue, ModuleMeta, SandboxOptions } from "./isolate.ts";
export { SourceMap, mapStack } from "./sourcemap.ts";
export { watchdogState } from "./watchdog.ts";
