// Config: mgr.json loading, defaults and validation.
export { loadConfig, configFromObject, moduleLimits, defaultModuleConfig, DEFAULT_LIMITS } from "./load.ts";
export type { Config, Limits, ModuleConfig, ModuleGrants, StoreQuota } from "./types.ts";
