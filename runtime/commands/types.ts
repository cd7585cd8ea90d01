// One validator per ceph_argparse type: turns a word (or an already-typed JSON value) into the
// value Ceph puts in the cmd dict, or a Rejection saying what was expected.

import { accessSync, constants, statSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { dirname, resolve } from "node:path";
import { SIZE_UNITS, formatNumber, type ArgDesc } from "./descriptor.ts";
import { pyFloat, pyInt } from "./pynumber.ts";

/**
 * Why a value does not fit an argument. Returned, not thrown: scoring candidate signatures
 * rejects words all the time and exceptions would dominate the cost.
 */
export class Rejection {
  constructor(
    /** what the value should look like, e.g. "expected an integer" */
    readonly reason: string,
    /** true when the value parsed but lies outside the argument's range */
    readonly outOfRange = false,
  ) {}
}

type Checker = (word: string, arg: ArgDesc, partial: boolean) => unknown;

/**
 * Validates one word against an argument; returns the typed value or a Rejection.
 * `partial` lets a prefix of a CephChoices word match (Ceph's scoring of the last word).
 */
export function checkWord(arg: ArgDesc, word: string, partial = false): unknown {
  return CHECKERS[arg.type](word, arg, partial);
}

/**
 * Validates one value of a JSON command: strings go through checkWord, numbers and booleans are
 * accepted where the type holds them, other values are rejected.
 */
export function checkJsonValue(arg: ArgDesc, value: unknown): unknown {
  if (typeof value === "string") return checkWord(arg, value);
  if (typeof value === "boolean") return arg.type === "CephBool" ? value : new Rejection(expected(arg));
  if (typeof value !== "number") return new Rejection(expected(arg));
  return checkJsonNumber(arg, value);
}

/** The "expected ..." phrase for an argument, used in messages. */
export function expected(arg: ArgDesc): string {
  switch (arg.type) {
    case "CephInt":
      return "expected an integer";
    case "CephFloat":
      return "expected a number";
    case "CephString":
      return arg.goodchars ? `expected characters from ${arg.goodchars}` : "expected printable ASCII";
    case "CephSocketpath":
      return "expected the path of an existing Unix socket";
    case "CephIPAddr":
      return "expected an IP address with an optional port, e.g. 10.0.0.1:6789 or [::1]:6789";
    case "CephEntityAddr":
      return "expected an IP address with optional port and /nonce, e.g. 10.0.0.1:6789/123";
    case "CephPgid":
      return "expected <pool>.<hex seed>, e.g. 1.1f";
    case "CephName":
      return "expected *, mon, mgr or <type>.<id> with type osd, mon, client, mds or mgr, e.g. osd.3";
    case "CephOsdName":
      return "expected *, an OSD id N or osd.N with N >= 0";
    case "CephChoices":
      return `expected one of ${arg.strings!.join("|")}`;
    case "CephBool":
      return "expected true, false, 1 or 0";
    case "CephFilepath":
      return "expected a readable file or a path where a file can be written";
    case "CephFragment":
      return "expected a CephFS fragment 0x<hex>/<bits>, e.g. 0x1f/5";
    case "CephUUID":
      return "expected a UUID, e.g. 6f2b0e8c-3e2a-4a4c-9d0e-1c7f3a9b2d11";
    case "CephSizeBytes":
      return `expected a size such as 100K, 2MB or 1G (units ${Object.keys(SIZE_UNITS).join(", ")})`;
    case "CephPoolname":
    case "CephObjectname":
      return "expected a string";
  }
}

const CHECKERS: Record<ArgDesc["type"], Checker> = {
  CephInt: checkInt,
  CephFloat: checkFloat,
  CephString: checkString,
  CephSocketpath: checkSocketpath,
  CephIPAddr: checkIpAddrWord,
  CephEntityAddr: checkEntityAddr,
  CephPgid: checkPgid,
  CephName: checkName,
  CephOsdName: checkOsdName,
  CephChoices: checkChoices,
  CephBool: checkBool,
  CephFilepath: checkFilepath,
  CephFragment: checkFragment,
  CephUUID: checkUuid,
  CephPoolname: (word) => word,
  CephObjectname: (word) => word,
  CephSizeBytes: checkSizeBytes,
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** ceph_argparse reads CephInt with Python's int(s, 0): Unicode digits, 0x/0o/0b, "1_000". */
function checkInt(word: string, arg: ArgDesc): unknown {
  const value = pyInt(word, 0);
  if (value === undefined) return new Rejection("expected an integer");
  const range = checkRange(arg, value);
  return range instanceof Rejection ? range : deliverInt(value);
}

/**
 * An integer as the cmd dict carries it: a number within ±(2^53-1), beyond that its exact
 * decimal string (JSON and JavaScript numbers would round it), and a refusal beyond int64,
 * which no daemon reads (Python's int would take it).
 */
export function deliverInt(value: bigint): number | string | Rejection {
  if (value >= -9007199254740991n && value <= 9007199254740991n) return Number(value);
  if (value < INT64_MIN || value > INT64_MAX)
    return new Rejection(`expected an integer from ${INT64_MIN} to ${INT64_MAX} (int64)`);
  return String(value);
}

/** Python's float(s); inf and nan are refused, as JSON cannot carry them. */
function checkFloat(word: string, arg: ArgDesc): unknown {
  const value = pyFloat(word);
  if (value === undefined) return new Rejection("expected a number");
  if (!Number.isFinite(value))
    return new Rejection(`expected a finite number: ${word.trim()} reads as ${value}, which JSON cannot carry`);
  return checkRange(arg, value);
}

function checkRange<T extends number | bigint>(arg: ArgDesc, value: T): T | Rejection {
  const range = arg.range;
  if (!range) return value;
  const min = formatNumber(arg.type, range.min);
  const [lo, hi] =
    typeof value === "bigint"
      ? [BigInt(range.min), range.max === undefined ? undefined : BigInt(range.max)]
      : [range.min, range.max];
  if (hi === undefined) return value < lo ? new Rejection(`must be >= ${min}`, true) : value;
  if (value >= lo && value <= hi) return value;
  return new Rejection(`must be between ${min} and ${formatNumber(arg.type, range.max!)}`, true);
}

// Python's string.printable: Ceph computes the goodchars set over these characters only, so any
// other character (non-ASCII, control) fails as soon as goodchars is set.
const PRINTABLE =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c";
const goodsets = new Map<string, Set<string>>();

function goodset(goodchars: string): Set<string> {
  let set = goodsets.get(goodchars);
  if (set) return set;
  const re = new RegExp(goodchars, "y"); // sticky: anchored at 0, as Python's re.match
  set = new Set(
    [...PRINTABLE].filter((c) => {
      re.lastIndex = 0;
      return re.test(c);
    }),
  );
  goodsets.set(goodchars, set);
  return set;
}

/**
 * Ceph's goodset is string.printable filtered by goodchars (all of it without goodchars), so a
 * CephString holds printable ASCII only; a goodchars matching no printable character disables
 * the check. The message is Ceph's, `invalid chars <bad> in <word>`, then what is allowed.
 */
function checkString(word: string, arg: ArgDesc): unknown {
  const allowed = goodset(arg.goodchars ?? "");
  if (allowed.size === 0) return word;
  const badChars = new Set<string>();
  for (const c of word) if (!allowed.has(c)) badChars.add(c);
  if (badChars.size === 0) return word;
  const what = arg.goodchars ? `only ${arg.goodchars} from printable ASCII` : "only printable ASCII";
  return new Rejection(`invalid chars ${[...badChars].join("")} in ${word}; ${what} is allowed`);
}

function checkSocketpath(word: string): unknown {
  try {
    if (statSync(word).isSocket()) return word;
    return new Rejection("expected the path of a Unix socket, and this is not a socket");
  } catch (err) {
    return new Rejection(`expected the path of an existing Unix socket (${errCode(err)})`);
  }
}

/** CephIPAddr's value is the address without its v1:/v2:/any: prefix, as Ceph stores it. */
function checkIpAddrWord(word: string, arg: ArgDesc): unknown {
  const parsed = parseIpAddr(word, arg);
  return parsed instanceof Rejection ? parsed : parsed.rest;
}

/**
 * Ceph's CephIPAddr: v1:/any: force IPv4, v2: forces IPv6, otherwise "[" means IPv6 and a dot
 * IPv4. Where Ceph 16.2.15 crashes (a non-numeric port) or reads only one character of a
 * bracketed port, this checks the whole port instead.
 */
function parseIpAddr(word: string, arg: ArgDesc): { rest: string } | Rejection {
  let rest = word;
  let v4 = false;
  if (rest.startsWith("v1:")) [rest, v4] = [rest.slice(3), true];
  else if (rest.startsWith("v2:")) rest = rest.slice(3);
  else if (rest.startsWith("any:")) [rest, v4] = [rest.slice(4), true];
  else if (!rest.startsWith("[")) v4 = rest.includes(".");
  const bad = v4 ? checkIPv4(rest, arg) : checkIPv6(rest, arg);
  return bad ?? { rest };
}

function checkIPv4(text: string, arg: ArgDesc): Rejection | undefined {
  const colon = text.indexOf(":");
  const addr = colon === -1 ? text : text.slice(0, colon);
  if (colon !== -1) {
    const bad = checkPort(text.slice(colon + 1));
    if (bad) return bad;
  }
  if (!isIPv4(addr)) return new Rejection(`${JSON.stringify(addr)} is not a valid IPv4 address; ${expected(arg)}`);
  return undefined;
}

function checkIPv6(text: string, arg: ArgDesc): Rejection | undefined {
  let addr = text;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end === -1) return new Rejection(`missing the closing "]"; ${expected(arg)}`);
    addr = text.slice(1, end);
    const after = text.slice(end + 1);
    if (after !== "") {
      if (after[0] !== ":") return new Rejection(`unexpected ${JSON.stringify(after)} after "]"; ${expected(arg)}`);
      const bad = checkPort(after.slice(1));
      if (bad) return bad;
    }
  }
  // inet_pton refuses zone ids ("%eth0"); net.isIPv6 would take them
  if (addr.includes("%") || !isIPv6(addr))
    return new Rejection(`${JSON.stringify(addr)} is not a valid IPv6 address; ${expected(arg)}`);
  return undefined;
}

/** Ceph reads the port with Python's int() and refuses above 65535. */
function checkPort(port: string): Rejection | undefined {
  const value = pyInt(port, 10);
  if (value !== undefined && value >= 0n && value <= 65535n) return undefined;
  return new Rejection(`port ${JSON.stringify(port)} is not a number from 0 to 65535`);
}

/** CephEntityAddr: an address with an optional /nonce; Ceph keeps the word whole, prefix included. */
function checkEntityAddr(word: string, arg: ArgDesc): unknown {
  const parts = word.split("/");
  if (parts.length > 2) return new Rejection(`more than one "/"; ${expected(arg)}`);
  let [ip, nonce] = parts as [string, string?];
  if (nonce?.endsWith("]")) [ip, nonce] = [`${ip}]`, nonce.slice(0, -1)];
  const parsed = parseIpAddr(ip, arg);
  if (parsed instanceof Rejection) return parsed;
  const value = nonce ? pyInt(nonce, 10) : 0n;
  if (value === undefined || value < 0n) return new Rejection(`nonce ${JSON.stringify(nonce)} is not an integer >= 0`);
  return word;
}

function checkPgid(word: string, arg: ArgDesc): unknown {
  const dot = word.indexOf(".");
  if (dot === -1) return new Rejection(`no "." in it; ${expected(arg)}`);
  const pool = pyInt(word.slice(0, dot), 10);
  if (pool === undefined || pool < 0n)
    return new Rejection(`pool ${JSON.stringify(word.slice(0, dot))} is not an integer >= 0; ${expected(arg)}`);
  if (pyInt(word.slice(dot + 1), 16) === undefined)
    return new Rejection(`seed ${JSON.stringify(word.slice(dot + 1))} is not hexadecimal; ${expected(arg)}`);
  return word;
}

const NAME_TYPES = new Set(["osd", "mon", "client", "mds", "mgr"]);

function checkName(word: string, arg: ArgDesc): unknown {
  if (word === "*" || word === "mgr" || word === "mon") return word;
  const dot = word.indexOf(".");
  if (dot === -1) return new Rejection(`no "." in it; ${expected(arg)}`);
  const type = word.slice(0, dot);
  if (!NAME_TYPES.has(type)) return new Rejection(`unknown daemon type ${JSON.stringify(type)}; ${expected(arg)}`);
  const id = word.slice(dot + 1);
  if (type === "osd" && id !== "*" && pyInt(id, 10) === undefined)
    return new Rejection(`osd id ${JSON.stringify(id)} is not an integer; ${expected(arg)}`);
  return word;
}

/** CephOsdName's value is the id as an integer (delivered as CephInt's are). */
function checkOsdName(word: string, arg: ArgDesc): unknown {
  if (word === "*") return word;
  let id = word;
  const dot = word.indexOf(".");
  if (dot !== -1) {
    if (word.slice(0, dot) !== "osd")
      return new Rejection(`unknown daemon type ${JSON.stringify(word.slice(0, dot))}; ${expected(arg)}`);
    id = word.slice(dot + 1);
  }
  const value = pyInt(id, 10);
  if (value === undefined) return new Rejection(`osd id ${JSON.stringify(id)} is not an integer; ${expected(arg)}`);
  if (value < 0n) return new Rejection(`osd id ${value} is below 0; ${expected(arg)}`);
  return deliverInt(value);
}

function checkChoices(word: string, arg: ArgDesc, partial: boolean): unknown {
  const strings = arg.strings!;
  if (!partial) return strings.includes(word) ? word : new Rejection(expected(arg));
  return strings.some((s) => s.startsWith(word)) ? word : new Rejection(expected(arg));
}

function checkBool(word: string): unknown {
  const lower = word.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  return new Rejection("expected true, false, 1 or 0");
}

/**
 * Ceph's CephFilepath: the absolute path, accepted when readable (a directory too, as Ceph
 * does), else when it is a writable file or can be created.
 */
function checkFilepath(word: string): unknown {
  const path = resolve(word);
  if (canAccess(path, constants.R_OK)) return path;
  const stat = statOrUndefined(path);
  if (stat && !stat.isFile()) return new Rejection(`${JSON.stringify(path)} is not a file`);
  if (stat) return canAccess(path, constants.W_OK) ? path : new Rejection(`${JSON.stringify(path)} is not writable`);
  const dir = dirname(path);
  return canAccess(dir, constants.W_OK) ? path : new Rejection(`cannot create a file in ${JSON.stringify(dir)}`);
}

/**
 * Ceph's own CephFragment demands a 0x prefix and then parses base 10, so it rejects every
 * value; this implements what it means: 0x<hex>/<bits>.
 */
function checkFragment(word: string, arg: ArgDesc): unknown {
  return /^0[xX][0-9a-fA-F]+\/\d+$/.test(word) ? word : new Rejection(expected(arg));
}

/** What Python's uuid.UUID(s) accepts: urn:/uuid: and braces dropped, dashes too, then 32 characters int(hex, 16) reads. */
function checkUuid(word: string, arg: ArgDesc): unknown {
  const hex = word
    .replaceAll("urn:", "")
    .replaceAll("uuid:", "")
    .replace(/^[{}]+|[{}]+$/g, "")
    .replaceAll("-", "");
  return [...hex].length === 32 && pyInt(hex, 16) !== undefined ? word : new Rejection(expected(arg));
}

function checkSizeBytes(word: string, arg: ArgDesc): unknown {
  const m = /^(\d+)\s*([A-Za-z]*)$/.exec(word.trim());
  if (!m) return new Rejection(`${expected(arg)}; it must start with a whole number`);
  const unit = m[2] ? m[2].toUpperCase() : arg.defaultUnit;
  if (unit === undefined)
    return new Rejection(`no unit given and ${arg.name} has no default unit; write e.g. ${m[1]}B or ${m[1]}K`);
  const power = SIZE_UNITS[unit];
  if (power === undefined) return new Rejection(`unknown unit ${JSON.stringify(m[2])}; ${expected(arg)}`);
  const bytes = Number(m[1]) * 1024 ** power;
  return Number.isSafeInteger(bytes) ? bytes : new Rejection(`${word} is more bytes than fit in a safe integer`);
}

function checkJsonNumber(arg: ArgDesc, value: number): unknown {
  if (!Number.isFinite(value)) return new Rejection("expected a finite number");
  switch (arg.type) {
    case "CephInt":
      return Number.isSafeInteger(value) ? checkRange(arg, value) : new Rejection("expected an integer");
    case "CephFloat":
      return checkRange(arg, value);
    case "CephOsdName":
      return Number.isSafeInteger(value) && value >= 0 ? value : new Rejection(expected(arg));
    case "CephSizeBytes":
      return Number.isSafeInteger(value) && value >= 0 ? value : new Rejection("expected a whole number of bytes >= 0");
    case "CephBool":
      return new Rejection(expected(arg));
    default:
      // a pool called 1, an id of 42: the word form of the number is what the user meant
      return checkWord(arg, String(value));
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? String(err);
}
