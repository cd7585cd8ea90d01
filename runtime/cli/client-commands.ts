// The CLI's own commands, run here rather than by a daemon: `new`, `check`, `logs` (which asks
// the daemon for its log) and `config validate`. `check` needs TypeScript, esbuild and
// isolated-vm, so it is loaded from source (through tsx) rather than bundled into the client.
import { dirname, resolve } from "node:path";
import { loadConfig, configFromObject, type Config } from "../config/index.ts";
import { ConfigError, Errno } from "../errors.ts";
import type { CliArgs } from "./args.ts";
import { validateConfigFile } from "./config-validate.ts";
import type { GroupResponse } from "./connect.ts";
import { parseLogsArgs, runLogs } from "./logs.ts";
import { newModule } from "./new-module.ts";

export interface ClientContext {
  args: CliArgs;
  configFile: string;
  send(cfg: Config, argv: string[]): Promise<GroupResponse>;
}

const print = (lines: string[], stream: NodeJS.WriteStream) => {
  for (const l of lines) stream.write(l + "\n");
};

/**
 * Imports one of runtime/'s TypeScript files by URL. The client bundle runs in plain Node, which
 * cannot load .ts: then tsx's loader is registered first (its name is computed, so the bundler
 * leaves it out), as bin/tsmgr.js does for the daemon.
 */
async function importSource<T>(rel: string): Promise<T> {
  const url = new URL(rel, import.meta.url).href;
  try {
    return (await import(url)) as T;
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw e;
    const api = ["tsx", "esm", "api"].join("/");
    ((await import(api)) as { register(): void }).register();
    // another URL: Node keeps the failed import of the first one
    return (await import(`${url}?tsx`)) as T;
  }
}

/** The config for commands that can do without a daemon's: the file if it loads, else the defaults here. */
function configOrDefaults(file: string, id: string | undefined): Config {
  try {
    return loadConfig(file, { id });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return configFromObject({}, resolve("mgr.json"));
  }
}

/** Runs one of the CLI's own commands; undefined when `words` is none of them (a daemon command). */
export async function clientCommand(c: ClientContext): Promise<number | undefined> {
  const [w0, w1, ...rest] = c.args.words;
  if (w0 === "config" && w1 === "validate") {
    if (rest.length > 1) return usage(`config validate takes one FILE, got ${rest.join(" ")}`);
    const r = validateConfigFile(rest[0] ?? c.configFile, c.args.id);
    print(r.stdout ? [r.stdout] : [], process.stdout);
    print(r.stderr ? [r.stderr] : [], process.stderr);
    return r.code;
  }
  if (w0 === "new") {
    if (rest.length) return usage(`new takes one NAME, got ${[w1, ...rest].join(" ")}`);
    const cfg = configOrDefaults(c.configFile, c.args.id);
    const r = newModule(w1, cfg.modulePath, cfg.file ? dirname(cfg.file) : process.cwd());
    print(r.out, process.stdout);
    print(r.err, process.stderr);
    return r.code;
  }
  if (w0 === "check") {
    if (rest.length) return usage(`check takes one NAME or PATH, got ${[w1, ...rest].join(" ")}`);
    const { runCheck } = await importSource<typeof import("./check.ts")>("./check.ts");
    const r = await runCheck(w1, configOrDefaults(c.configFile, c.args.id));
    print(r.out, process.stdout);
    print(r.err, process.stderr);
    return r.code;
  }
  if (w0 === "logs") return logs(c);
  return undefined;
}

async function logs(c: ClientContext): Promise<number> {
  const a = parseLogsArgs(c.args.words.slice(1));
  if (typeof a === "string") return usage(a);
  let cfg: Config;
  try {
    cfg = loadConfig(c.configFile, { id: c.args.id });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`tsmgr: invalid config: ${e.message}\n`);
    return 2;
  }
  let stopped = false;
  process.once("SIGINT", () => (stopped = true));
  return runLogs(
    a,
    (argv) => c.send(cfg, argv),
    (line) => process.stdout.write(line + "\n"),
    {
      color: process.stdout.isTTY === true,
      json: c.args.format !== "plain",
      stop: () => stopped,
    },
  );
}

function usage(message: string): number {
  process.stderr.write(`tsmgr: ${message} (tsmgr help lists the commands)\n`);
  return Errno.EINVAL;
}
