// Mon command dispatch for the simulated cluster: prefix → handler; unknown prefixes fail as the
// mon does ("command not known", EINVAL) and write commands leave audit lines in the cluster log.
import type { CommandResult } from "../types.ts";
import { auditCommand } from "./clog.ts";
import { CLUSTER_COMMANDS } from "./cmd-cluster.ts";
import { OSD_COMMANDS } from "./cmd-osd.ts";
import { EINVAL, fail, type Cmd, type CommandContext, type CommandSpec } from "./cmd-util.ts";

export type { Cmd, CommandContext } from "./cmd-util.ts";

const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map([
  ...Object.entries(OSD_COMMANDS),
  ...Object.entries(CLUSTER_COMMANDS),
]);

export function knownMonPrefixes(): string[] {
  return [...COMMANDS.keys()];
}

/** Runs one mon command against the state (the caller publishes the changes afterwards). */
export function runMonCommand(ctx: CommandContext, cmd: Cmd): CommandResult {
  const spec = COMMANDS.get(cmd.prefix);
  if (!spec) return fail(EINVAL, "command not known");
  if (spec.write) auditCommand(ctx.state, stripFormat(cmd), "dispatch");
  const result = spec.handler(ctx, cmd);
  if (spec.write && result.retval === 0) auditCommand(ctx.state, stripFormat(cmd), "finished");
  return result;
}

function stripFormat(cmd: Cmd): Record<string, unknown> {
  const { format: _format, ...rest } = cmd;
  return rest;
}
