// What every built-in command family is made of: a descriptor, a perm, whether only the active
// daemon can answer it, and a handler returning data (rendered per -f) and/or plain text.
import type { AuditLog } from "../../audit/index.ts";
import type { KvStore } from "../../store/index.ts";
import type { PackageInstaller } from "../../packages/index.ts";
import type { MgrMap } from "../../election/index.ts";
import type { Config } from "../../config/index.ts";
import type { AuthKeys } from "../auth-keys.ts";
import type { PerfCounters } from "../perf-counters.ts";
import type { ModuleManager } from "../modules.ts";

export type Perm = "r" | "w" | "rw" | "x" | "rwx";

/** What a built-in handler returns: data (rendered per format) and/or text (plain). */
export interface BuiltinAnswer {
  data?: unknown;
  text?: string;
  retval?: number;
  stderr?: string;
}

export interface CommandRequest {
  /** argv words, or a JSON command with `prefix` */
  input: string[] | Record<string, unknown>;
  format?: "plain" | "json" | "json-pretty";
  inbuf?: string;
  /** caller capabilities: a subset of "rwx", or "*" for everything */
  caps: string;
  timeoutMs?: number;
}

export interface Builtin {
  cmd: string;
  desc: string;
  perm: Perm;
  /** true when only the active daemon can answer (a standby forwards it) */
  needsActive: boolean;
  run(args: Record<string, unknown>, req: CommandRequest): Promise<BuiltinAnswer> | BuiltinAnswer;
}

/** One entry of `help`: what the command table lists for a command. */
export interface HelpEntry {
  prefix: string;
  cmd: string;
  usage: string;
  desc: string;
  perm: Perm;
  module: string;
}

/** What the built-in commands need from the daemon. */
export interface BuiltinDeps {
  kv: KvStore;
  auth: AuthKeys;
  modules: ModuleManager;
  help(): HelpEntry[];
  mgrMap(): MgrMap;
  fail(who: string | undefined): Promise<string>;
  /** re-reads mgr.json's module sections (all, or one module's); the modules whose section changed */
  reloadConfig(only?: string): Promise<string[]>;
  /** this daemon's configuration (`config show`, `mgr metadata`) */
  config: Config;
  /** this daemon's own counters (`perf dump`) */
  counters: PerfCounters;
  audit: AuditLog;
  packages: PackageInstaller;
}
