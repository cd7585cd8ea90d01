// Watch: hot reload of modules on save.
export { ModuleWatcher } from "./watcher.ts";
export type { WatchTarget, WatchedModule } from "./watch-target.ts";
