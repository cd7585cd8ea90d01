// sendCommand from a module: the command is validated against the real descriptors of where it
// goes (the mon cluster, or one daemon: see command-targets.ts), checked against the module's
// grant (`allow.commands`), then sent to the cluster backend.
// The completion also reaches the sender as notify("command", tag), as in ceph-mgr (refusals
// under one coalescing tag per module).
import { CommandTable, loadCorpus, type CorpusEntry } from "../commands/index.ts";
import type { ClusterSource, CommandResult } from "../cluster/index.ts";
import { PermissionDenied } from "../errors.ts";
import { parseTarget, targetGranted, targetName, targetTable, type Target } from "./command-targets.ts";

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

  /**
   * Validates, checks the grant, sends, and calls `onComplete(tag)` when done. `opts.target` sends
   * to one daemon ("osd.0", "mon.a", "mds.a", "mgr"; default the mon cluster), `opts.tag` names
   * the completion; the result carries the tag notify("command") delivers.
   */
  async send(
    module: string,
    grants: readonly string[],
    cmd: Record<string, unknown>,
    inbuf: string,
    onComplete: (tag: string) => void,
    opts: SendOptions = {},
  ): Promise<TaggedResult> {
    const parsed = opts.target === undefined || opts.target === "" ? MON_CLUSTER : parseTarget(opts.target);
    const target = parsed.type === "mon" && parsed.id === "" ? MON_CLUSTER : parsed;
    const { format, ...rest } = cmd;
    const checked = this.#validate(target, rest);
    if (!checked.ok) {
      // A refusal is a completion too (ceph-mgr notifies "command" for every one), but all of a
      // module's refusals share one tag: while one is waiting to be delivered, the next coalesces
      // into it, so a module sending garbage in a loop cannot queue one notify per call.
      const tag = opts.tag ?? `${module}.refused`;
      queueMicrotask(() => onComplete(tag));
      return { ...checked.result, tag };
    }
    const { prefix, perm, args } = checked;
    const allowed = targetGranted(grants, target, prefix, perm);
    this.audit?.(module, {
      fn: "sendCommand",
      asked: target === MON_CLUSTER ? prefix : `${targetName(target)}:${prefix}`,
      allowed,
      key: "allow.commands",
    });
    if (!allowed) throw this.#denied(module, target, prefix, perm);
    const tag = opts.tag ?? `${module}.${++this.#seq}`;
    const typed = (format === undefined ? args : { ...args, format }) as { prefix: string };
    try {
      const r =
        target === MON_CLUSTER
          ? await this.cluster.sendCommand(typed, inbuf)
          : await this.cluster.sendDaemonCommand(target, typed, inbuf);
      return { ...r, tag };
    } finally {
      onComplete(tag);
    }
  }

  #validate(target: Target, rest: Record<string, unknown>): Checked {
    if (target === MON_CLUSTER) {
      const v = this.#table.validate(rest);
      if (v.ok)
        return {
          ok: true,
          prefix: v.signature.prefix.join(" "),
          perm: this.#perm.get(v.signature.prefix.join(" ")) ?? "rw",
          args: v.args,
        };
      // an unknown prefix gets the mon's own answer; bad arguments the argparse message
      const known = typeof rest.prefix === "string" && this.#prefixes.has(rest.prefix.trim().replace(/\s+/g, " "));
      return {
        ok: false,
        result: known
          ? { retval: -v.errno, stdout: "", stderr: v.message }
          : { retval: -22, stdout: "", stderr: "command not known" },
      };
    }
    const t = targetTable(target);
    if (!t) {
      // no descriptors for this daemon type: the prefix must be a string, and a grant must name it
      if (typeof rest.prefix !== "string" || rest.prefix.trim() === "")
        return { ok: false, result: { retval: -22, stdout: "", stderr: "command not known" } };
      return { ok: true, prefix: rest.prefix.trim().replace(/\s+/g, " "), perm: "rwx", args: rest };
    }
    const v = t.table.validate(rest);
    if (v.ok)
      return {
        ok: true,
        prefix: v.signature.prefix.join(" "),
        perm: t.perm.get(v.signature.prefix.join(" ")) ?? "rw",
        args: v.args,
      };
    const known = typeof rest.prefix === "string" && t.perm.has(rest.prefix.trim().replace(/\s+/g, " "));
    return {
      ok: false,
      result: known
        ? { retval: -v.errno, stdout: "", stderr: v.message }
        : { retval: -22, stdout: "", stderr: `command not known to ${targetName(target)}` },
    };
  }

  #denied(module: string, target: Target, prefix: string, perm: string): PermissionDenied {
    if (target === MON_CLUSTER) {
      return new PermissionDenied(
        `module "${module}" requires permission to send the mon command "${prefix}" (perm ${perm}): grant it in mgr.json at modules.${module}.allow.commands (e.g. ["${prefix}"])`,
      );
    }
    return new PermissionDenied(
      `module "${module}" requires permission to send "${prefix}" (perm ${perm}) to ${targetName(target)}: grant it in mgr.json at modules.${module}.allow.commands (e.g. ["${target.type}:${prefix}"])`,
    );
  }
}

export interface SendOptions {
  target?: string;
  tag?: string;
}

/** A command's result with the tag its notify("command", tag) carries. */
export type TaggedResult = CommandResult & { tag: string };

type Checked =
  { ok: true; prefix: string; perm: string; args: Record<string, unknown> } | { ok: false; result: CommandResult };

/** The mon cluster: an untargeted command, validated against all of the mon's descriptors. */
const MON_CLUSTER: Target = Object.freeze({ type: "mon", id: "" });
