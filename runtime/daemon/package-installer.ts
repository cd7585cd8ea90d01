// The daemon's PackageInstaller: its module path and data dir, mgr.json's trust section and
// limit, and what an install does to the running modules (rescan; restart an upgraded module).
import type { AuditLog } from "../audit/index.ts";
import type { Config } from "../config/index.ts";
import { PackageInstaller } from "../packages/index.ts";
import { SDK_VERSION } from "../../sdk/version.ts";
import type { ModuleManager } from "./modules.ts";

export function packageInstaller(cfg: Config, modules: ModuleManager, audit: AuditLog): PackageInstaller {
  return new PackageInstaller({
    modulePath: cfg.modulePath,
    dataDir: cfg.dataDir,
    sdkVersion: SDK_VERSION,
    trust: cfg.trust,
    maxBytes: () => cfg.limits.packageMaxBytes,
    known: (name) => modules.runner(name) !== undefined,
    refresh: async (name) => {
      const before = modules.runner(name);
      await modules.rescan();
      // same entry file, new content: rescan keeps the runner, so rebuild it now (the watcher may too)
      if (before && modules.runner(name) === before && before.running) await modules.reloadModule(name);
    },
    audit: (module, allowed, key, detail) => audit.trust(module, allowed, key, detail),
  });
}
