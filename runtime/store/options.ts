// Ceph-style module options (static MODULE_OPTIONS): checking declarations, parsing and
// formatting typed values, and reading them from the store where `config set` writes them.
import { isIP } from "node:net";
import { didYouMean } from "../suggest.ts";
import type { KvStore } from "./kv.ts";
import type { ModuleStore } from "./module-store.ts";
import { optionKey } from "./option-key.ts";

export { optionKey };

export const OPTION_TYPES = ["str", "int", "float", "bool", "secs", "size", "uint", "addr", "uuid"] as const;
export type OptionType = (typeof OPTION_TYPES)[number];
export type OptionLevel = "basic" | "advanced" | "dev";
export type OptionValue = string | number | boolean;

/** One entry of a module's `static MODULE_OPTIONS`, as its author writes it (Ceph's `Option`). */
export interface OptionSpec {
  name: string;
  /** Default `"str"`. */
  type?: OptionType;
  default?: OptionValue | null;
  /** Numeric types only (int, uint, float, secs, size). */
  min?: number;
  max?: number;
  enum_allowed?: readonly string[];
  desc?: string;
  long_desc?: string;
  runtime?: boolean;
  level?: OptionLevel;
  tags?: readonly string[];
  see_also?: readonly string[];
}

/** A checked declaration: owner module and type filled in, default parsed to its typed value. */
export interface OptionDecl {
  readonly module: string;
  readonly name: string;
  readonly type: OptionType;
  /** `null` when the option has no default. */
  readonly default: OptionValue | null;
  readonly min?: number;
  readonly max?: number;
  readonly enum_allowed?: readonly string[];
  readonly desc: string;
  readonly long_desc: string;
  readonly runtime: boolean;
  readonly level: OptionLevel;
  readonly tags: readonly string[];
  readonly see_also: readonly string[];
}

const NUMERIC = new Set<OptionType>(["int", "uint", "float", "secs", "size"]);
const LEVELS = new Set<string>(["basic", "advanced", "dev"]);
const FIELDS = [
  "name",
  "type",
  "default",
  "min",
  "max",
  "enum_allowed",
  "desc",
  "long_desc",
  "runtime",
  "level",
  "tags",
  "see_also",
];
const OPTION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** What each type accepts, as the end of "… is not …" messages. */
const EXPECTED: Record<OptionType, string> = {
  str: "a string",
  int: "an int",
  uint: "a uint",
  float: "a float",
  bool: "a bool (true/false, yes/no, on/off, 1/0)",
  secs: "a duration (whole seconds, or a number with s, m, h or d, e.g. 5m)",
  size: "a size (bytes, or a number with K, M, G or T, e.g. 64K)",
  addr: "an address (IP or IP:port, IPv6 as [addr]:port)",
  uuid: "a UUID",
};

/**
 * Checks a module's `static MODULE_OPTIONS` (absent = no options). Any malformed entry, unknown
 * field or duplicate name throws a TypeError naming the module and the option.
 */
export function validateOptionDecls(module: string, decls: unknown): OptionDecl[] {
  if (decls === undefined) return [];
  if (!Array.isArray(decls)) {
    throw new TypeError(`module ${module}: MODULE_OPTIONS must be an array of options, got ${kind(decls)}`);
  }
  const seen = new Set<string>();
  return decls.map((entry: unknown, i: number) => {
    const decl = validateOne(module, entry, i);
    if (seen.has(decl.name)) {
      throw new TypeError(`module ${module}: option "${decl.name}" is declared twice in MODULE_OPTIONS: remove one`);
    }
    seen.add(decl.name);
    return decl;
  });
}

function validateOne(module: string, entry: unknown, index: number): OptionDecl {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    throw new TypeError(
      `module ${module}: MODULE_OPTIONS[${index}] must be an object like {name: "count", type: "int"}, got ${kind(entry)}`,
    );
  }
  const spec = entry as Record<string, unknown>;
  const name = spec.name;
  if (typeof name !== "string" || !OPTION_NAME.test(name)) {
    throw new TypeError(
      `module ${module}: MODULE_OPTIONS[${index}].name must be letters, digits, "_", "-" or "." ` +
        `(not starting with "-" or "."), got ${show(name)}`,
    );
  }
  const bad = (what: string): TypeError => new TypeError(`module ${module} option "${name}": ${what}`);
  for (const field of Object.keys(spec)) {
    if (!FIELDS.includes(field))
      throw bad(`unknown field ${show(field)}${didYouMean(field, FIELDS)}: known fields are ${FIELDS.join(", ")}`);
  }
  const type = spec.type ?? "str";
  if (typeof type !== "string" || !(OPTION_TYPES as readonly string[]).includes(type)) {
    throw bad(`type ${show(type)} is not supported: use one of ${OPTION_TYPES.join(", ")}`);
  }
  const optType = type as OptionType;
  for (const field of ["min", "max"] as const) {
    const bound = spec[field];
    if (bound === undefined) continue;
    if (typeof bound !== "number" || !Number.isFinite(bound))
      throw bad(`${field} must be a finite number, got ${show(bound)}`);
    if (!NUMERIC.has(optType))
      throw bad(`${field} applies only to numeric types (int, uint, float, secs, size), not ${optType}`);
  }
  if (typeof spec.min === "number" && typeof spec.max === "number" && spec.min > spec.max) {
    throw bad(`min ${spec.min} is above max ${spec.max}`);
  }
  if (spec.enum_allowed !== undefined && (!isStringArray(spec.enum_allowed) || spec.enum_allowed.length === 0)) {
    throw bad(`enum_allowed must be a non-empty array of strings, got ${show(spec.enum_allowed)}`);
  }
  for (const field of ["desc", "long_desc"] as const) {
    if (spec[field] !== undefined && typeof spec[field] !== "string")
      throw bad(`${field} must be a string, got ${kind(spec[field])}`);
  }
  for (const field of ["tags", "see_also"] as const) {
    if (spec[field] !== undefined && !isStringArray(spec[field]))
      throw bad(`${field} must be an array of strings, got ${show(spec[field])}`);
  }
  if (spec.runtime !== undefined && typeof spec.runtime !== "boolean")
    throw bad(`runtime must be true or false, got ${show(spec.runtime)}`);
  if (spec.level !== undefined && (typeof spec.level !== "string" || !LEVELS.has(spec.level))) {
    throw bad(`level must be "basic", "advanced" or "dev", got ${show(spec.level)}`);
  }
  const decl: OptionDecl = {
    module,
    name,
    type: optType,
    default: null,
    ...(spec.min !== undefined && { min: spec.min as number }),
    ...(spec.max !== undefined && { max: spec.max as number }),
    ...(spec.enum_allowed !== undefined && { enum_allowed: Object.freeze([...(spec.enum_allowed as string[])]) }),
    desc: (spec.desc as string | undefined) ?? "",
    long_desc: (spec.long_desc as string | undefined) ?? "",
    runtime: (spec.runtime as boolean | undefined) ?? false,
    level: (spec.level as OptionLevel | undefined) ?? "advanced",
    tags: Object.freeze([...((spec.tags as string[] | undefined) ?? [])]),
    see_also: Object.freeze([...((spec.see_also as string[] | undefined) ?? [])]),
  };
  if (spec.default === undefined || spec.default === null) return Object.freeze(decl);
  try {
    return Object.freeze({ ...decl, default: parseOptionValue(decl, spec.default) });
  } catch (err) {
    throw bad(`invalid default (${(err as Error).message})`);
  }
}

/**
 * The typed value of `raw` for this option, given as its own type or as the string a user types
 * (`"5m"` for secs, `"64K"` for size, `"yes"` for bool). Wrong kind → TypeError; out of min/max,
 * negative uint or not in enum_allowed → RangeError.
 */
export function parseOptionValue(decl: OptionDecl, raw: unknown): OptionValue {
  const value = parseByType(decl, raw);
  checkBounds(decl, value);
  return value;
}

/** The string stored for `value` (validated first, so what is stored always parses back). */
export function formatOptionValue(decl: OptionDecl, value: unknown): string {
  return String(parseOptionValue(decl, value));
}

/**
 * [get_module_option] The option's stored value, typed; else its declared default; else null.
 * A stored value the declaration no longer accepts (e.g. min raised by a reload) reads as the default.
 */
export function getOption(
  store: KvStore,
  module: string,
  decls: readonly OptionDecl[],
  name: string,
): OptionValue | null {
  const decl = findDecl(module, decls, name);
  const raw = store.get(optionKey(module, name));
  if (raw === undefined) return decl.default;
  try {
    return parseOptionValue(decl, raw);
  } catch {
    return decl.default;
  }
}

/** [set_module_option] Validates and stores a value (`null` removes it, back to the default); resolves once durable. */
export function setOption(
  store: ModuleStore,
  decls: readonly OptionDecl[],
  name: string,
  value: unknown,
): Promise<void> {
  try {
    const decl = findDecl(store.module, decls, name);
    const stored = value === null || value === undefined ? null : formatOptionValue(decl, value);
    return store.setOption(name, stored);
  } catch (err) {
    return Promise.reject(err);
  }
}

function findDecl(module: string, decls: readonly OptionDecl[], name: string): OptionDecl {
  if (typeof name !== "string")
    throw new TypeError(`module ${module}: option name must be a string, got ${kind(name)}`);
  for (const decl of decls) if (decl.name === name) return decl;
  const declared =
    decls.length > 0 ? `declared options are ${decls.map((d) => d.name).join(", ")}` : "it declares no options";
  throw new Error(`module ${module} has no option ${JSON.stringify(name)}: ${declared}`);
}

function parseByType(decl: OptionDecl, raw: unknown): OptionValue {
  const notA = (): TypeError => new TypeError(`${label(decl)}: ${show(raw)} is not ${EXPECTED[decl.type]}`);
  switch (decl.type) {
    case "str":
      if (typeof raw === "string") return raw;
      if ((typeof raw === "number" && Number.isFinite(raw)) || typeof raw === "boolean") return String(raw);
      throw notA();
    case "int":
    case "uint": {
      const n = toInteger(raw, /^[+-]?\d+$/, notA);
      if (!Number.isSafeInteger(n))
        throw new RangeError(`${label(decl)}: ${show(raw)} is out of range (beyond ±2^53-1)`);
      if (decl.type === "uint" && n < 0)
        throw new RangeError(`${label(decl)}: ${show(raw)} is below 0, the minimum of a uint`);
      return n;
    }
    case "float": {
      if (typeof raw === "number" && Number.isFinite(raw)) return raw;
      if (typeof raw === "string" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
        const n = Number(raw);
        if (Number.isFinite(n)) return n;
        throw new RangeError(`${label(decl)}: ${show(raw)} is out of range for a float`);
      }
      throw notA();
    }
    case "bool":
      return parseBool(raw, notA);
    case "secs":
      return parseScaled(decl, raw, /^(\d+)([smhd]?)$/, SECONDS, notA);
    case "size":
      return parseScaled(decl, raw, /^(\d+)(?:([KMGT])(?:i?B)?|B)?$/i, BYTES, notA);
    case "addr":
      if (typeof raw === "string" && isAddr(raw)) return raw;
      throw notA();
    case "uuid": {
      if (typeof raw !== "string") throw notA();
      const hex = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)
        ? raw.replaceAll("-", "")
        : /^[0-9a-f]{32}$/i.test(raw)
          ? raw
          : undefined;
      if (hex === undefined) throw notA();
      const h = hex.toLowerCase();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
}

const SECONDS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
const BYTES: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** secs and size: a whole number, or digits with a unit suffix multiplied out. Never negative. */
function parseScaled(
  decl: OptionDecl,
  raw: unknown,
  pattern: RegExp,
  units: Record<string, number>,
  notA: () => TypeError,
): number {
  let n: number;
  if (typeof raw === "number") {
    if (!Number.isInteger(raw)) throw notA();
    n = raw;
  } else if (typeof raw === "string") {
    const m = pattern.exec(raw);
    if (!m) throw notA();
    const unit = m[2] ?? "";
    n = Number(m[1]) * (units[unit] ?? units[unit.toUpperCase()]!); // size suffixes may be lower case
  } else {
    throw notA();
  }
  if (n < 0) throw new RangeError(`${label(decl)}: ${show(raw)} is below 0: a ${decl.type} value cannot be negative`);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${label(decl)}: ${show(raw)} is out of range (beyond 2^53-1)`);
  return n;
}

function toInteger(raw: unknown, pattern: RegExp, notA: () => TypeError): number {
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw === "string" && pattern.test(raw)) return Number(raw);
  throw notA();
}

function parseBool(raw: unknown, notA: () => TypeError): boolean {
  if (typeof raw === "boolean") return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw !== "string") throw notA();
  switch (raw.toLowerCase()) {
    case "true":
    case "1":
    case "yes":
    case "on":
      return true;
    case "false":
    case "0":
    case "no":
    case "off":
      return false;
  }
  throw notA();
}

function checkBounds(decl: OptionDecl, value: OptionValue): void {
  if (typeof value === "number") {
    if (decl.min !== undefined && value < decl.min) {
      throw new RangeError(`${label(decl)}: ${value} is below the minimum ${decl.min}`);
    }
    if (decl.max !== undefined && value > decl.max) {
      throw new RangeError(`${label(decl)}: ${value} is above the maximum ${decl.max}`);
    }
  }
  if (decl.enum_allowed && !decl.enum_allowed.includes(String(value))) {
    throw new RangeError(
      `${label(decl)}: ${show(String(value))} is not one of ${decl.enum_allowed.map((v) => JSON.stringify(v)).join(", ")}`,
    );
  }
}

/** IPv4[:port], bare IPv6, or [IPv6][:port]; port 0-65535. */
function isAddr(s: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (bracketed) return isIP(bracketed[1]!) === 6 && portOk(bracketed[2]);
  if (isIP(s) !== 0) return true;
  const v4port = /^([^:]+):(\d{1,5})$/.exec(s);
  return v4port !== null && isIP(v4port[1]!) === 4 && portOk(v4port[2]);
}

function portOk(port: string | undefined): boolean {
  return port === undefined || Number(port) <= 65535;
}

function label(decl: OptionDecl): string {
  return `option mgr/${decl.module}/${decl.name}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A raw value as a message shows it: strings quoted and cut short, other kinds by name. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined)
    return String(value);
  return `a value of type ${kind(value)}`;
}
