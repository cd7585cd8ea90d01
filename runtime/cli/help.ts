// `tsmgr help [WORDS]` and `tsmgr WORDS --help`: the built-in commands and `daemon` are answered
// here, without a daemon (so help never runs a command nor starts a daemon); other words (a
// module's commands) are asked of the running daemon as `help WORDS`.
import { Errno } from "../errors.ts";
import type { CliArgs } from "./args.ts";
import {
  builtinHelp,
  BUILTIN_WORDS,
  clientHelp,
  DAEMON_USAGE,
  formatHelp,
  matchHelp,
  type HelpEntry,
} from "./builtin-help.ts";
import type { GroupResponse } from "./connect.ts";

/** Sends argv to the daemon group; `noDaemon` when none answers (or the config cannot be read). */
export type Ask = (argv: string[], format: CliArgs["format"]) => Promise<GroupResponse>;

export interface HelpResult {
  retval: number;
  stdout: string;
  stderr: string;
}

function render(entries: readonly HelpEntry[], format: CliArgs["format"]): string {
  if (format === "json") return JSON.stringify(entries);
  if (format === "json-pretty") return JSON.stringify(entries, null, 4);
  return formatHelp(entries);
}

/** The daemon's built-ins and the CLI's own commands. */
const offlineEntries = (): readonly HelpEntry[] => [...builtinHelp(), ...clientHelp()];

/** Help from the built-in list; `noDaemon` says why module commands are not listed, when asked of no daemon. */
function offline(words: readonly string[], format: CliArgs["format"], noDaemon?: string): HelpResult {
  const entries = words.length ? matchHelp(offlineEntries(), words) : offlineEntries();
  const asked = words.join(" ");
  if (entries.length > 0) {
    const note = noDaemon
      ? `module commands are listed by a running daemon, and none answers: ${noDaemon.replace(/^no tsmgr daemon is running/, "none is running")}`
      : "";
    return { retval: 0, stdout: render(entries, format), stderr: note };
  }
  if (noDaemon) {
    return {
      retval: -Errno.ENOENT,
      stdout: "",
      stderr: `"${asked}" is not a built-in command, and module commands are described by a running daemon: ${noDaemon}`,
    };
  }
  const family = matchHelp(offlineEntries(), words.slice(0, 1));
  return {
    retval: -Errno.EINVAL,
    stdout: render(family, format),
    stderr: `no built-in command starts with "${asked}": the "${words[0]}" commands are above`,
  };
}

export async function runHelp(words: readonly string[], format: CliArgs["format"], ask: Ask): Promise<HelpResult> {
  if (words[0] === "daemon") return { retval: 0, stdout: DAEMON_USAGE, stderr: "" };
  if (words.length > 0 && BUILTIN_WORDS.has(words[0]!)) return offline(words, format);
  const res = await ask(["help", ...words], format);
  if (res.noDaemon) return offline(words, format, res.stderr);
  if (res.retval === -Errno.EINVAL && words.length > 0) {
    // a daemon whose `help` takes no words yet: ask for the whole table and pick from it here
    const all = await ask(["help"], "json");
    if (all.retval !== 0 || all.noDaemon) return res;
    const entries = matchHelp(JSON.parse(all.stdout) as HelpEntry[], words);
    if (entries.length === 0)
      return {
        retval: -Errno.ENOENT,
        stdout: "",
        stderr: `no command starts with "${words.join(" ")}": tsmgr help lists them all`,
      };
    return { retval: 0, stdout: render(entries, format), stderr: "" };
  }
  return res;
}
