// sendCommand from a module: the command is validated against a real Ceph mon's descriptors,
// checked against the module's grant (`allow.commands`), then sent to the cluster backend.
// The completion also reaches the sender as notify("command", tag), as in ceph-mgr (refusals
// under one coalescing tag per module).
import { CommandTable, loadCorpus, type CorpusEntry } from "../commands/index.ts";
import type { ClusterSource, CommandResult } from "../cluster/index.ts";
import { PermissionDenied } from "../errors.ts";

export class MonCommands {
  readonly #table: CommandTable;
  readonly #perm = new Map<string, string>();
  readonly #prefixes = new Set<string>();
  #seq = 0;

  constructor(
    readonly cluster: ClusterSource,
    readonly audit?: (module: string, e: { fn: string; asked: string; allowed: boolean; key: string }) => void,
  ) {
    // obsolete/deprecated entries stay: ceph still accepts them
    const entries: CorpusEntry[] = loadCorpus("mon");
    this.#table = new CommandTable(entries.map((e) => e.signature));
    for (const e of entries) {
      this.#perm.set(e.signature.prefix.join(" "), e.perm ?? "rw");
      this.#prefixes.add(e.signature.prefix.join(" "));
    }
  }

  /** Whether `grants` (mgr.json allow.commands) cover a command of this prefix and perm class. */
  static granted(grants: readonly string[], prefix: string, perm: string): boolean {
    return grants.some((g) => g === "*" || g === "rw" || (g === "r" && perm === "r") || g === prefix || prefix.startsWith(g + " "));
  }

  async send(module: string, grants: readonly string[], cmd: Record<string, unknown>, inbuf: string, onComplete: (tag: string) => void): Promise<CommandResult> {
    const { format, ...rest } = cmd;
    const v = this.#table.validate(rest);
    if (!v.ok) {
      // A refusal is a completion too (ceph-mgr notifies "command" for every one), but all of a
      // module's refusals share one tag: while one is waiting to be delivered, the next coalesces
      // into it, so a module sending garbage in a loop cannot queue one notify per call.
      queueMicrotask(() => onComplete(`${module}.refused`));
      // an unknown prefix gets the mon's own answer; bad arguments the argparse message
      const known = typeof rest.prefix === "string" && this.#prefixes.has(rest.prefix.trim().replace(/\s+/g, " "));
      return known ? { retval: -v.errno, stdout: "", stderr: v.message } : { retval: -22, stdout: "", stderr: "command not known" };
    }
    const prefix = v.signature.prefix.join(" ");
    const perm = this.#perm.get(prefix) ?? "rw";
    this.audit?.(module, { fn: "sendCommand", asked: prefix, allowed: MonCommands.granted(grants, prefix, perm), key: "allow.commands" });
    if (!MonCommands.granted(grants, prefix, perm)) {
      throw new PermissionDenied(`module "${module}" requires permission to send the mon command "${prefix}" (perm ${perm}): grant it in mgr.json at modules.${module}.allow.commands (e.g. ["${prefix}"])`);
    }
    const tag = `${module}.${++this.#seq}`;
    const args = format === undefined ? v.args : { ...v.args, format };
    try {
      return await this.cluster.sendCommand(args as { prefix: string }, inbuf);
    } finally {
      onComplete(tag);
    }
  }
}
