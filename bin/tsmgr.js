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
// Both the daemon and the client run one-file bundles of runtime/'s TypeScript, built with
// esbuild into node_modules/.cache/tsmgr/ and rebuilt whenever one of their inputs changed:
// loading the sources through tsx costs about 0.25 s of CPU per call, and about half of an
// empty daemon's start. `tsmgr daemon` runs a bundle of runtime/cli/main.ts; every other command
// is a short-lived client running a bundle of runtime/cli/client-entry.ts. npm packages stay
// outside both, loaded from node_modules. Both are CommonJS, as is this file (bin/package.json):
// for the client, node's ES module loader would add ~6 ms of CPU to every call; for the daemon,
// an ES module bundle would import every package at its top (etcd3 alone is ~100 ms, used only
// with an etcd store), where CommonJS keeps the sources' dynamic imports lazy: a package is
// required when the code importing it first runs. The ES-module-only packages (chokidar) are
// then loaded by require(), which needs node 20.19 / 22.12 (process.features.require_module).
// Without a writable cache, when esbuild fails, or on a node without require(esm) (the daemon),
// they fall back to the sources through tsx (TSMGR_NO_BUNDLE=1 forces that).
"use strict";
const { closeSync, fstatSync, openSync, readSync, statSync } = require("node:fs");
const { join, resolve, sep } = require("node:path");
const { pathToFileURL } = require("node:url");

const ROOT = resolve(__dirname, "..");
const CACHE = join(ROOT, "node_modules", ".cache", "tsmgr");
// options that take a value, so their value is not mistaken for the command word
const VALUED = new Set(["-c", "--config", "--id", "-f", "--format", "--timeout", "-i"]);
/** The last line of a bundle: its inputs' stamps, so a bundle and the stamps it was built from are one file, replaced by one rename. */
const STAMP_MARK = "\n//# tsmgr-inputs ";
/** Bytes read from a bundle's end to find its stamps (~45 bytes an input), then all of it if need be. */
const TAIL = 16 * 1024;

/** What bin/build-bundle.js builds: entry, file in CACHE, a source map, built-ins loaded on first use. */
const BUNDLES = {
  client: { entry: "runtime/cli/client-entry.ts", file: "cli.cjs", sourcemap: false, lazy: { "node:crypto": "lazy-crypto.js" } },
  daemon: { entry: "runtime/cli/main.ts", file: "daemon.cjs", sourcemap: true },
};

function commandWord(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (VALUED.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/** The input stamps at a bundle's end, or undefined when it has none (or is not there). */
function stampsOf(file) {
  let fd;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    for (const len of [Math.min(size, TAIL), size]) {
      const buf = Buffer.allocUnsafe(len);
      readSync(fd, buf, 0, len, size - len);
      const tail = buf.toString("utf8");
      const at = tail.lastIndexOf(STAMP_MARK);
      if (at >= 0) return JSON.parse(tail.slice(at + STAMP_MARK.length));
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether every input still has its stamp (size:mtime, as build-bundle.js writes it; no path.join on this hot path). */
function fresh(stamps) {
  for (const f in stamps) {
    const st = statSync(ROOT + sep + f, { throwIfNoEntry: false });
    if (st === undefined || `${st.size}:${st.mtimeMs}` !== stamps[f]) return false; // changed or vanished
  }
  return true;
}

/** The path of a bundle of KIND (client | daemon), rebuilt when any input changed; undefined when it cannot be had. */
async function bundle(kind) {
  const file = join(CACHE, BUNDLES[kind].file);
  const stamps = stampsOf(file);
  if (stamps && fresh(stamps)) return file;
  try {
    // the build is in its own file: a call finding its bundle fresh does not load it
    return await require("./build-bundle.js").build(ROOT, BUNDLES[kind], file, STAMP_MARK);
  } catch {
    return undefined;
  }
}

async function main() {
  // `tsmgr daemon --help` only prints: the client answers it, without loading the daemon
  const argv = process.argv.slice(2);
  const runsDaemon = commandWord(argv) === "daemon" && !argv.includes("--help") && !argv.includes("-h");
  const bundled = process.env.TSMGR_NO_BUNDLE !== "1";
  const client = !runsDaemon && bundled ? await bundle("client") : undefined;
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
    const daemon = runsDaemon && bundled && process.features.require_module ? await bundle("daemon") : undefined;
    if (daemon) {
      process.setSourceMapsEnabled(true);
      require(daemon);
    } else {
      const { register } = await import("tsx/esm/api");
      register();
      await import(pathToFileURL(join(ROOT, "runtime", "cli", "main.ts")).href);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`tsmgr: ${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
