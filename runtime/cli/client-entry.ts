// The prebuilt client's entry (bin/tsmgr.js bundles it when stale): every command but `daemon`.
import { main } from "./command.ts";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`tsmgr: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  },
);
