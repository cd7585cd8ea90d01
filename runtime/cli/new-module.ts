// `tsmgr new NAME`: writes MODULEPATH/NAME.ts and test/modules/NAME.test.ts (beside the config)
// from runtime/cli/templates/, and never over anything that exists: a module, or its test.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { RESERVED_MODULE_NAMES } from "../config/index.ts";
import { Errno } from "../errors.ts";
import { BUILTIN_WORDS } from "./builtin-help.ts";
import { fill, MODULE_TEMPLATE, TEST_TEMPLATE } from "./templates/module.ts";

/** The tsmgr checkout (its runtime/ is what the generated test imports). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const NAME = /^[a-z][a-z0-9_]{0,63}$/;

export interface NewResult {
  code: number;
  out: string[];
  err: string[];
}

/** An import path from `fromDir` to `to`, as ESM wants it (`./x`, `../x`, forward slashes). */
function importPath(fromDir: string, to: string): string {
  const rel = relative(fromDir, to).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

function refuseName(name: string | undefined): string | undefined {
  if (!name) return "give the new module's name: tsmgr new NAME";
  if (!NAME.test(name))
    return `${JSON.stringify(name)} is not a module name: lower-case letters, digits and _, starting with a letter`;
  if (RESERVED_MODULE_NAMES.includes(name))
    return `${JSON.stringify(name)} is reserved (every JavaScript object has it): choose another name`;
  if (BUILTIN_WORDS.has(name))
    return `${JSON.stringify(name)} is a built-in command's word, and a module's commands start with its name: choose another name`;
  return undefined;
}

/** Writes the module and its test; `projectDir` is the config's folder, `modulePath` absolute. */
export function newModule(name: string | undefined, modulePath: string, projectDir: string): NewResult {
  const bad = refuseName(name);
  if (bad) return { code: Errno.EINVAL, out: [], err: [`tsmgr new: ${bad}`] };
  const n = name!;
  const file = join(modulePath, `${n}.ts`);
  const testFile = join(projectDir, "test", "modules", `${n}.test.ts`);
  for (const taken of [file, join(modulePath, n), testFile]) {
    if (existsSync(taken)) {
      return {
        code: Errno.EEXIST,
        out: [],
        err: [
          `tsmgr new: ${taken} already exists: module ${JSON.stringify(n)} is left as it is (remove it, or choose another name)`,
        ],
      };
    }
  }
  mkdirSync(modulePath, { recursive: true });
  mkdirSync(dirname(testFile), { recursive: true });
  writeFileSync(file, fill(MODULE_TEMPLATE, { name: n }), { flag: "wx" });
  const testDir = dirname(testFile);
  writeFileSync(
    testFile,
    fill(TEST_TEMPLATE, {
      name: n,
      runtime: importPath(testDir, join(ROOT, "runtime")),
      modules: importPath(testDir, modulePath) + "/",
    }),
    { flag: "wx" },
  );
  /** A path as the user gave it: relative to the working folder when inside it, else absolute. */
  const shown = (f: string) => {
    const rel = relative(process.cwd(), f);
    return rel && !rel.startsWith("..") ? rel : f;
  };
  return {
    code: 0,
    out: [
      `wrote ${shown(file)} and ${shown(testFile)}`,
      `next: tsmgr check ${n}        (type-check it and list the grants it needs)`,
      `      node --no-node-snapshot --import tsx node_modules/uvu/bin.js ${shown(testDir)} ${n}   (its test; or npm test -- ${n})`,
      `      tsmgr module enable ${n} && tsmgr ${n} status   (with a daemon running; saving the file reloads it)`,
    ],
    err: [],
  };
}
