// The daemon's built-in commands as the CLI knows them without a daemon: `tsmgr WORDS --help` and
// `tsmgr help WORDS` answer these from here, so help never needs (or starts) a daemon. The list
// copies runtime/daemon/builtins/*.ts; test/cli/help.test.ts fails when the two drift apart.
import { SIM_COMMANDS } from "../cluster/sim/control-commands.ts";
import { parseSignature } from "../commands/descriptor.ts";
import { formatUsage } from "../commands/usage.ts";

/** One row of `help`, in the daemon's `help -f json` shape. */
export interface HelpEntry {
  prefix: string;
  cmd: string;
  usage: string;
  desc: string;
  perm: string;
  module: string;
}

const BUILTINS: readonly { cmd: string; desc: string; perm: string }[] = [
  { cmd: "module ls", desc: "list modules with their state, version, errors and grants", perm: "r" },
  {
    cmd: "module info name=module,type=CephString",
    desc: "one module's state, version, error, commands and grants",
    perm: "r",
  },
  { cmd: "module enable name=module,type=CephString", desc: "enable a module (persisted across restarts)", perm: "rw" },
  {
    cmd: "module disable name=module,type=CephString",
    desc: "disable a module (persisted across restarts)",
    perm: "rw",
  },
  {
    cmd: "module reload name=module,type=CephString",
    desc: "re-read the module's mgr.json section, rebuild it and restart it now (the old version keeps running if the new one fails)",
    perm: "rw",
  },
  {
    cmd: "module install name=path,type=CephString name=sha512,type=CephString,req=false name=upgrade,type=CephBool,req=false",
    desc: "install a module package (.tgz, its signature beside it as .tgz.sig, or a module folder) into the module path; --upgrade replaces an existing module (kept for rollback)",
    perm: "rw",
  },
  {
    cmd: "module rollback name=module,type=CephString",
    desc: "put back the version of a module that the last install --upgrade (or rollback) replaced",
    perm: "rw",
  },
  { cmd: "config-key get name=key,type=CephString", desc: "get a stored value", perm: "r" },
  {
    cmd: "config-key set name=key,type=CephString name=val,type=CephString,req=false",
    desc: "store a value (durable when the command returns)",
    perm: "rw",
  },
  {
    cmd: "config-key put name=key,type=CephString name=val,type=CephString,req=false",
    desc: "put <key>, value <val> (Ceph's older spelling of config-key set)",
    perm: "rw",
  },
  { cmd: "config-key rm name=key,type=CephString", desc: "delete a stored value", perm: "rw" },
  {
    cmd: "config-key del name=key,type=CephString",
    desc: "delete <key> (Ceph's older spelling of config-key rm)",
    perm: "rw",
  },
  { cmd: "config-key exists name=key,type=CephString", desc: "check whether a key exists", perm: "r" },
  { cmd: "config-key ls", desc: "list every key", perm: "r" },
  { cmd: "config-key list", desc: "list keys (Ceph's older spelling of config-key ls)", perm: "r" },
  {
    cmd: "config-key dump name=key,type=CephString,req=false",
    desc: "every key and value (under an optional prefix)",
    perm: "r",
  },
  {
    cmd: "config set name=who,type=CephString name=name,type=CephString name=value,type=CephString",
    desc: "set a module option: config set mgr mgr/MODULE/OPTION VALUE",
    perm: "rw",
  },
  {
    cmd: "config rm name=who,type=CephString name=name,type=CephString",
    desc: "reset a module option to its default",
    perm: "rw",
  },
  {
    cmd: "config get name=who,type=CephString name=key,type=CephString,req=false",
    desc: "get a module option (its value or default), every option of the section, or one of the daemon's settings (config get http.listen, as a Ceph daemon's admin socket answers config get FIELD)",
    perm: "r",
  },
  { cmd: "config dump", desc: "every module option that is set", perm: "r" },
  {
    cmd: "health name=detail,type=CephChoices,strings=detail,req=false",
    desc: "the manager's health: failed modules and module health checks",
    perm: "r",
  },
  {
    cmd: "health mute name=code,type=CephString name=ttl,type=CephString,req=false name=sticky,type=CephBool,req=false",
    desc: "mute health alert",
    perm: "w",
  },
  { cmd: "health unmute name=code,type=CephString,req=false", desc: "unmute existing health alert mute(s)", perm: "w" },
  { cmd: "status", desc: "the mgr map: which daemon is active, the standbys, services", perm: "r" },
  { cmd: "mgr services", desc: "URIs published by modules", perm: "r" },
  {
    cmd: "mgr fail name=who,type=CephString,req=false",
    desc: "make the active daemon (or WHO) step down so a standby takes over",
    perm: "rw",
  },
  { cmd: "mgr module ls", desc: "list active mgr modules", perm: "r" },
  {
    cmd: "mgr module enable name=module,type=CephString name=force,type=CephChoices,strings=--force,req=false",
    desc: "enable mgr module",
    perm: "rw",
  },
  { cmd: "mgr module disable name=module,type=CephString", desc: "disable mgr module", perm: "rw" },
  { cmd: "mgr stat", desc: "dump basic info about the mgr cluster state", perm: "r" },
  { cmd: "mgr dump name=epoch,type=CephInt,range=0,req=false", desc: "dump the latest MgrMap", perm: "r" },
  {
    cmd: "mgr metadata name=who,type=CephString,req=false",
    desc: "dump metadata for all daemons or a specific daemon",
    perm: "r",
  },
  {
    cmd: "mgr count-metadata name=property,type=CephString",
    desc: "count ceph-mgr daemons by metadata field property",
    perm: "r",
  },
  {
    cmd: "mgr versions",
    desc: "check running versions of ceph-mgr daemons (every member of the group is taken to run this daemon's version)",
    perm: "r",
  },
  {
    cmd: "auth add name=entity,type=CephString name=caps,type=CephString,req=false",
    desc: "create a key for HTTP callers with caps r, w, rw, rwx or * (printed once)",
    perm: "rwx",
  },
  { cmd: "auth rm name=entity,type=CephString", desc: "delete an HTTP caller's key", perm: "rwx" },
  { cmd: "auth ls", desc: "list HTTP callers and their caps (not their keys)", perm: "rwx" },
  {
    cmd: "audit ls name=module,type=CephString,req=false name=denied,type=CephBool,req=false name=since,type=CephString,req=false name=limit,type=CephInt,range=1|100000,req=false",
    desc: "the audit log: grant decisions (denials always), package trust decisions and operator actions, oldest first",
    perm: "r",
  },
  {
    cmd: "help name=words,type=CephString,n=N,req=false",
    desc: "every command with its descriptor and description; with WORDS, those starting with them",
    perm: "r",
  },
  // ---- issue 15: self-test and the cluster log ----
  {
    cmd: "mgr self-test module name=module,type=CephString",
    desc: "run a module's selfTest(): 'Self-test OK' or 'Test failed: ...'",
    perm: "rw",
  },
  {
    cmd: "log last name=num,type=CephInt,range=1,req=false name=channel,type=CephChoices,strings=*|cluster|audit|cephadm,req=false",
    desc: "print the last few lines of the cluster log (modules write it with clusterLog())",
    perm: "r",
  },
  { cmd: "version", desc: "get the daemon's version (tsmgr's, with the Ceph release it speaks)", perm: "r" },
  { cmd: "config show", desc: "dump current config settings", perm: "r" },
  { cmd: "perf dump", desc: "dump perfcounters value", perm: "r" },
  { cmd: "perf schema", desc: "dump perfcounters schema", perm: "r" },
  { cmd: "get_command_descriptions", desc: "list available commands", perm: "r" },
  {
    cmd: "log tail name=since,type=CephInt,range=0,req=false name=module,type=CephString,req=false name=level,type=CephChoices,strings=debug|info|warn|error,req=false",
    desc: "this daemon's recent log records after cursor SINCE (what tsmgr logs shows)",
    perm: "r",
  },
  // ---- issue 19: consent and accounting ----
  {
    cmd: "module grant name=module,type=CephString name=all,type=CephBool,req=false name=grants,type=CephString,n=N,req=false",
    desc: "grant a module what its static PERMISSIONS ask for: --all, or KEY=VALUE (commands=, data=, net=, fetch=, remote=); kept in the store",
    perm: "rw",
  },
  {
    cmd: "module revoke name=module,type=CephString name=all,type=CephBool,req=false name=grants,type=CephString,n=N,req=false",
    desc: "take back grants given with module grant (--all or none named: every one); calls that need them fail from now on",
    perm: "rw",
  },
  {
    cmd: "top",
    desc: "every module's CPU (share over 5 s and 60 s, total), heap, calls, errors, restarts and store use, most CPU first",
    perm: "r",
  },
];

function entry(c: { cmd: string; desc: string; perm: string }): HelpEntry {
  const sig = parseSignature(c.cmd);
  return {
    prefix: sig.prefix.join(" "),
    cmd: sig.text,
    usage: formatUsage(sig),
    desc: c.desc,
    perm: c.perm,
    module: "tsmgr",
  };
}

/**
 * Every built-in command, the `sim ...` ones (of the simulated cluster only) included. Parsed on
 * first use, not at load: a CLI call that is not help would spend ~3 ms of its start on it.
 */
export function builtinHelp(): readonly HelpEntry[] {
  return (parsed ??= [...BUILTINS, ...SIM_COMMANDS].map(entry));
}
let parsed: HelpEntry[] | undefined;

/** The CLI's own commands for module authors, as written: run here, not by a daemon. */
const CLIENT_COMMANDS: readonly { cmd: string; desc: string; perm: string }[] = [
  {
    cmd: "new name=name,type=CephString",
    desc: "write modules/NAME.ts and test/NAME.test.ts from a template (never over an existing module)",
    perm: "r",
  },
  {
    cmd: "check name=module,type=CephString,req=false",
    desc: "type-check a module (NAME or PATH; default: every module) against the SDK, bundle it, validate COMMANDS/MODULE_OPTIONS/NOTIFY_TYPES, list the grants it likely needs",
    perm: "r",
  },
  {
    cmd: "logs name=module,type=CephString,req=false name=follow,type=CephBool,req=false name=level,type=CephChoices,strings=debug|info|warn|error,req=false",
    desc: "the daemon's recent log, pretty (-f/--follow: keep following; --level L: L and above; MODULE: that module's lines)",
    perm: "r",
  },
  {
    cmd: "config validate name=file,type=CephString,req=false",
    desc: "check a mgr.json (default: the -c file) with the daemon's own loader: ok, or the field that is wrong (exit 2)",
    perm: "r",
  },
];

let clientParsed: readonly HelpEntry[] | undefined;
/**
 * The CLI's own commands as help entries, parsed on first use: they are not in the daemon's
 * `help` (test/cli/help.test.ts compares builtinHelp() alone with it).
 */
export function clientHelp(): readonly HelpEntry[] {
  return (clientParsed ??= CLIENT_COMMANDS.map(entry));
}

/** The first words of built-in commands, `daemon` and the CLI's own included. */
export const BUILTIN_WORDS: ReadonlySet<string> = new Set([
  "daemon",
  ...[...BUILTINS, ...SIM_COMMANDS, ...CLIENT_COMMANDS].map((c) => c.cmd.split(" ")[0]!),
]);

/**
 * The entries `words` asks about: those whose prefix starts with the words (`module` → every
 * module command), or whose prefix the words start with (`config-key get KEY` → config-key get).
 */
export function matchHelp(entries: readonly HelpEntry[], words: readonly string[]): HelpEntry[] {
  return entries.filter((e) => {
    const p = e.prefix.split(" ");
    const n = Math.min(p.length, words.length);
    return p.slice(0, n).every((w, i) => w === words[i]);
  });
}

/** The daemon's plain `help` text for these entries. */
export function formatHelp(entries: readonly HelpEntry[]): string {
  return entries
    .map((c) => `${c.usage}\n    ${c.desc}${c.module !== "tsmgr" ? ` (module ${c.module})` : ""}`)
    .join("\n");
}

export const DAEMON_USAGE = `usage: tsmgr daemon [-c FILE]

Runs a tsmgr daemon in the foreground until SIGINT or SIGTERM.
  -c, --config FILE   the config (default: $TSMGR_CONFIG, else ./mgr.json); the daemon's id in
                      its group is the config's "id" (run a standby with a second config)
Logs are JSON lines on stdout, or short coloured lines when stdout is a terminal.
Exit codes: 0 stopped cleanly, 1 an error while running or stopping, 2 a bad config.`;
