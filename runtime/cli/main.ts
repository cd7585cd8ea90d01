// The `tsmgr` command: `tsmgr daemon` runs a daemon in this very process (so signals reach
// it); every other command goes to the daemon group over its admin socket.
import { readFileSync } from "node:fs";
import { loadConfig, type Config } from "../config/index.ts";
import { ConfigError, Errno } from "../errors.ts";
import { parseCliArgs, UsageError, USAGE, type CliArgs } from "./args.ts";
import { sendToGroup } from "./connect.ts";

function configFile(args: CliArgs): string {
  return args.config ?? process.env.TSMGR_CONFIG ?? "mgr.json";
}

function out(text: string, stream: NodeJS.WriteStream): void {
  if (text === "") return;
  stream.write(text.endsWith("\n") ? text : text + "\n");
}

/** Set once a daemon ran here: exit explicitly, so no stray handle (e.g. esbuild's service) can hold the process. */
let ranDaemon = false;

async function runDaemon(cfg: Config): Promise<number> {
  ranDaemon = true;
  const { startDaemon, DaemonError } = await import("../daemon/index.ts");
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  try {
    daemon = await startDaemon(cfg);
  } catch (e) {
    if (e instanceof DaemonError) {
      process.stderr.write(`tsmgr daemon: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  return new Promise<number>((resolve) => {
    let signalled = false;
    const stop = (sig: string) => {
      if (signalled) {
        process.stderr.write(`tsmgr daemon: second ${sig}, exiting now\n`);
        process.exit(1);
      }
      signalled = true;
      daemon.logger.info({ signal: sig }, "signal received: stopping");
      daemon.stop().then(
        () => resolve(0),
        (e: Error) => {
          process.stderr.write(`tsmgr daemon: error while stopping: ${e.message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tsmgr: ${e.message}\n${USAGE}\n`);
    return Errno.EINVAL;
  }
  if (args.version) {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    out(`tsmgr ${pkg.version}`, process.stdout);
    return 0;
  }
  if ((args.help && args.words.length === 0) || args.words.length === 0) {
    out(USAGE, args.words.length === 0 && !args.help ? process.stderr : process.stdout);
    return args.help ? 0 : Errno.EINVAL;
  }
  let cfg: Config;
  try {
    cfg = loadConfig(configFile(args));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`tsmgr: invalid config: ${e.message}\n`);
    return 2;
  }
  if (args.words[0] === "daemon") {
    if (args.words.length > 1) {
      process.stderr.write(`tsmgr daemon: unexpected arguments ${args.words.slice(1).join(" ")}\n`);
      return Errno.EINVAL;
    }
    return runDaemon(cfg);
  }
  let inbuf: string | undefined;
  if (args.inputFile) {
    try {
      inbuf = readFileSync(args.inputFile === "-" ? 0 : args.inputFile, "utf8");
    } catch (e) {
      process.stderr.write(`tsmgr: -i ${args.inputFile}: ${(e as Error).message}\n`);
      return Errno.ENOENT;
    }
  }
  const res = await sendToGroup(
    cfg,
    { argv: args.words, format: args.format, ...(inbuf === undefined ? {} : { inbuf }) },
    { id: args.id, timeoutMs: args.timeoutMs, onWait: (m) => process.stderr.write(m + "\n") },
  );
  out(res.stdout, process.stdout);
  out(res.stderr, process.stderr);
  return res.retval < 0 ? Math.min(255, -res.retval) : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (ranDaemon) setTimeout(() => process.exit(code), 20).unref();
  },
  (e: Error) => {
    process.stderr.write(`tsmgr: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  },
);
