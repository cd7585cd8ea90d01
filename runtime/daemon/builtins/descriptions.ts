// `get_command_descriptions`: the command table in Ceph's JSON form, the one `ceph` reads from a
// daemon before it validates a command line: {"cmd000": {"sig": [...], "help", "module", "perm",
// "flags"}, ...}, the descriptors' argument objects with their keys sorted and every value a
// string, as Ceph's daemons dump them. The admin-socket protocol answers Ceph's tools with it.
import { parseSignature, signatureToJson, type JsonSigItem } from "../../commands/index.ts";
import type { Builtin, BuiltinDeps, HelpEntry } from "./types.ts";

export interface CommandDescription {
  sig: JsonSigItem[];
  help: string;
  module: string;
  perm: string;
  flags: number;
}

/** The Ceph module a command is listed under: the mon's families as Ceph lists them, else "mgr". */
function cephModule(prefix: string): string {
  const first = prefix.split(" ")[0]!;
  if (first === "config-key") return "config-key";
  if (first === "health" || first === "versions") return "mon";
  return "mgr"; // Ceph lists every mgr command, a module's included, under "mgr"
}

/** Ceph's flag for a deprecated spelling (FLAG_DEPRECATED), as its own table marks these. */
const DEPRECATED = new Set(["config-key put", "config-key del", "config-key list"]);

/** The table as `get_command_descriptions` answers it, numbered in table order. */
export function commandDescriptions(help: readonly HelpEntry[]): Record<string, CommandDescription> {
  const out: Record<string, CommandDescription> = {};
  help.forEach((e, i) => {
    const key = `cmd${String(i).padStart(3, "0")}`;
    const flags = e.module === "tsmgr" && DEPRECATED.has(e.prefix) ? 4 : 0;
    out[key] = {
      sig: signatureToJson(parseSignature(e.cmd)).sig,
      help: e.desc,
      module: cephModule(e.prefix),
      perm: e.perm,
      flags,
    };
  });
  return out;
}

export function descriptionCommands(deps: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "get_command_descriptions",
      desc: "list available commands",
      perm: "r",
      needsActive: false,
      run: () => {
        const d = commandDescriptions(deps.help());
        return { data: d, text: JSON.stringify(d, null, 4) };
      },
    },
  ];
}
