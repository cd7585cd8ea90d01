// Writes sdk/cluster-types.ts, the types of get(name) and getMetadata(type, id), from the real
// Pacific fixtures and the simulator (see scripts/cluster-types/). `--check` only compares, and
// exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { generate } from "./cluster-types/generate.ts";
import { OUTPUT, ROOT } from "./cluster-types/paths.ts";

const text = generate();
const file = relative(ROOT, OUTPUT);
if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(OUTPUT, "utf8");
  } catch {
    // missing: stale
  }
  if (committed !== text) {
    process.stderr.write(`${file} is stale: run node --no-node-snapshot --import tsx scripts/gen-cluster-types.ts\n`);
    process.exit(1);
  }
  process.stdout.write(`${file} is current\n`);
} else {
  writeFileSync(OUTPUT, text);
  process.stdout.write(`wrote ${file} (${text.split("\n").length} lines)\n`);
}
