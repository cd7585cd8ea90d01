// Watch: hot reload of modules on save.
export { ModuleWatcher } from "./watcher.ts";
