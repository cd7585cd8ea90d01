// One command, from request to answer: validate against the command table (built-ins and
// every running module's COMMANDS), check the caller's caps against the command's perm,
// then run it and render the answer in the requested format.
import { CommandTable, formatUsage, parseSignature, type Signature } from "../commands/index.ts";
import { Errno } from "../errors.ts";
import type { CommandResult } from "../cluster/index.ts";
import type { ModuleCommand } from "./module-meta.ts";
import type { Builtin, BuiltinAnswer, CommandRequest, HelpEntry, Perm } from "./builtins/index.ts";

interface Entry {
  signature: Signature;
  desc: string;
  perm: Perm;
  builtin?: Builtin;
  module?: string;
}

export interface TableSources {
  builtins: Builtin[];
  moduleCommands(): ModuleCommand[];
  runModule(module: string, inbuf: string, cmd: Record<string, unknown>, timeoutMs?: number): Promise<CommandResult>;
}

export function allows(caps: string, perm: Perm): boolean {
  if (caps === "*" || caps.includes("*")) return true;
  return [...perm].every((p) => caps.includes(p));
}

/** The caps both sides have: "*" is everything, otherwise the letters in common, in rwx order. */
export function intersectCaps(a: string, b: string): string {
  const all = (c: string) => c === "*" || c.includes("*");
  if (all(a)) return b;
  if (all(b)) return a;
  return [..."rwx"].filter((p) => a.includes(p) && b.includes(p)).join("");
}

/** A request the table does not run: the answer, and whether no command's words fit at all. */
export type Unresolved = CommandResult & { unmatched?: true };

export class CommandRouter {
  readonly #src: TableSources;
  readonly #builtin: Entry[];
  #entries: Entry[] | undefined;
  #bySig = new Map<Signature, Entry>();
  #validator: CommandTable | undefined;

  constructor(src: TableSources) {
    this.#src = src;
    this.#builtin = src.builtins.map((b) => ({
      signature: parseSignature(b.cmd),
      desc: b.desc,
      perm: b.perm,
      builtin: b,
    }));
  }

  builtinPrefixes(): Set<string> {
    return new Set(this.#builtin.map((e) => e.signature.prefix.join(" ")));
  }

  /** Forget the table; it is rebuilt on the next command (modules changed). */
  invalidate(): void {
    this.#entries = undefined;
    this.#validator = undefined;
  }

  entries(): Entry[] {
    if (!this.#entries) {
      const mods = this.#src
        .moduleCommands()
        .map((c) => ({ signature: c.signature, desc: c.desc, perm: c.perm, module: c.module }));
      this.#entries = [...this.#builtin, ...mods];
      this.#bySig = new Map(this.#entries.map((e) => [e.signature, e]));
      this.#validator = new CommandTable(
        this.#entries.map((e) => e.signature),
        { longestPrefixWins: true },
      );
    }
    return this.#entries;
  }

  /** Resolves a request to its entry and typed args, or an error answer. */
  resolve(req: CommandRequest): { entry: Entry; args: Record<string, unknown> } | Unresolved {
    this.entries();
    const input = Array.isArray(req.input) ? req.input : stripMeta(req.input);
    const v = this.#validator!.validate(input);
    if (!v.ok) return { retval: -v.errno, stdout: "", stderr: v.message, ...(v.unmatched ? { unmatched: true } : {}) };
    const entry = this.#bySig.get(v.signature);
    if (!entry) return { retval: -Errno.EINVAL, stdout: "", stderr: "internal error: command matched no table entry" };
    if (!allows(req.caps, entry.perm)) {
      return {
        retval: -Errno.EACCES,
        stdout: "",
        stderr: `access denied: "${entry.signature.prefix.join(" ")}" needs "${entry.perm}" caps; this caller has "${req.caps || "none"}"`,
      };
    }
    return { entry, args: v.args };
  }

  /** Runs a request; pass what `resolve` already returned for it, so it is validated once. */
  async run(
    req: CommandRequest,
    resolved: ReturnType<CommandRouter["resolve"]> = this.resolve(req),
  ): Promise<CommandResult> {
    const r = resolved;
    if ("retval" in r) {
      const { unmatched: _unmatched, ...answer } = r;
      return answer;
    }
    const { entry, args } = r;
    if (entry.module) {
      const cmd = req.format && req.format !== "plain" ? { ...args, format: req.format } : args;
      return this.#src.runModule(entry.module, req.inbuf ?? "", cmd, req.timeoutMs);
    }
    try {
      const a = await entry.builtin!.run(args, req);
      return render(a, req.format ?? "plain");
    } catch (e) {
      const err = e as Error & { errno?: number };
      return { retval: -(err.errno ?? Errno.EINVAL), stdout: "", stderr: err.message };
    }
  }

  help(): HelpEntry[] {
    return this.entries().map((e) => ({
      prefix: e.signature.prefix.join(" "),
      cmd: e.signature.text,
      usage: formatUsage(e.signature),
      desc: e.desc,
      perm: e.perm,
      module: e.module ?? "tsmgr",
    }));
  }
}

/** `format`, `inbuf`, `target` ride along in JSON commands but are not arguments. */
function stripMeta(cmd: Record<string, unknown>): Record<string, unknown> {
  const { format: _f, target: _t, ...rest } = cmd;
  return rest;
}

export function render(a: BuiltinAnswer, format: string): CommandResult {
  const retval = a.retval ?? 0;
  const stderr = a.stderr ?? "";
  if (format === "json")
    return { retval, stdout: a.data === undefined ? (a.text ?? "") : JSON.stringify(a.data), stderr };
  if (format === "json-pretty")
    return { retval, stdout: a.data === undefined ? (a.text ?? "") : JSON.stringify(a.data, null, 4), stderr };
  if (a.text !== undefined) return { retval, stdout: a.text, stderr };
  if (a.data === undefined) return { retval, stdout: "", stderr };
  return { retval, stdout: typeof a.data === "string" ? a.data : JSON.stringify(a.data, null, 4), stderr };
}
