#!/bin/sh
':' //; for a in "$@"; do [ "$a" = daemon ] && exec node --no-node-snapshot "$0" "$@"; done; exec node "$0" "$@"
// The tsmgr CLI and daemon. The first two lines are both shell and JavaScript: run as an
// executable, /bin/sh starts node on this file, with --no-node-snapshot when a word is
// `daemon` (isolated-vm on Node 20 needs it) and without it otherwise: the client loads no
// isolate, and node's startup snapshot makes it start ~30 ms (of CPU) sooner. `exec` makes the
// daemon the process itself, not the shell's child, so signals reach it. To node, line 2 is a
// string and a comment. Started some other way without the flag, the daemon re-runs this file
// with it, passing signals on.
//
// `tsmgr daemon` runs the TypeScript sources through tsx, in this process. Every other command
// is a short-lived client: it runs a one-file bundle of runtime/cli/client-entry.ts, rebuilt with
// esbuild whenever one of its inputs changed, because loading the sources through tsx costs
// about 0.25 s of CPU per call. Without a writable cache it falls back to tsx.
//
// CommonJS (bin/package.json), as is the client bundle: node's ES module loader would add
// ~6 ms of CPU to every call.
"use strict";
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { pathToFileURL } = require("node:url");

const ROOT = resolve(__dirname, "..");
const CACHE = join(ROOT, "node_modules", ".cache", "tsmgr");
const CLIENT = join(CACHE, "cli.cjs");
const META = join(CACHE, "cli.cjs.json");
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
      format: "cjs",
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

async function main() {
  // `tsmgr daemon --help` only prints: the client answers it, without loading the daemon
  const argv = process.argv.slice(2);
  const runsDaemon = commandWord(argv) === "daemon" && !argv.includes("--help") && !argv.includes("-h");
  const client = !runsDaemon && process.env.TSMGR_NO_CLIENT_BUNDLE !== "1" ? await clientBundle() : undefined;
  if (client) {
    require(client);
  } else if (!process.execArgv.includes("--no-node-snapshot")) {
    // the daemon, or the tsx fallback (which may load the daemon's sources), needs the flag;
    // child_process is loaded only here: the client does without its ~2 ms
    const { spawn } = require("node:child_process");
    const child = spawn(process.execPath, ["--no-node-snapshot", ...process.execArgv, __filename, ...argv], { stdio: "inherit" });
    // A Ctrl-C reaches the child from the terminal too: the daemon takes a repeat within a second
    // as the same signal, so passing it on is harmless, and needed when only this process is signalled.
    for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => child.kill(sig));
    const { constants } = require("node:os");
    child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    await import(pathToFileURL(join(ROOT, "runtime", "cli", "main.ts")).href);
  }
}

main().catch((e) => {
  process.stderr.write(`tsmgr: ${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
