#!/usr/bin/env -S node --no-node-snapshot
// The tsmgr CLI and daemon. isolated-vm on Node 20 needs --no-node-snapshot (the shebang passes
// it); when started some other way without it, re-run this file with it, passing signals on.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

if (!process.execArgv.includes("--no-node-snapshot")) {
  const child = spawn(process.execPath, ["--no-node-snapshot", ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../runtime/cli/main.ts");
}
