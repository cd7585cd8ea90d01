// Where a module the kit loads lives: its name and the module path (folder) the daemon scans.
import { existsSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export interface ModuleLocation {
  name: string;
  modulePath: string;
}

/**
 * `modules/foo.ts`, `modules/foo` (a folder with index.ts) or `modules/foo/index.ts`, relative to
 * the working directory: the daemon's discovery rules, so the kit loads what the daemon would.
 */
export function locateModule(path: string): ModuleLocation {
  if (typeof path !== "string" || path === "")
    throw new TypeError(
      `harness(): pass the module's path, e.g. "modules/hello" or "modules/foo.ts", got ${JSON.stringify(path)}`,
    );
  const full = resolve(path);
  if (!existsSync(full))
    throw new RangeError(`harness(): no module at ${JSON.stringify(path)} (resolved to ${full} from ${process.cwd()})`);
  if (statSync(full).isDirectory()) {
    if (!existsSync(resolve(full, "index.ts")))
      throw new RangeError(`harness(): the folder ${JSON.stringify(path)} has no index.ts: a module folder needs one`);
    return { name: basename(full), modulePath: dirname(full) };
  }
  if (basename(full) === "index.ts") return { name: basename(dirname(full)), modulePath: dirname(dirname(full)) };
  if (!full.endsWith(".ts"))
    throw new RangeError(`harness(): ${JSON.stringify(path)} is not a .ts file or a module folder`);
  return { name: basename(full, ".ts"), modulePath: dirname(full) };
}
