// Checks what a module class declares (its kind, COMMANDS, MODULE_OPTIONS, NOTIFY_TYPES) and
// turns it into host-side data, with load errors that say what was expected.
import { withCephModuleOptions } from "./module-logging.ts";
import { parseSignature, type Signature } from "../commands/index.ts";
import type { NotifyType } from "../cluster/index.ts";
import { ModuleLoadError } from "../errors.ts";
import type { ModuleMeta } from "../sandbox/index.ts";
import { validateOptionDecls, type OptionDecl } from "../store/index.ts";
import { didYouMean } from "../suggest.ts";
import { GRANT_KEYS, type GrantLists } from "./grants.ts";

export interface ModuleCommand {
  signature: Signature;
  desc: string;
  perm: "r" | "w" | "rw" | "x";
  module: string;
}

export interface CheckedMeta {
  commands: ModuleCommand[];
  options: OptionDecl[];
  notifyTypes: Set<string>;
  hasStandby: boolean;
  /** static EXPORTS: the methods other modules may remote() */
  exports: string[];
  /** Ceph's can_run / error_string */
  canRun: boolean;
  errorString: string;
  /** static PERMISSIONS: what the module asks for (undefined: it declares nothing, issue 19) */
  permissions: GrantLists | undefined;
}

/** Entry points the daemon calls: never callable through remote(). */
const NOT_EXPORTABLE = ["constructor", "serve", "notify", "handleCommand", "shutdown", "configNotify", "selfTest"];

const PERMS = new Set(["r", "w", "rw", "x"]);
const COMMAND_FIELDS = ["cmd", "desc", "perm"];

/**
 * Every type a module can list in NOTIFY_TYPES: what the cluster backends emit, plus "command"
 * (a sendCommand completed) and "clog". Kept in step with the SDK's NotifyType by
 * test/loader/module-meta.test.ts. A type missing here makes modules listing it fail to load,
 * loudly; a type not listed used to make notify() silently never run.
 */
export const NOTIFY_TYPES = [
  "osd_map",
  "pg_summary",
  "health",
  "mon_map",
  "fs_map",
  "service_map",
  "mon_status",
  "perf_schema_update",
  "clog",
  "command",
] as const satisfies readonly NotifyType[];

function parseList(name: string, what: string, raw: string | undefined): unknown[] {
  if (raw === undefined) return [];
  const v = JSON.parse(raw) as unknown;
  if (!Array.isArray(v))
    throw new ModuleLoadError(`module ${name}: static ${what} must be an array, got ${v === null ? "null" : typeof v}`);
  return v;
}

export function checkMeta(name: string, file: string, meta: ModuleMeta): CheckedMeta {
  if (meta.activeKind !== "active") {
    const found =
      meta.activeKind === "undefined"
        ? "no default export"
        : meta.activeKind === "class"
          ? "a class that does not extend MgrModule"
          : `a ${meta.activeKind}`;
    throw new ModuleLoadError(
      `${file}: the default export must be a class extending MgrModule from "@tsmgr/sdk" (found ${found}); write: export default class ${name[0]!.toUpperCase()}${name.slice(1)} extends MgrModule { ... }`,
    );
  }
  if (meta.standbyKind !== "none" && meta.standbyKind !== "standby") {
    throw new ModuleLoadError(
      `${file}: the export named Standby must be a class extending MgrStandbyModule from "@tsmgr/sdk" (found ${meta.standbyKind === "class" ? "a class that does not extend it" : `a ${meta.standbyKind}`})`,
    );
  }
  const commands: ModuleCommand[] = [];
  for (const [i, c] of parseList(name, "COMMANDS", meta.commands).entries()) {
    const at = `module ${name}: COMMANDS[${i}]`;
    if (typeof c !== "object" || c === null) throw new ModuleLoadError(`${at} must be an object {cmd, desc, perm}`);
    for (const field of Object.keys(c)) {
      if (!COMMAND_FIELDS.includes(field))
        throw new ModuleLoadError(
          `${at} has an unknown field ${JSON.stringify(field)}${didYouMean(field, COMMAND_FIELDS)}: a command is {cmd, desc, perm}`,
        );
    }
    const { cmd, desc, perm } = c as Record<string, unknown>;
    if (desc !== undefined && typeof desc !== "string")
      throw new ModuleLoadError(`${at}.desc must be a string (one line of help), got ${JSON.stringify(desc)}`);
    if (typeof cmd !== "string")
      throw new ModuleLoadError(`${at}.cmd must be a descriptor string such as "hello name=person,type=CephString"`);
    let signature: Signature;
    try {
      signature = parseSignature(cmd);
    } catch (e) {
      throw new ModuleLoadError(`${at}: bad descriptor ${JSON.stringify(cmd)}: ${(e as Error).message}`);
    }
    if (signature.prefix.length === 0)
      throw new ModuleLoadError(`${at}: descriptor ${JSON.stringify(cmd)} has no prefix words`);
    const p = perm === undefined ? "r" : perm;
    if (typeof p !== "string" || !PERMS.has(p))
      throw new ModuleLoadError(`${at}.perm must be "r", "w", "rw" or "x", got ${JSON.stringify(perm)}`);
    commands.push({
      signature,
      desc: typeof desc === "string" ? desc : "",
      perm: p as ModuleCommand["perm"],
      module: name,
    });
  }
  let options: OptionDecl[];
  try {
    // The active class's declarations serve both roles: a standby reads the same options
    // (in Ceph, options missing on the standby class silently lost their defaults).
    options = withCephModuleOptions(validateOptionDecls(name, JSON.parse(meta.options ?? "[]")));
  } catch (e) {
    throw new ModuleLoadError(`module ${name}: MODULE_OPTIONS: ${(e as Error).message}`);
  }
  const notifyTypes = checkNotifyTypes(name, parseList(name, "NOTIFY_TYPES", meta.notifyTypes));
  const exports = checkExports(name, parseList(name, "EXPORTS", meta.exports));
  const permissions = checkPermissions(name, (meta as ModuleMeta & { permissions?: string }).permissions);
  return {
    commands,
    options,
    notifyTypes,
    hasStandby: meta.standbyKind === "standby",
    exports,
    canRun: meta.canRun !== false,
    errorString: meta.errorString ?? "",
    permissions,
  };
}

/** NOTIFY_TYPES as a set; an unknown type is a load error (notify() would never run for it). */
function checkNotifyTypes(name: string, list: unknown[]): Set<string> {
  const known: readonly string[] = NOTIFY_TYPES;
  for (const [i, t] of list.entries()) {
    const at = `module ${name}: NOTIFY_TYPES[${i}]`;
    if (typeof t !== "string")
      throw new ModuleLoadError(
        `${at} must be a notification type name such as "osd_map", got ${JSON.stringify(t) ?? typeof t}`,
      );
    if (!known.includes(t))
      throw new ModuleLoadError(
        `${at} ${JSON.stringify(t)} is not a notification type${didYouMean(t, known)}: known types are ${known.join(", ")}`,
      );
  }
  return new Set(list as string[]);
}

/** EXPORTS: method names; the daemon's own entry points are refused (a caller could otherwise stop or reconfigure the module). */
function checkExports(name: string, list: unknown[]): string[] {
  for (const [i, m] of list.entries()) {
    const at = `module ${name}: EXPORTS[${i}]`;
    if (typeof m !== "string" || !/^[A-Za-z_$][\w$]{0,127}$/.test(m))
      throw new ModuleLoadError(`${at} must be a method name such as "ls", got ${JSON.stringify(m) ?? typeof m}`);
    if (NOT_EXPORTABLE.includes(m))
      throw new ModuleLoadError(
        `${at} ${JSON.stringify(m)} is an entry point the daemon calls: it cannot be exported; export a method of your own that calls it`,
      );
  }
  return list as string[];
}

/** PERMISSIONS: { commands, data, net, fetch, remote }, each a list of strings as in mgr.json's allow. */
function checkPermissions(name: string, raw: string | undefined): GrantLists | undefined {
  if (raw === undefined) return undefined;
  const v = JSON.parse(raw) as unknown;
  const at = `module ${name}: static PERMISSIONS`;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ModuleLoadError(
      `${at} must be an object such as { commands: ["osd pool ls"], data: ["osd_map"] }, got ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`,
    );
  const known: readonly string[] = GRANT_KEYS;
  const out: GrantLists = {};
  for (const [k, list] of Object.entries(v)) {
    if (!known.includes(k))
      throw new ModuleLoadError(
        `${at} has an unknown key ${JSON.stringify(k)}${didYouMean(k, known)}: known keys are ${known.join(", ")}`,
      );
    if (!Array.isArray(list) || list.length > 256)
      throw new ModuleLoadError(
        `${at}.${k} must be an array of at most 256 strings, as modules.${name}.allow.${k} in mgr.json`,
      );
    for (const [i, e] of list.entries()) {
      if (typeof e !== "string" || e.length === 0 || e.length > 256)
        throw new ModuleLoadError(
          `${at}.${k}[${i}] must be a non-empty string of at most 256 characters, got ${JSON.stringify(e) ?? typeof e}`,
        );
    }
    out[k as keyof GrantLists] = [...new Set(list as string[])];
  }
  return out;
}
