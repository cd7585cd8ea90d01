// Config: mgr.json loading, defaults and validation.
export {
  loadConfig,
  configFromObject,
  moduleConfigOf,
  moduleLimits,
  defaultModuleConfig,
  DEFAULT_LIMITS,
  MAX_TIMER_MS,
  RESERVED_MODULE_NAMES,
} from "./load.ts";
export { unknownModuleEntries } from "./unknown-modules.ts";
export type { ConfigOptions } from "./load.ts";
export type { Config, DaemonOverrides, Limits, ModuleConfig, ModuleGrants, StoreQuota, TrustConfig } from "./types.ts";
