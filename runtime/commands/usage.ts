// Usage lines as `ceph` prints them (ceph_argparse's helpstr/concise_sig); the string distance
// that ranks suggestions is runtime/suggest.ts's, re-exported for the matcher.

import type { ArgDesc, Signature } from "./descriptor.ts";
export { editDistance } from "../suggest.ts";

/**
 * One-line usage of a signature, e.g. `osd pool create <pool> [<pg_num:int>] [--bulk]`.
 * Optional arguments are bracketed, repeated ones end in `...`, keyword-only ones show `--name`.
 */
export function formatUsage(sig: Signature): string {
  return [...sig.prefix, ...sig.args.map(argUsage)].join(" ");
}

/** Usage of one argument, following ceph_argparse's argdesc.helpstr(). */
export function argUsage(arg: ArgDesc): string {
  let chunk = arg.positional ? positionalChunk(arg) : keywordChunk(arg);
  if (arg.repeat) chunk += "...";
  return arg.req ? chunk : `[${chunk}]`;
}

function positionalChunk(arg: ArgDesc): string {
  switch (arg.type) {
    case "CephBool":
      return `--${arg.name.replaceAll("_", "-")}`;
    case "CephChoices":
      // legacy clusters send format positionally; Ceph shows it as the option it really is
      return arg.name === "format" ? `--format {${arg.strings!.join("|")}}` : `<${arg.name}:${arg.strings!.join("|")}>`;
    case "CephOsdName":
      return "<id|osd.id>";
    case "CephName":
      return "<type.id>";
    case "CephInt":
      return `<${arg.name}:int>`;
    case "CephFloat":
      return `<${arg.name}:float>`;
    default:
      return `<${arg.name}>`;
  }
}

function keywordChunk(arg: ArgDesc): string {
  switch (arg.type) {
    case "CephBool":
      return `--${arg.name.replaceAll("_", "-")}`;
    case "CephChoices":
      return `--${arg.name} {${arg.strings!.join("|")}}`;
    case "CephOsdName":
      return `--${arg.name} <id|osd.id>`;
    case "CephName":
      return `--${arg.name} <type.id>`;
    case "CephInt":
      return `--${arg.name} <int>`;
    case "CephFloat":
      return `--${arg.name} <float>`;
    default:
      return `--${arg.name} <value>`;
  }
}

/** The stderr text of `ceph` when nothing matches: a count line, then one usage per line. */
export function formatClosest(sigs: readonly Signature[]): string {
  const lines = [`no valid command found; ${sigs.length} closest matches:`];
  for (const sig of sigs) lines.push(formatUsage(sig));
  return lines.join("\n");
}
