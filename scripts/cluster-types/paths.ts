// Where the generator reads and writes.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The generated file: the types of get(name) for every data name. */
export const OUTPUT = join(ROOT, "sdk", "cluster-types.ts");
