// The `tsmgr` command line: options, config, and every command but `daemon` sent to the daemon
// group over its admin socket. Kept free of daemon imports so the bin can run it as one small
// prebuilt file (see bin/tsmgr.js): a CLI call is then a fraction of its tsx cost.
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

export type DaemonRunner = (cfg: Config) => Promise<number>;

export async function main(argv: readonly string[], runDaemon?: DaemonRunner): Promise<number> {
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
    if (!runDaemon) throw new Error("this entry point cannot run a daemon");
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

