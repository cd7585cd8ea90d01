// One command, from request to answer: validate against the command table (built-ins and
// every running module's COMMANDS), check the caller's caps against the command's perm,
// then run it and render the answer in the requested format.
import { CommandTable, formatUsage, parseSignature, type Signature } from "../commands/index.ts";
import { Errno } from "../errors.ts";
import type { CommandResult } from "../cluster/index.ts";
import type { ModuleCommand } from "./module-meta.ts";

export type Perm = "r" | "w" | "rw" | "x" | "rwx";

/** What a built-in handler returns: data (rendered per format) and/or text (plain). */
export interface BuiltinAnswer {
  data?: unknown;
  text?: string;
  retval?: number;
  stderr?: string;
}

export interface Builtin {
  cmd: string;
  desc: string;
  perm: Perm;
  /** true when only the active daemon can answer (a standby forwards it) */
  needsActive: boolean;
  run(args: Record<string, unknown>, req: CommandRequest): Promise<BuiltinAnswer> | BuiltinAnswer;
}

export interface CommandRequest {
  /** argv words, or a JSON command with `prefix` */
  input: string[] | Record<string, unknown>;
  format?: "plain" | "json" | "json-pretty";
  inbuf?: string;
  /** caller capabilities: a subset of "rwx", or "*" for everything */
  caps: string;
  timeoutMs?: number;
}

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

export class CommandRouter {
  readonly #src: TableSources;
  readonly #builtin: Entry[];
  #entries: Entry[] | undefined;
  #bySig = new Map<Signature, Entry>();
  #validator: CommandTable | undefined;

  constructor(src: TableSources) {
    this.#src = src;
    this.#builtin = src.builtins.map((b) => ({ signature: parseSignature(b.cmd), desc: b.desc, perm: b.perm, builtin: b }));
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
      const mods = this.#src.moduleCommands().map((c) => ({ signature: c.signature, desc: c.desc, perm: c.perm, module: c.module }));
      this.#entries = [...this.#builtin, ...mods];
      this.#bySig = new Map(this.#entries.map((e) => [e.signature, e]));
      this.#validator = new CommandTable(this.#entries.map((e) => e.signature));
    }
    return this.#entries;
  }

  /** Resolves a request to its entry and typed args, or an error answer. */
  resolve(req: CommandRequest): { entry: Entry; args: Record<string, unknown> } | CommandResult {
    this.entries();
    const input = Array.isArray(req.input) ? req.input : stripMeta(req.input);
    const v = this.#validator!.validate(input);
    if (!v.ok) return { retval: -v.errno, stdout: "", stderr: v.message };
    const entry = this.#bySig.get(v.signature);
    if (!entry) return { retval: -Errno.EINVAL, stdout: "", stderr: "internal error: command matched no table entry" };
    if (!allows(req.caps, entry.perm)) {
      return { retval: -Errno.EACCES, stdout: "", stderr: `access denied: "${entry.signature.prefix.join(" ")}" needs "${entry.perm}" caps; this caller has "${req.caps || "none"}"` };
    }
    return { entry, args: v.args };
  }

  /** Runs a request; pass what `resolve` already returned for it, so it is validated once. */
  async run(req: CommandRequest, resolved: ReturnType<CommandRouter["resolve"]> = this.resolve(req)): Promise<CommandResult> {
    const r = resolved;
    if ("retval" in r) return r;
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

  help(): { prefix: string; cmd: string; usage: string; desc: string; perm: Perm; module: string }[] {
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
  if (format === "json") return { retval, stdout: a.data === undefined ? (a.text ?? "") : JSON.stringify(a.data), stderr };
  if (format === "json-pretty") return { retval, stdout: a.data === undefined ? (a.text ?? "") : JSON.stringify(a.data, null, 4), stderr };
  if (a.text !== undefined) return { retval, stdout: a.text, stderr };
  if (a.data === undefined) return { retval, stdout: "", stderr };
  return { retval, stdout: typeof a.data === "string" ? a.data : JSON.stringify(a.data, null, 4), stderr };
}
