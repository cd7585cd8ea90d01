// Finds the modules in the module path: `NAME.ts` files and `NAME/index.ts` folders. Names
// that break the rules, and entries that lead outside the module path, are reported, not loaded.
import { readdirSync, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { RESERVED_MODULE_NAMES } from "../config/index.ts";

export const MODULE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export interface ModuleEntry {
  name: string;
  /** absolute path of the entry file */
  entry: string;
}

export interface DiscoveryProblem {
  /** the file or folder name as found */
  found: string;
  message: string;
}

/** True when `real` lies inside `root` (both real paths). */
export function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The module name a path in the module path belongs to, or undefined. */
export function moduleNameOf(modulePath: string, file: string): string | undefined {
  const rel = file.startsWith(modulePath + sep) ? file.slice(modulePath.length + 1) : undefined;
  if (!rel) return undefined;
  const first = rel.split(sep)[0]!;
  const name = first.endsWith(".ts") && !rel.includes(sep) ? first.slice(0, -3) : first;
  return MODULE_NAME.test(name) ? name : undefined;
}

export function discoverModules(modulePath: string): { modules: ModuleEntry[]; problems: DiscoveryProblem[] } {
  const modules: ModuleEntry[] = [];
  const problems: DiscoveryProblem[] = [];
  let root: string;
  let names: string[];
  try {
    root = realpathSync(modulePath);
    names = readdirSync(root).sort();
  } catch (e) {
    problems.push({ found: modulePath, message: `module path ${modulePath} cannot be read: ${(e as Error).message}` });
    return { modules, problems };
  }
  for (const found of names) {
    if (found.startsWith(".") || found.startsWith("_") || found.endsWith("~") || found.endsWith(".d.ts")) continue;
    const full = join(root, found);
    let real: string;
    let isDir: boolean;
    try {
      real = realpathSync(full);
      isDir = statSync(real).isDirectory();
    } catch {
      continue; // vanished or dangling symlink: nothing to load
    }
    if (!isInside(root, real)) {
      problems.push({
        found,
        message: `${found} leads outside the module path (${real}): modules must live inside ${root}`,
      });
      continue;
    }
    const name = isDir ? found : found.endsWith(".ts") ? found.slice(0, -3) : undefined;
    if (name === undefined) continue; // not a module file (README, .json, ...)
    if (!MODULE_NAME.test(name)) {
      problems.push({
        found,
        message: `"${found}" is not a valid module name: use lower-case letters, digits and _, starting with a letter (e.g. my_module.ts)`,
      });
      continue;
    }
    if (RESERVED_MODULE_NAMES.includes(name)) {
      problems.push({
        found,
        message: `"${found}": the module name "${name}" is reserved (every JavaScript object has a property of that name): rename the module`,
      });
      continue;
    }
    const entry = isDir ? join(real, "index.ts") : real;
    // Any entry that is not a folder is a module here, a pipe or device included: its build
    // refuses it with a load error naming the file (discovery only stats, it never opens one).
    let entryIsDir: boolean;
    try {
      entryIsDir = statSync(entry).isDirectory();
    } catch {
      entryIsDir = true;
    }
    if (entryIsDir) {
      problems.push({
        found,
        message: `module folder "${found}" has no index.ts: a module is NAME.ts or NAME/index.ts`,
      });
      continue;
    }
    modules.push({ name, entry });
  }
  return { modules, problems };
}
