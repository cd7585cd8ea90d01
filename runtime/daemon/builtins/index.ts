// The daemon's own commands, one file per family, in Ceph's descriptor grammar with Ceph's
// output shapes under `-f json`.
import type { PerfCounters } from "../perf-counters.ts";
import { auditCommands } from "./audit.ts";
import { authCommands } from "./auth.ts";
import { configKeyCommands } from "./config-key.ts";
import { configCommands } from "./config.ts";
import { daemonInfoCommands } from "./daemon-info.ts";
import { descriptionCommands } from "./descriptions.ts";
import { healthCommands } from "./health.ts";
import { helpCommands } from "./help.ts";
import { mgrCommands } from "./mgr.ts";
import { moduleCommands } from "./module.ts";
import { selfTestCommands } from "./selftest.ts";
import { packageCommands } from "./packages.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";
import { grantCommands } from "./grants.ts";
import { topCommands } from "./top.ts";

export function builtinCommands(deps: BuiltinDeps): Builtin[] {
  return [
    ...moduleCommands(deps),
    ...packageCommands(deps),
    ...configKeyCommands(deps),
    ...configCommands(deps),
    ...healthCommands(deps),
    ...mgrCommands(deps),
    ...authCommands(deps),
    ...auditCommands(deps),
    ...helpCommands(deps),
    ...selfTestCommands(deps),
    ...daemonInfoCommands(deps),
    ...descriptionCommands(deps),
    // ---- issue 19: consent and accounting ----
    ...grantCommands(deps),
    ...topCommands(deps),
  ];
}

/** The same commands, each answer counted (and timed) in the daemon's `perf dump`. */
export function countedCommands(builtins: Builtin[], counters: PerfCounters): Builtin[] {
  return builtins.map((b) => ({ ...b, run: (args, req) => counters.timed("builtin", () => b.run(args, req)) }));
}

export { commandDescriptions, type CommandDescription } from "./descriptions.ts";
export { healthReport } from "./health.ts";
export type { Builtin, BuiltinAnswer, BuiltinDeps, CommandRequest, HelpEntry, Perm } from "./types.ts";
