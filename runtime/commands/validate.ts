// Matches a command (argv words or a JSON cmd dict) against a table of signatures as
// ceph_argparse's validate_command does, and builds the typed cmd dict Ceph would send.

import { Errno } from "../errors.ts";
import { parseSignature, type ArgDesc, type Signature } from "./descriptor.ts";
import { Rejection, checkJsonValue, checkWord } from "./types.ts";
import { argUsage, editDistance, formatClosest, formatUsage } from "./usage.ts";

export type ValidationResult =
  | { ok: true; signature: Signature; args: Record<string, unknown> }
  /** `unmatched`: no command's words fit (Ceph's "no valid command found"), as against bad arguments */
  | { ok: false; errno: number; message: string; unmatched?: true };

/** What validateCommand accepts: argv words, or a JSON command such as {"prefix": "osd pool ls"}. */
export type CommandInput = readonly string[] | Readonly<Record<string, unknown>>;

/** `ceph` lists at most this many closest matches. */
const MAX_CLOSEST = 10;
/** A first word further than this from every known one gets Ceph's plain list, not a guess. */
const MAX_TYPO_DISTANCE = 2;
// Python's "." stops only at "\n" (JavaScript's also at "\r", "\u2028", "\u2029")
const KWARG_EQUALS = /^--([^=]+)=([^\n]+)/;
const KWARG_SPACE = /^--([^=]+)/;
/** Confirmation flags older daemons declared as CephString/CephChoices; Ceph lets them through. */
const LEGACY_FLAGS = new Set([
  "--yes-i-really-mean-it",
  "--yes-i-really-really-mean-it",
  "--yes-i-really-really-mean-it-not-faking",
  "--force",
]);

/** A literal word or an argument; literals behave as required arguments named "prefix", as in Ceph. */
interface Step {
  literal: string | undefined;
  arg: ArgDesc | undefined;
  name: string;
  req: boolean;
  repeat: boolean;
  n: number;
  positional: boolean;
  /** positional words are split on commas: repeated, and not CephString (caps contain commas) */
  splitCsv: boolean;
}

interface Compiled {
  sig: Signature;
  steps: Step[];
  required: number;
  /** argument name → step index, for `--name` words */
  byName: Map<string, number>;
}

type Failure = { ok: false; kind: "prefix" | "missing" | "toofew" | "invalid"; message: string };
type Bound = { ok: true; args: Record<string, unknown> } | Failure;

/** A value refused while binding: the word (or comma part) and why. */
class Refusal {
  constructor(
    readonly value: unknown,
    readonly rejection: Rejection,
  ) {}
}

/**
 * A table of signatures indexed for matching: parse and index once, validate many commands.
 *
 * @example
 * const table = new CommandTable(["osd pool ls name=detail,type=CephChoices,strings=detail,req=false"]);
 * table.validate(["osd", "pool", "ls", "detail"]); // { ok: true, args: { prefix: "osd pool ls", detail: "detail" }, ... }
 */
export class CommandTable {
  readonly signatures: readonly Signature[];
  #entries: Compiled[];
  /** table order, stably sorted by required count: Ceph tries the shortest signatures first */
  #byRequired: Compiled[];
  #byFirst = new Map<string, Compiled[]>();
  #byPrefix = new Map<string, Compiled[]>();

  readonly #longestPrefixWins: boolean;

  /**
   * With `longestPrefixWins`, words whose start spells a whole literal prefix are matched only
   * against the commands with the longest such prefix: `victim <a> <b>` can then never take
   * `victim login SECRET` from `victim login <secret>`. Ceph scores every candidate instead (the
   * default, kept for parity); tsmgr's own table, shared by untrusted modules, uses this.
   * @throws SyntaxError when a string descriptor does not parse
   */
  constructor(signatures: Iterable<string | Signature>, options: { longestPrefixWins?: boolean } = {}) {
    this.#longestPrefixWins = options.longestPrefixWins ?? false;
    const sigs = [...signatures].map((s) => (typeof s === "string" ? parseSignature(s) : s));
    this.signatures = sigs;
    this.#entries = sigs.map(compile);
    this.#byRequired = [...this.#entries].sort((a, b) => a.required - b.required);
    for (const entry of this.#entries) {
      pushTo(this.#byFirst, entry.sig.prefix[0]!, entry);
      pushTo(this.#byPrefix, entry.sig.prefix.join(" "), entry);
    }
  }

  /** Validates argv words or a JSON command; never throws for bad user input. */
  validate(input: CommandInput): ValidationResult {
    if (Array.isArray(input)) {
      if (input.some((w) => typeof w !== "string"))
        return einval("invalid command: every word of the command must be a string");
      return this.#validateWords(input as readonly string[]);
    }
    if (input === null || typeof input !== "object") {
      return einval(
        `invalid command: expected a list of words or an object such as {"prefix": "osd pool ls"}, got ${describe(input)}`,
      );
    }
    return this.#validateJson(input as Readonly<Record<string, unknown>>);
  }

  #validateWords(words: readonly string[]): ValidationResult {
    const all = this.#candidates(words);
    const candidates = this.#longestPrefixWins ? longestLiteralPrefix(all, words) : all;
    // No signature starts with the first word: every one scores 0.5 in Ceph, so all are tried.
    const best = candidates.length > 0 ? score(candidates, words) : this.#entries;
    const sorted = candidates.length > 0 ? [...best].sort((a, b) => a.required - b.required) : this.#byRequired;
    let failure: Failure | undefined;
    let found: Compiled | undefined;
    // a first word that is no keyword and differs from the first literal can only fail as a
    // prefix mismatch; skipping the bind keeps unknown commands cheap
    const head = words.length > 0 && !words[0]!.startsWith("--") ? words[0] : undefined;
    for (const entry of sorted) {
      if (head !== undefined && head !== entry.sig.prefix[0]) continue;
      const bound = bind(entry, words);
      if (bound.ok) return { ok: true, signature: entry.sig, args: bound.args };
      if (bound.kind === "prefix" || bound.kind === "toofew") continue;
      failure = bound;
      // a missing argument only settles it when there was a single contender (as in Ceph)
      if (bound.kind === "invalid" || best.length === 1) found = entry;
      break;
    }
    if (found && failure) return einval(`${failure.message}\nusage: ${formatUsage(found.sig)}`);
    const closest = candidates.length > 0 ? rankClosest(best, words) : this.#guess(words);
    return { ...einval(formatClosest(closest.map((c) => c.sig))), unmatched: true };
  }

  /**
   * Signatures that can score above zero: their first word equals the first input word (or, for
   * a single word, starts with it, since Ceph lets the last word match partially). Every other
   * signature scores 0 and drops out as soon as one of these is scored, so skipping them keeps
   * Ceph's result while scoring a few dozen signatures instead of hundreds.
   */
  #candidates(words: readonly string[]): Compiled[] {
    if (words.length === 0) return [];
    if (words.length > 1) return this.#byFirst.get(words[0]!) ?? [];
    const word = words[0]!;
    return this.#entries.filter((e) => e.sig.prefix[0]!.startsWith(word));
  }

  /** Closest matches when no signature starts with the first word: assume a typo in that word. */
  #guess(words: readonly string[]): Compiled[] {
    if (words.length === 0) return this.#entries.slice(0, MAX_CLOSEST);
    let nearest: string | undefined;
    let distance = Infinity;
    for (const first of this.#byFirst.keys()) {
      const d = editDistance(words[0]!, first);
      if (d < distance) [nearest, distance] = [first, d];
    }
    if (nearest === undefined || distance > MAX_TYPO_DISTANCE) return this.#entries.slice(0, MAX_CLOSEST);
    // every first word at the nearest distance: "helo" may mean "help" or "hello"
    const out: Compiled[] = [];
    for (const first of this.#byFirst.keys()) {
      if (editDistance(words[0]!, first) !== distance) continue;
      const corrected = [first, ...words.slice(1)];
      out.push(...rankClosest(score(this.#byFirst.get(first)!, corrected), corrected));
    }
    return out.slice(0, MAX_CLOSEST);
  }

  #validateJson(cmd: Readonly<Record<string, unknown>>): ValidationResult {
    const prefix = cmd.prefix;
    if (typeof prefix !== "string" || prefix.trim() === "") {
      return einval(
        `invalid command: "prefix" must hold the command's words, e.g. {"prefix": "osd pool ls"}; got ${describe(prefix)}`,
      );
    }
    const words = prefix.trim().split(/\s+/);
    const matches = this.#byPrefix.get(words.join(" "));
    if (!matches) {
      const candidates = this.#candidates(words);
      const closest = candidates.length > 0 ? rankClosest(score(candidates, words), words) : this.#guess(words);
      return { ...einval(formatClosest(closest.map((c) => c.sig))), unmatched: true };
    }
    let first: { entry: Compiled; failure: Failure } | undefined;
    for (const entry of matches) {
      const bound = bindJson(entry, cmd);
      if (bound.ok) return { ok: true, signature: entry.sig, args: bound.args };
      first ??= { entry, failure: bound };
    }
    return einval(`${first!.failure.message}\nusage: ${formatUsage(first!.entry.sig)}`);
  }
}

// Parsing and indexing a table costs far more than validating one command, and callers hand the
// same array every time; this memo keeps validateCommand(array, input) as cheap as a table.
const memo = new WeakMap<object, { items: (string | Signature)[]; table: CommandTable }>();

/**
 * Validates argv words or a JSON command against signatures (strings are parsed once per array).
 *
 * @example validateCommand(["mds set_state name=gid,type=CephInt,range=0"], ["mds", "set_state", "1"])
 * @returns `{ok: true, signature, args}` with args typed as Ceph's cmd dict (`prefix` holds the
 *   joined words), or `{ok: false, errno: 22, message}` with a message `ceph` users will recognise
 * @throws SyntaxError when one of the string descriptors is malformed
 */
export function validateCommand(
  signatures: readonly (string | Signature)[] | CommandTable,
  input: CommandInput,
): ValidationResult {
  return tableFor(signatures).validate(input);
}

function tableFor(signatures: readonly (string | Signature)[] | CommandTable): CommandTable {
  if (signatures instanceof CommandTable) return signatures;
  const hit = memo.get(signatures);
  if (hit && sameItems(hit.items, signatures)) return hit.table;
  const table = new CommandTable(signatures);
  memo.set(signatures, { items: [...signatures], table });
  return table;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compile(sig: Signature): Compiled {
  if (!Array.isArray(sig?.prefix) || sig.prefix.length === 0 || !Array.isArray(sig.args)) {
    throw new TypeError(`signature ${describe(sig)} has no prefix words: build it with parseSignature()`);
  }
  const steps: Step[] = sig.prefix.map((word, i) => ({
    literal: word,
    arg: undefined,
    name: sig.prefixNames?.[i] ?? "prefix",
    req: true,
    repeat: false,
    n: 1,
    positional: true,
    splitCsv: false,
  }));
  const byName = new Map<string, number>();
  for (const arg of sig.args) {
    byName.set(arg.name, steps.length);
    steps.push({
      literal: undefined,
      arg,
      name: arg.name,
      req: arg.req,
      repeat: arg.repeat,
      n: arg.n,
      positional: arg.positional,
      splitCsv: arg.repeat && arg.type !== "CephString",
    });
  }
  return { sig, steps, required: steps.filter((s) => s.req).length, byName };
}

/**
 * Ceph's scoring: required steps matched (partial match allowed on the last word), +0.5 for a
 * match that holds without partial matching; keeps the best-scoring entries in table order.
 */
/** The entries whose whole literal prefix starts `words`, longest first: only the longest stay. */
function longestLiteralPrefix(entries: Compiled[], words: readonly string[]): Compiled[] {
  const spelled = (e: Compiled) => e.sig.prefix.length <= words.length && e.sig.prefix.every((w, i) => words[i] === w);
  let longest = 0;
  for (const e of entries) if (e.sig.prefix.length > longest && spelled(e)) longest = e.sig.prefix.length;
  return longest === 0 ? entries : entries.filter((e) => e.sig.prefix.length >= longest);
}

function score(entries: readonly Compiled[], words: readonly string[]): Compiled[] {
  let best = 0;
  let bestEntries: Compiled[] = [];
  for (const entry of entries) {
    let matched = matchnum(entry, words, true);
    if (matched >= Math.floor(best) && matched === matchnum(entry, words, false)) matched += 0.5;
    if (matched < best) continue;
    if (matched > best) {
      best = matched;
      bestEntries = [entry];
    } else {
      bestEntries.push(entry);
    }
  }
  return bestEntries;
}

/**
 * The first MAX_CLOSEST of Ceph's best-scoring entries, nearest first: Ceph lists them in table
 * order, which for "osd pool creat" puts "osd pool create" behind ten other "osd pool" commands.
 * Entries are ranked by the edit distance between the first literal that differs and its word.
 */
function rankClosest(entries: readonly Compiled[], words: readonly string[]): Compiled[] {
  const distance = (entry: Compiled): number => {
    const { prefix } = entry.sig;
    for (let i = 0; i < prefix.length && i < words.length; i++) {
      if (prefix[i] !== words[i]) return editDistance(words[i]!, prefix[i]!);
    }
    return 0;
  };
  const ranked = entries.map((entry, order) => ({ entry, order, d: distance(entry) }));
  ranked.sort((a, b) => a.d - b.d || a.order - b.order);
  return ranked.slice(0, MAX_CLOSEST).map((r) => r.entry);
}

/** ceph_argparse.matchnum: positional only, no keywords, stops at the first refused required step. */
function matchnum(entry: Compiled, words: readonly string[], partial: boolean): number {
  let wi = 0;
  let count = 0;
  for (const step of entry.steps) {
    let seen = 0;
    let limit = step.n;
    while (seen < limit) {
      if (wi >= words.length) return count;
      const word = words[wi++]!;
      if (!fits(step, word, partial && wi === words.length)) {
        if (!step.req) {
          wi--;
          break;
        }
        return count;
      }
      seen++;
      if (step.repeat) limit = seen + 1;
    }
    if (step.req) count++;
  }
  return count;
}

function fits(step: Step, word: string, partial: boolean): boolean {
  if (step.literal !== undefined) return partial ? step.literal.startsWith(word) : step.literal === word;
  if (!step.splitCsv) return !(checkWord(step.arg!, word, partial) instanceof Rejection);
  for (const part of word.split(",")) if (checkWord(step.arg!, part, partial) instanceof Rejection) return false;
  return true;
}

/**
 * ceph_argparse.validate: walks the steps in order, binding `--name value` words to their step
 * wherever they appear; an optional step that refuses a word passes it on to the next step.
 */
function bind(entry: Compiled, words: readonly string[]): Bound {
  const { steps } = entry;
  const args: Record<string, unknown> = {};
  const seen = new Int32Array(steps.length);
  const limit = Int32Array.from(steps, (s) => s.n);
  const injectargs = words[0] === "injectargs";
  let wi = 0;
  let matched = 0;
  let refused: string | undefined; // first refusal of the pending word, shown if it ends up unused

  for (let si = 0; si < steps.length; si++) {
    const step = steps[si]!;
    seen[si] = 0;
    limit[si] = step.n;
    while (seen[si]! < limit[si]!) {
      const word = wi < words.length ? words[wi++] : undefined;
      if (word === undefined && (!step.req || Object.hasOwn(args, step.name))) break;
      if (word) {
        const kw = keyword(entry, word, words, wi);
        if (kw) {
          wi += kw.consumed;
          const kwStep = steps[kw.index]!;
          const values = accept(kwStep, kw.value, true);
          if (values instanceof Refusal) return invalid(refusalMessage(kwStep, values));
          matched++;
          store(args, kwStep, values);
          seen[kw.index]!++;
          if (kwStep.repeat) limit[kw.index] = seen[kw.index]! + 1;
          continue;
        }
      }
      if (!step.positional) return invalid(keywordOnlyMessage(entry, step, word));
      if (word?.startsWith("--") && !(step.arg?.type === "CephChoices" || LEGACY_FLAGS.has(word) || injectargs)) {
        return invalid(unexpectedMessage(entry, word));
      }
      if (word === undefined) return missing(step, seen[si]!);
      const values = accept(step, word, false);
      if (values instanceof Refusal) {
        if (step.req) return step.literal !== undefined ? prefixMismatch(word) : invalid(refusalMessage(step, values));
        refused ??= refusalMessage(step, values, "");
        wi--;
        break;
      }
      matched++;
      store(args, step, values);
      refused = undefined;
      seen[si]!++;
      if (step.repeat) limit[si] = seen[si]! + 1;
    }
  }
  if (matched < entry.required)
    return { ok: false, kind: "toofew", message: "invalid command: not enough arguments given" };
  if (wi < words.length) return invalid(unusedMessage(words.slice(wi), refused));
  return { ok: true, args };
}

/** A `--name=value` or `--name value` word naming an argument of this signature (dashes read as underscores). */
function keyword(
  entry: Compiled,
  word: string,
  words: readonly string[],
  wi: number,
): { index: number; value: string; consumed: number } | undefined {
  const eq = KWARG_EQUALS.exec(word);
  if (eq) {
    const index = entry.byName.get(eq[1]!.replaceAll("-", "_"));
    return index === undefined ? undefined : { index, value: eq[2]!, consumed: 0 };
  }
  const sp = KWARG_SPACE.exec(word);
  if (!sp) return undefined;
  const index = entry.byName.get(sp[1]!.replaceAll("-", "_"));
  if (index === undefined) return undefined;
  if (entry.steps[index]!.arg!.type === "CephBool") return { index, value: "true", consumed: 0 };
  if (wi < words.length) return { index, value: words[wi]!, consumed: 1 };
  return undefined; // "--name" with nothing after it: Ceph treats it as a plain word
}

/** ceph_argparse.validate_one: the typed values of one word (several when comma split). */
function accept(step: Step, word: string, isKeyword: boolean): unknown[] | Refusal {
  if (step.literal !== undefined)
    return word === step.literal ? [word] : new Refusal(word, new Rejection(`expected "${step.literal}"`));
  const arg = step.arg!;
  if (!(step.repeat && (isKeyword || step.splitCsv))) {
    const value = checkWord(arg, word);
    return value instanceof Rejection ? new Refusal(word, value) : [value];
  }
  const values: unknown[] = [];
  for (const part of word.split(",")) {
    const value = checkWord(arg, part);
    if (value instanceof Rejection) return new Refusal(part, value);
    values.push(value);
  }
  return values;
}

/**
 * Ceph's store_arg: n=N values accumulate, literal words join with spaces under their name
 * ("prefix" unless a CephPrefix names another key), and everything else overwrites, so of
 * n=<count> values only the last stays, as in Ceph.
 */
function store(args: Record<string, unknown>, step: Step, values: unknown[]): void {
  const { name } = step;
  if (step.literal !== undefined) {
    args[name] = Object.hasOwn(args, name) ? `${args[name] as string} ${values[0] as string}` : values[0];
  } else if (step.repeat) {
    const list = args[name];
    if (Array.isArray(list)) list.push(...values);
    else args[name] = [...values];
  } else {
    args[name] = values[0];
  }
}

function missing(step: Step, seen: number): Failure {
  if (step.literal !== undefined)
    return { ok: false, kind: "missing", message: `invalid command: missing the word "${step.literal}"` };
  const usage = argUsage(step.arg!);
  if (step.repeat)
    return invalid(`invalid command: missing required argument ${step.name}: give at least one value (${usage})`);
  if (seen === 0 && step.n === 1) {
    const how = step.positional ? "" : `; give it as --${step.name} <value>`;
    return {
      ok: false,
      kind: "missing",
      message: `invalid command: missing required argument ${step.name} (${usage})${how}`,
    };
  }
  return invalid(`invalid command: ${step.name} takes ${step.n} values, got ${seen}`);
}

function bindJson(entry: Compiled, cmd: Readonly<Record<string, unknown>>): Bound {
  const args: Record<string, unknown> = {};
  entry.steps.forEach((step) => step.literal !== undefined && store(args, step, [step.literal]));
  for (const [key, value] of Object.entries(cmd)) {
    if (key === "prefix") continue;
    const index = entry.byName.get(key);
    if (index === undefined) {
      if (key === "format" && typeof value === "string") {
        args.format = value; // the CLI's -f/--format travels in every command, as with ceph
        continue;
      }
      return invalid(unknownFieldMessage(entry, key));
    }
    if (value === null || value === undefined) continue; // an explicit null means "not given"
    const step = entry.steps[index]!;
    const typed = jsonValues(step, value);
    if (typed instanceof Refusal) return invalid(refusalMessage(step, typed));
    if (typed === undefined) continue;
    args[key] = typed;
  }
  for (const arg of entry.sig.args) {
    if (arg.req && !Object.hasOwn(args, arg.name)) {
      return invalid(`invalid command: missing required argument ${arg.name} (${argUsage(arg)})`);
    }
  }
  return { ok: true, args };
}

/** A JSON value for one argument: a list for n=N (a lone value counts as a list of one), else one value. */
function jsonValues(step: Step, value: unknown): unknown {
  const arg = step.arg!;
  if (!arg.repeat) {
    if (Array.isArray(value)) return new Refusal(value, new Rejection("expected a single value, not a list"));
    const typed = checkJsonValue(arg, value);
    return typed instanceof Rejection ? new Refusal(value, typed) : typed;
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return undefined; // same as absent; a required argument is then reported missing
  const typed: unknown[] = [];
  for (const item of list) {
    const one = checkJsonValue(arg, item);
    if (one instanceof Rejection) return new Refusal(item, one);
    typed.push(one);
  }
  return typed;
}

/** `pg_num "abc" is not a CephInt (expected an integer)` / `pg_num "-1" is out of range: must be >= 0` */
function refusalMessage(step: Step, refusal: Refusal, lead = "invalid command: "): string {
  const shown = `${lead}${step.name} ${describe(refusal.value)}`;
  const { rejection } = refusal;
  if (rejection.outOfRange) return `${shown} is out of range: ${rejection.reason}`;
  return `${shown} is not a ${step.arg!.type} (${rejection.reason})`;
}

function unusedMessage(rest: readonly string[], refused: string | undefined): string {
  const list = rest.map((w) => JSON.stringify(w)).join(", ");
  return `invalid command: unused arguments: ${list}${refused ? ` (${refused})` : ""}`;
}

function unexpectedMessage(entry: Compiled, word: string): string {
  const m = KWARG_SPACE.exec(word);
  const names = [...entry.byName.keys()];
  const known = names.length > 0 ? `its arguments are ${names.join(", ")}` : "it takes no arguments";
  if (!m) return `invalid command: unexpected argument ${JSON.stringify(word)}`;
  return `invalid command: unexpected argument ${JSON.stringify(word)}: "${entry.sig.prefix.join(" ")}" has no argument "${m[1]!.replaceAll("-", "_")}"; ${known}`;
}

function keywordOnlyMessage(entry: Compiled, step: Step, word: string | undefined): string {
  if (word === undefined)
    return `invalid command: missing required argument ${step.name}; give it as --${step.name} <value>`;
  const keywordOnly = entry.sig.args.filter((a) => !a.positional).map((a) => `--${a.name}`);
  return `invalid command: unexpected argument ${JSON.stringify(word)}: the remaining arguments are given by name (${keywordOnly.join(", ")})`;
}

function unknownFieldMessage(entry: Compiled, key: string): string {
  const names = entry.sig.args.map((a) => a.name);
  const known = names.length > 0 ? `it takes ${names.join(", ")}` : "it takes no arguments";
  return `invalid command: unknown argument ${JSON.stringify(key)} for "${entry.sig.prefix.join(" ")}"; ${known}`;
}

function prefixMismatch(word: string): Failure {
  return { ok: false, kind: "prefix", message: `invalid command: no match for ${JSON.stringify(word)}` };
}

function invalid(message: string): Failure {
  return { ok: false, kind: "invalid", message };
}

function einval(message: string): ValidationResult & { ok: false } {
  return { ok: false, errno: Errno.EINVAL, message };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
