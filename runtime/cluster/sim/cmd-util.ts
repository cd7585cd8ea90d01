// Shared pieces of the simulated mon commands: the command context, argument coercion and
// replies in Ceph's formats (JSON for json/json-pretty, plain text otherwise).
import type { CommandResult } from "../types.ts";
import type { SimState } from "./state.ts";

export type Cmd = { prefix: string; format?: unknown; [k: string]: unknown };

export interface CommandContext {
  state: SimState;
  /** The published JSON text of a data name (cached per version). */
  json(name: string): string;
}

export interface CommandSpec {
  handler: (ctx: CommandContext, cmd: Cmd) => CommandResult;
  /** Changes state: the mon writes audit lines for it. */
  write?: boolean;
}

export const EINVAL = -22;
export const ENOENT = -2;
export const EPERM = -1;

export const fail = (retval: number, stderr: string): CommandResult => ({ retval, stdout: "", stderr });
export const done = (stderr = ""): CommandResult => ({ retval: 0, stdout: "", stderr });

export function wantsJson(cmd: Cmd): boolean {
  return typeof cmd.format === "string" && cmd.format.startsWith("json");
}

/**
 * Answers with `data` as JSON (a value, or already-serialized text) or with `plain()` text.
 * json-pretty is indented by 4, as Ceph's pretty formatter does.
 */
export function reply(cmd: Cmd, data: unknown, plain: () => string, stderr = ""): CommandResult {
  if (wantsJson(cmd)) {
    const pretty = cmd.format === "json-pretty";
    let text: string;
    if (typeof data === "string") text = pretty ? JSON.stringify(JSON.parse(data), null, 4) : data;
    else text = JSON.stringify(data, null, pretty ? 4 : undefined);
    return { retval: 0, stdout: text, stderr };
  }
  return { retval: 0, stdout: plain(), stderr };
}

/** Typed args: a CephString n=N arrives as an array, but accept a lone value too. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function str(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** A CephOsdName arrives as a number (or "osd.N"): the id, or undefined. */
export function osdId(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  const m = /^(?:osd\.)?(\d+)$/.exec(String(value ?? ""));
  return m ? Number(m[1]) : undefined;
}
