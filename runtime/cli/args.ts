// Splits a tsmgr command line into the CLI's own options and the command words sent to the
// daemon. Only these options are the CLI's; every other word (including `--k v` keyword
// arguments of commands) goes to the daemon untouched.

export interface CliArgs {
  config?: string;
  id?: string;
  format: "plain" | "json" | "json-pretty";
  timeoutMs: number;
  inputFile?: string;
  help: boolean;
  version: boolean;
  words: string[];
}

const FORMATS = ["plain", "json", "json-pretty"] as const;

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { format: "plain", timeoutMs: 30_000, help: false, version: false, words: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case "-c":
      case "--config":
        out.config = value();
        break;
      case "--id":
        out.id = value();
        break;
      case "-f":
      case "--format": {
        const f = value();
        if (!FORMATS.includes(f as CliArgs["format"]))
          throw new UsageError(`${name}: "${f}" is not one of ${FORMATS.join(", ")}`);
        out.format = f as CliArgs["format"];
        break;
      }
      case "--timeout": {
        const s = Number(value());
        if (!(s > 0)) throw new UsageError(`--timeout: give a number of seconds > 0`);
        out.timeoutMs = s * 1000;
        break;
      }
      case "-i":
        out.inputFile = value();
        break;
      case "-h":
      case "--help":
        out.help = true;
        break;
      case "--version":
        out.version = true;
        break;
      default:
        out.words.push(a);
    }
  }
  return out;
}

export const USAGE = `usage: tsmgr [-c FILE] [--id ID] [-f plain|json|json-pretty] [--timeout SECONDS] [-i FILE] COMMAND...

  tsmgr daemon                     run a daemon in the foreground (config: -c FILE, $TSMGR_CONFIG, ./mgr.json)
  tsmgr status                     the mgr map: active daemon, standbys, services
  tsmgr health [detail]            the manager's health checks
  tsmgr module ls|info|enable|disable|reload NAME
  tsmgr module install FILE.tgz|DIR [--sha512 HASH] [--upgrade] | rollback NAME
  tsmgr module pack DIR [--out FILE] | sign FILE.tgz --key KEY.pem   (no daemon needed)
  tsmgr config-key get|set|rm|exists|ls|dump ...
  tsmgr config get|set|rm|dump ... (module options: config set mgr mgr/MODULE/OPTION VALUE)
  tsmgr mgr services|fail [ID]     URIs modules publish; hand the active role to a standby
  tsmgr auth add|rm|ls ...         keys for HTTP callers
  tsmgr audit ls [--module M] [--denied] [--since T] [--limit N]
                                   what modules were refused, what operators did
  tsmgr sim osd|host|mon|mds|pool|health|service|tick|status ...
                                   drive the simulated cluster (cluster.backend "sim" only)
  tsmgr help [WORDS...]            commands with their descriptors; with WORDS, those starting so
  tsmgr MODULE-COMMAND WORDS...    any module command, e.g. tsmgr hello bob

  tsmgr WORDS... --help is tsmgr help WORDS...: built-in commands are described without a
  daemon; a module's commands need its daemon running.

Options: -c/--config FILE, --id ID (ask that daemon of the group), -f/--format, --timeout
SECONDS (default 30), -i FILE (input, - for stdin), -h/--help, --version.

The exit code is the command's errno: 0 ok, 2 ENOENT, 11 EAGAIN, 13 EACCES, 22 EINVAL, 110 ETIMEDOUT.`;
