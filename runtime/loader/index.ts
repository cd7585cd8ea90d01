// Loader: finds modules, bundles them with esbuild, caches bundles on disk.
export { discoverModules, moduleNameOf, isInside, MODULE_NAME } from "./discover.ts";
export type { ModuleEntry, DiscoveryProblem } from "./discover.ts";
export { ModuleBuilder, toLoadError, displayPath, BUNDLE_GLOBAL, SDK_DIR, BUILD_DEADLINE_MS } from "./build.ts";
export type { Bundle } from "./bundle.ts";
export { readRegularFile, readRegularFileSync, MAX_MODULE_FILE_BYTES } from "./read-regular.ts";
export { BundleCache, inputsKey } from "./cache.ts";
