// The `tsmgr` command line: options, config, and every command but `daemon` sent to the daemon
// group over its admin socket. Kept free of daemon imports so the bin can run it as one small
// prebuilt file (see bin/tsmgr.js): a CLI call is then a fraction of its tsx cost.
import { readFileSync } from "node:fs";
import { DEFAULT_LIMITS, loadConfig, type Config } from "../config/index.ts";
import { ConfigError, Errno } from "../errors.ts";
import { escapeControl } from "../text.ts";
import { parseCliArgs, UsageError, USAGE, type CliArgs } from "./args.ts";
import { clientCommand } from "./client-commands.ts";
import { sendToGroup, type GroupResponse } from "./connect.ts";
import { followFlag } from "./logs.ts";
import { runHelp } from "./help.ts";
import { runTop } from "./top.ts";

function configFile(args: CliArgs): string {
  return args.config ?? process.env.TSMGR_CONFIG ?? "mgr.json";
}

/**
 * Writes text for a person: control characters (a module's text can carry them) are shown as
 * escapes, so they cannot recolour, erase or rewrite what the terminal shows. `exact` (JSON) as is.
 */
function out(text: string, stream: NodeJS.WriteStream, exact = false): void {
  if (text === "") return;
  const shown = exact ? text : escapeControl(text, { newlines: true, tabs: true });
  stream.write(shown.endsWith("\n") ? shown : shown + "\n");
}

/** Ceph's errno names, for the `Error ENOENT: ...` line `ceph` prints for a failed command. */
const ERRNO_NAMES = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** Prints a daemon's (or help's) answer and returns the exit code: the errno. */
function print(
  res: { retval: number; stdout: string; stderr: string },
  format: CliArgs["format"],
  cephError = false,
): number {
  out(res.stdout, process.stdout, format !== "plain");
  // as `ceph` does: a daemon's failed answer is "Error EXXX: " and its message
  out(
    cephError && res.retval < 0 && !("noDaemon" in res)
      ? `Error ${ERRNO_NAMES.get(-res.retval) ?? "Unknown"}: ${res.stderr}`
      : res.stderr,
    process.stderr,
  );
  return res.retval < 0 ? Math.min(255, -res.retval) : 0;
}

function readConfig(args: CliArgs): Config | ConfigError {
  try {
    return loadConfig(configFile(args), { id: args.id });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e;
  }
}

function send(
  cfg: Config,
  args: CliArgs,
  argv: string[],
  format: CliArgs["format"],
  inbuf?: string,
): Promise<GroupResponse> {
  return sendToGroup(
    cfg,
    { argv, format, ...(inbuf === undefined ? {} : { inbuf }) },
    { id: args.id, timeoutMs: args.timeoutMs, onWait: (m) => process.stderr.write(m + "\n") },
  );
}

/** `tsmgr help WORDS` and `tsmgr WORDS --help`: never runs the command, never starts a daemon. */
async function help(args: CliArgs, words: string[]): Promise<number> {
  const res = await runHelp(words, args.format, async (argv, format) => {
    const cfg = readConfig(args);
    if (cfg instanceof ConfigError)
      return {
        noDaemon: true,
        retval: -Errno.EINVAL,
        stdout: "",
        stderr: `the config cannot be read (${cfg.message})`,
      };
    return send(cfg, args, argv, format);
  });
  return print(res, args.format);
}

export type DaemonRunner = (cfg: Config) => Promise<number>;

export async function main(argv: readonly string[], runDaemon?: DaemonRunner): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(followFlag(argv));
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
  if (args.words.length === 0) {
    out(USAGE, args.help ? process.stdout : process.stderr);
    return args.help ? 0 : Errno.EINVAL;
  }
  if (args.help) return help(args, args.words);
  if (args.words[0] === "help") return help(args, args.words.slice(1));
  const own = await clientCommand({
    args,
    configFile: configFile(args),
    send: (cfg, words) => send(cfg, args, words, "json"),
  });
  if (own !== undefined) return own;
  const cfg = readConfig(args);
  const w = args.words;
  // module pack | sign need no daemon (and no config: the default size limit without one)
  if (w[0] === "module" && (w[1] === "pack" || w[1] === "sign")) {
    const { runPackageCommand } = await import("./module-package.ts");
    return print(
      await runPackageCommand(
        w,
        cfg instanceof ConfigError ? DEFAULT_LIMITS.packageMaxBytes : cfg.limits.packageMaxBytes,
        args.format !== "plain",
      ),
      args.format,
    );
  }
  if (w[0] === "module" && w[1] === "install")
    args.words = (await import("./module-package.ts")).absoluteInstallPath(w);
  if (cfg instanceof ConfigError) {
    process.stderr.write(`tsmgr: invalid config: ${cfg.message}\n`);
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
  if (args.words[0] === "top")
    return runTop(args.words.slice(1), args.format, {
      ask: (f) => send(cfg, args, ["top"], f),
      write: (t) => void process.stdout.write(t),
      error: (t) => void process.stderr.write(t),
      isTTY: process.stdout.isTTY === true,
    });
  let inbuf: string | undefined;
  if (args.inputFile) {
    try {
      inbuf = readFileSync(args.inputFile === "-" ? 0 : args.inputFile, "utf8");
    } catch (e) {
      process.stderr.write(`tsmgr: -i ${args.inputFile}: ${(e as Error).message}\n`);
      return Errno.ENOENT;
    }
  }
  return print(await send(cfg, args, args.words, args.format, inbuf), args.format, true);
}
