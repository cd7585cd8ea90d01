// The real command descriptions of a Ceph 16.2.15 cluster (mon, mgr, `tell osd.0`), shipped in
// ./data so the daemon and its tests can use them without ../shared.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseSignature, type JsonSig, type Signature } from "./descriptor.ts";

/** mona: what `ceph tell mon.a` answers (the mon's own admin commands, not the mon command table) */
export type CorpusName = "mon" | "mgr" | "osd0" | "mona";

/** Command flags as MonCommand.h numbers them (the `flags` field of a description). */
export const CommandFlags = {
  NOFORWARD: 1,
  /** `ceph` skips obsolete commands when matching */
  OBSOLETE: 2,
  DEPRECATED: 4,
  /** routed to the mgr */
  MGR: 8,
  POLL: 16,
  HIDDEN: 32,
} as const;

/** One description from get_command_descriptions, with its signature parsed. */
export interface CorpusEntry {
  /** the key in the file, e.g. "cmd042" */
  id: string;
  signature: Signature;
  help: string;
  /** "r", "w", "rw", "rx", "rwx"; absent for osd0, whose admin-socket commands carry none */
  perm?: string;
  /** the Ceph subsystem, e.g. "osd", "mgr"; absent for osd0 */
  module?: string;
  /** CommandFlags bits; 0 when absent */
  flags: number;
}

interface RawEntry extends JsonSig {
  help?: string;
  perm?: string;
  module?: string;
  flags?: number;
}

/**
 * Reads data/<name>-command-descriptions.json and parses every entry, in file order.
 *
 * @example loadCorpus("mgr").filter((e) => !(e.flags & CommandFlags.OBSOLETE)).map((e) => e.signature)
 * @throws SyntaxError when an entry does not parse (the shipped files all do)
 */
export function loadCorpus(name: CorpusName): CorpusEntry[] {
  const url = new URL(`./data/${name}-command-descriptions.json`, import.meta.url);
  const raw = JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as Record<string, RawEntry>;
  return Object.entries(raw).map(([id, entry]) => {
    const parsed: CorpusEntry = {
      id,
      signature: parseSignature(entry),
      help: entry.help ?? "",
      flags: entry.flags ?? 0,
    };
    if (entry.perm !== undefined) parsed.perm = entry.perm;
    if (entry.module !== undefined) parsed.module = entry.module;
    return parsed;
  });
}
