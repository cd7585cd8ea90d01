#!/usr/bin/env -S node --no-node-snapshot
// The tsmgr CLI and daemon. isolated-vm on Node 20 needs --no-node-snapshot (the shebang passes
// it); when started some other way without it, re-run this file with it, passing signals on.
//
// `tsmgr daemon` runs the TypeScript sources through tsx, in this process. Every other command
// is a short-lived client: it runs a one-file bundle of runtime/cli/client-entry.ts, rebuilt with
// esbuild whenever one of its inputs changed, because loading the sources through tsx costs
// about 0.25 s of CPU per call. Without a writable cache it falls back to tsx.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(ROOT, "node_modules", ".cache", "tsmgr");
const CLIENT = join(CACHE, "cli.mjs");
const META = join(CACHE, "cli.json");
// options that take a value, so their value is not mistaken for the command word
const VALUED = new Set(["-c", "--config", "--id", "-f", "--format", "--timeout", "-i"]);

function commandWord(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (VALUED.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

function stampOf(file) {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}

/** The client bundle, rebuilt when any input changed; undefined when it cannot be had. */
async function clientBundle() {
  try {
    const meta = JSON.parse(readFileSync(META, "utf8"));
    if (Object.entries(meta.inputs).every(([f, s]) => stampOf(join(ROOT, f)) === s)) return CLIENT;
  } catch {
    // no bundle yet, or an input vanished: build
  }
  try {
    const esbuild = await import("esbuild");
    const r = await esbuild.build({
      entryPoints: [join(ROOT, "runtime", "cli", "client-entry.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      metafile: true,
      outfile: CLIENT,
      absWorkingDir: ROOT,
      logLevel: "silent",
      define: { "import.meta.url": JSON.stringify(pathToFileURL(join(ROOT, "runtime", "cli", "command.ts")).href) },
    });
    mkdirSync(CACHE, { recursive: true });
    const inputs = Object.fromEntries(Object.keys(r.metafile.inputs).map((f) => [f, stampOf(join(ROOT, f))]));
    const tmp = `${CLIENT}.${process.pid}.tmp`;
    writeFileSync(tmp, r.outputFiles[0].text);
    renameSync(tmp, CLIENT);
    writeFileSync(`${META}.${process.pid}.tmp`, JSON.stringify({ inputs }));
    renameSync(`${META}.${process.pid}.tmp`, META);
    return CLIENT;
  } catch {
    return undefined;
  }
}

if (!process.execArgv.includes("--no-node-snapshot")) {
  const child = spawn(process.execPath, ["--no-node-snapshot", ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  // A Ctrl-C reaches the child from the terminal too: the daemon takes a repeat within a second
  // as the same signal, so passing it on is harmless, and needed when only this process is signalled.
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
} else {
  // `tsmgr daemon --help` only prints: the client answers it, without loading the daemon
  const argv = process.argv.slice(2);
  const runsDaemon = commandWord(argv) === "daemon" && !argv.includes("--help") && !argv.includes("-h");
  const client = !runsDaemon && process.env.TSMGR_NO_CLIENT_BUNDLE !== "1" ? await clientBundle() : undefined;
  if (client) {
    await import(pathToFileURL(client).href);
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    await import("../runtime/cli/main.ts");
  }
}
