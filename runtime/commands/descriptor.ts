// Ceph command descriptors: parses the string grammar of MonCommands.h and the JSON form of
// get_command_descriptions into one Signature shape, and writes both forms back out.

/** Every argument type of ceph_argparse (CephSizeBytes is the newest). */
export const CEPH_TYPES = [
  "CephInt",
  "CephFloat",
  "CephString",
  "CephSocketpath",
  "CephIPAddr",
  "CephEntityAddr",
  "CephPgid",
  "CephName",
  "CephOsdName",
  "CephChoices",
  "CephBool",
  "CephFilepath",
  "CephFragment",
  "CephUUID",
  "CephPrefix",
  "CephPoolname",
  "CephObjectname",
  "CephSizeBytes",
] as const;

export type CephType = (typeof CEPH_TYPES)[number];

/** Units CephSizeBytes understands, as powers of 1024 (Ceph counts K as 1024 too). */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 0,
  K: 1,
  KB: 1,
  M: 2,
  MB: 2,
  G: 3,
  GB: 3,
  T: 4,
  TB: 4,
  P: 5,
  PB: 5,
};

/** One argument of a signature (everything after the literal prefix words). */
export interface ArgDesc {
  /** key in the cmd dict; `--name` on the command line */
  name: string;
  type: Exclude<CephType, "CephPrefix">;
  /** false for `req=false` */
  req: boolean;
  /** `n=N`: one or more values, collected in an array */
  repeat: boolean;
  /**
   * `n=<int>`: up to that many words, each overwriting the last, as Ceph's store_arg does (only
   * `n=N` collects a list); 1 when absent, and for `n=N`
   */
  n: number;
  /** false for `positional=false`: only `--name value` binds it */
  positional: boolean;
  /** inclusive bounds from `range=min` or `range=min|max` (CephInt, CephFloat) */
  range?: { min: number; max?: number };
  /** allowed words from `strings=a|b|c` (CephChoices) */
  strings?: string[];
  /** regex character class of allowed characters (CephString) */
  goodchars?: string;
  /** unit assumed for a bare number (CephSizeBytes) */
  defaultUnit?: string;
}

/** A parsed command descriptor. */
export interface Signature {
  /** the literal words, e.g. ["osd", "pool", "create"] */
  prefix: string[];
  /**
   * The key each literal word is stored under, present only when a `type=CephPrefix` item names
   * one other than "prefix": `t name=x,type=CephPrefix,prefix=abc` gives ["prefix", "x"], and
   * "t abc" then validates to {prefix: "t", x: "abc"}, as in Ceph.
   */
  prefixNames?: string[];
  args: ArgDesc[];
  /** canonical string form; parsing it again gives an equal Signature */
  text: string;
}

/** An argument object of the JSON form; Ceph sends every value as a string. */
export type JsonArg = Readonly<Record<string, string | number | boolean>>;
export type JsonSigItem = string | JsonArg;
/** The JSON form: a corpus entry or anything else with a `sig` array. */
export interface JsonSig {
  sig: readonly JsonSigItem[];
}

const COMMON_KEYS = ["name", "type", "req", "n", "positional"] as const;
const TYPE_KEYS: Partial<Record<CephType, readonly string[]>> = {
  CephInt: ["range"],
  CephFloat: ["range"],
  CephString: ["goodchars"],
  CephChoices: ["strings"],
  CephSizeBytes: ["default_unit"],
};
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Where a descriptor came from decides how forgiving we are about `req`/`positional` values. */
type Origin = "string" | "json";

interface RawArg {
  fields: Map<string, string>;
  /** how the token looked, for error messages */
  shown: string;
}

/**
 * Parses a descriptor in Ceph's string grammar or its JSON form.
 *
 * @example parseSignature("osd pool create name=pool,type=CephPoolname name=pg_num,type=CephInt,range=0,req=false")
 * @example parseSignature({ sig: ["osd", "pool", "ls", { name: "detail", type: "CephChoices", strings: "detail", req: "false" }] })
 * @throws SyntaxError naming the descriptor and what is wrong with it
 */
export function parseSignature(descriptor: string | JsonSig | readonly JsonSigItem[]): Signature {
  if (typeof descriptor === "string") return build(tokenize(descriptor), quoteString(descriptor), "string");
  const items = Array.isArray(descriptor) ? descriptor : (descriptor as JsonSig | null)?.sig;
  if (!Array.isArray(items)) {
    throw new TypeError(
      `command descriptor ${safeJson(descriptor)} is neither a string nor an object with a "sig" array`,
    );
  }
  const shown = safeJson(items);
  return build(
    items.map((item) => fromJsonItem(item, shown)),
    shown,
    "json",
  );
}

/** The JSON descriptor form of a signature, with keys sorted as Ceph's daemons dump them. */
export function signatureToJson(sig: Signature): { sig: JsonSigItem[] } {
  const items: JsonSigItem[] = [...sig.prefix];
  sig.prefix.forEach((word, i) => {
    const name = sig.prefixNames?.[i];
    if (name !== undefined && name !== "prefix") items[i] = { name, prefix: word, type: "CephPrefix" };
  });
  for (const arg of sig.args) items.push(sortedObject(argFields(arg)));
  return { sig: items };
}

/** The `key=value` pairs of one argument, in the canonical order used by `Signature.text`. */
export function argFields(arg: ArgDesc): [string, string][] {
  const fields: [string, string][] = [
    ["name", arg.name],
    ["type", arg.type],
  ];
  if (arg.range) fields.push(["range", formatRange(arg)]);
  if (arg.strings) fields.push(["strings", arg.strings.join("|")]);
  if (arg.goodchars !== undefined) fields.push(["goodchars", arg.goodchars]);
  if (arg.defaultUnit !== undefined) fields.push(["default_unit", arg.defaultUnit]);
  if (arg.repeat) fields.push(["n", "N"]);
  else if (arg.n !== 1) fields.push(["n", String(arg.n)]);
  if (!arg.req) fields.push(["req", "false"]);
  if (!arg.positional) fields.push(["positional", "false"]);
  return fields;
}

/** A number as Python's str() writes it, so float ranges keep their ".0" as Ceph prints them. */
export function formatNumber(type: ArgDesc["type"], value: number): string {
  if (type === "CephFloat" && Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return String(value);
}

function formatRange(arg: ArgDesc): string {
  const { min, max } = arg.range!;
  const lo = formatNumber(arg.type, min);
  return max === undefined ? lo : `${lo}|${formatNumber(arg.type, max)}`;
}

function tokenize(text: string): (string | RawArg)[] {
  const shown = quoteString(text);
  const tokens = text.split(/\s+/).filter((t) => t !== "");
  return tokens.map((token) => {
    if (!token.includes("=")) {
      if (token.includes(","))
        throw bad(shown, `token "${token}" has a comma but no key=value pair: write name=...,type=...`);
      return token;
    }
    return { fields: splitPairs(token, shown), shown: `"${token}"` };
  });
}

function splitPairs(token: string, shown: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of token.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw bad(shown, `"${pair}" in "${token}" is not a key=value pair`);
    const key = pair.slice(0, eq);
    if (fields.has(key)) throw bad(shown, `key "${key}" appears twice in "${token}"`);
    fields.set(key, pair.slice(eq + 1));
  }
  return fields;
}

function fromJsonItem(item: unknown, shown: string): string | RawArg {
  if (typeof item === "string") {
    if (item === "" || /\s/.test(item))
      throw bad(shown, `literal word ${JSON.stringify(item)} must be one non-empty word`);
    return item;
  }
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    throw bad(shown, `item ${safeJson(item)} is neither a word nor an argument object`);
  }
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(item)) {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw bad(shown, `key "${key}" of ${safeJson(item)} must be a string, number or boolean`);
    }
    fields.set(key, String(value));
  }
  return { fields, shown: safeJson(item) };
}

function build(items: (string | RawArg)[], shown: string, origin: Origin): Signature {
  if (items.length === 0)
    throw bad(shown, 'it is empty: a descriptor starts with the command\'s words, e.g. "osd pool ls"');
  const prefix: string[] = [];
  const prefixNames: string[] = [];
  const args: ArgDesc[] = [];
  const names = new Set<string>();
  for (const item of items) {
    const literal = typeof item === "string" ? { word: item, name: "prefix" } : literalOf(item, shown);
    if (literal !== undefined) {
      if (args.length > 0)
        throw bad(shown, `literal word "${literal.word}" comes after arguments: put every literal word first`);
      prefix.push(literal.word);
      prefixNames.push(literal.name);
      continue;
    }
    const arg = toArgDesc(item as RawArg, shown, origin);
    if (names.has(arg.name)) throw bad(shown, `argument name "${arg.name}" is used twice`);
    names.add(arg.name);
    args.push(arg);
  }
  if (prefix.length === 0)
    throw bad(shown, 'it has no command words: start it with the literal prefix, e.g. "osd pool ls"');
  for (const name of prefixNames) {
    if (name !== "prefix" && names.has(name)) throw bad(shown, `argument name "${name}" is used twice`);
  }
  if (prefixNames.every((n) => n === "prefix")) return { prefix, args, text: signatureText(prefix, undefined, args) };
  return { prefix, prefixNames, args, text: signatureText(prefix, prefixNames, args) };
}

/**
 * A `type=CephPrefix,prefix=word` item is a literal word written the long way; Ceph stores it
 * under its name=, which is "prefix" for the words of the command itself.
 */
function literalOf(raw: RawArg, shown: string): { word: string; name: string } | undefined {
  if (raw.fields.get("type") !== "CephPrefix") return undefined;
  const word = raw.fields.get("prefix");
  if (!word || /\s/.test(word)) throw bad(shown, `CephPrefix ${raw.shown} needs prefix=<one word>`);
  for (const key of raw.fields.keys()) {
    if (key !== "type" && key !== "prefix" && key !== "name")
      throw bad(shown, `CephPrefix ${raw.shown} does not take "${key}"`);
  }
  const name = raw.fields.get("name") ?? "prefix";
  if (!NAME_RE.test(name) || name === "__proto__")
    throw bad(shown, `CephPrefix name "${name}" is not usable: use letters, digits, "_" or "-"`);
  return { word, name };
}

function toArgDesc(raw: RawArg, shown: string, origin: Origin): ArgDesc {
  const { fields } = raw;
  const name = fields.get("name");
  if (name === undefined) throw bad(shown, `argument ${raw.shown} is missing name=: every argument needs a name`);
  if (!NAME_RE.test(name) || name === "prefix" || name === "__proto__") {
    throw bad(shown, `argument name "${name}" is not usable: use letters, digits, "_" or "-", not "prefix"`);
  }
  const type = fields.get("type");
  if (type === undefined) throw bad(shown, `argument "${name}" is missing type=, e.g. type=CephString`);
  if (!isCephType(type))
    throw bad(shown, `unknown type "${type}" for argument "${name}"; known types: ${CEPH_TYPES.join(", ")}`);
  checkKeys(fields, type as ArgDesc["type"], name, shown);
  const arg: ArgDesc = {
    name,
    type: type as ArgDesc["type"],
    req: flag(fields.get("req"), "req", name, shown, origin),
    repeat: false,
    n: 1,
    positional: flag(fields.get("positional"), "positional", name, shown, origin),
  };
  applyCount(arg, fields.get("n"), shown);
  applyTypeFields(arg, fields, shown);
  return arg;
}

function isCephType(type: string): boolean {
  return (CEPH_TYPES as readonly string[]).includes(type) && type !== "CephPrefix";
}

function checkKeys(fields: Map<string, string>, type: ArgDesc["type"], name: string, shown: string): void {
  const allowed = [...COMMON_KEYS, ...(TYPE_KEYS[type] ?? [])];
  for (const [key, value] of fields) {
    if (!allowed.includes(key)) {
      throw bad(shown, `argument "${name}" has unknown key "${key}"; ${type} takes ${allowed.join(", ")}`);
    }
    if (value === "") throw bad(shown, `argument "${name}" has an empty ${key}=`);
  }
}

/**
 * req/positional: ceph_argparse reads anything but "true"/"True" as false, and the real corpus
 * relies on it (mon cmd528 says req=fasle). JSON comes from daemons, so it keeps that reading;
 * string descriptors are written by module authors, who want to hear about the typo.
 */
function flag(value: string | undefined, key: string, name: string, shown: string, origin: Origin): boolean {
  if (value === undefined) return true;
  if (origin === "json") return value === "true" || value === "True";
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "false") return lower === "true";
  throw bad(shown, `argument "${name}" has ${key}=${value}: write ${key}=false or leave it out`);
}

function applyCount(arg: ArgDesc, n: string | undefined, shown: string): void {
  if (n === undefined) return;
  if (n === "N" || n === "n") {
    arg.repeat = true;
    return;
  }
  const count = /^\d+$/.test(n) ? Number(n) : NaN;
  if (!(count >= 1 && count <= 1000))
    throw bad(shown, `argument "${arg.name}" has n=${n}: use n=N (one or more) or a count from 1 up`);
  arg.n = count;
}

function applyTypeFields(arg: ArgDesc, fields: Map<string, string>, shown: string): void {
  const range = fields.get("range");
  if (range !== undefined) arg.range = parseRange(arg, range, shown);
  const strings = fields.get("strings");
  if (strings !== undefined) arg.strings = parseStrings(arg, strings, shown);
  if (arg.type === "CephChoices" && !arg.strings) {
    throw bad(shown, `CephChoices argument "${arg.name}" has no strings=: list the choices, e.g. strings=on|off`);
  }
  const goodchars = fields.get("goodchars");
  if (goodchars !== undefined) arg.goodchars = checkGoodchars(arg, goodchars, shown);
  const unit = fields.get("default_unit");
  if (unit !== undefined) {
    if (!(unit.toUpperCase() in SIZE_UNITS))
      throw bad(
        shown,
        `argument "${arg.name}" has default_unit=${unit}; use one of ${Object.keys(SIZE_UNITS).join(", ")}`,
      );
    arg.defaultUnit = unit.toUpperCase();
  }
}

function parseRange(arg: ArgDesc, text: string, shown: string): { min: number; max?: number } {
  const parts = text.split("|");
  const pattern = arg.type === "CephInt" ? INT_RE : FLOAT_RE;
  const numbers = parts.map((p) => (pattern.test(p) ? Number(p) : NaN));
  const ok =
    parts.length <= 2 &&
    numbers.every((v) => Number.isFinite(v) && (arg.type !== "CephInt" || Number.isSafeInteger(v)));
  const kind = arg.type === "CephInt" ? "integers" : "numbers";
  if (!ok)
    throw bad(shown, `argument "${arg.name}" has a bad range "${text}": write range=min or range=min|max with ${kind}`);
  const [min, max] = numbers as [number, number?];
  if (max !== undefined && max < min)
    throw bad(shown, `argument "${arg.name}" has range "${text}" whose max is below its min`);
  return max === undefined ? { min } : { min, max };
}

function parseStrings(arg: ArgDesc, text: string, shown: string): string[] {
  const strings = text.split("|");
  if (strings.some((s) => s === "")) throw bad(shown, `argument "${arg.name}" has an empty choice in strings=${text}`);
  return strings;
}

function checkGoodchars(arg: ArgDesc, goodchars: string, shown: string): string {
  try {
    new RegExp(goodchars);
  } catch {
    throw bad(
      shown,
      `argument "${arg.name}" has goodchars=${goodchars}, which is not a valid regular expression; write a character class such as [A-Za-z0-9-_.]`,
    );
  }
  return goodchars;
}

function signatureText(
  prefix: readonly string[],
  prefixNames: readonly string[] | undefined,
  args: readonly ArgDesc[],
): string {
  const tokens = prefix.map((word, i) => {
    const name = prefixNames?.[i] ?? "prefix";
    return name === "prefix" ? word : `name=${name},type=CephPrefix,prefix=${word}`;
  });
  for (const arg of args)
    tokens.push(
      argFields(arg)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  return tokens.join(" ");
}

function sortedObject(fields: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = value;
  return out;
}

function bad(shown: string, what: string): SyntaxError {
  return new SyntaxError(`invalid command descriptor ${shown}: ${what}`);
}

function quoteString(text: string): string {
  return JSON.stringify(text);
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return String(value);
  }
}
