// The corpus of ceph_argparse answers (test/fixtures/commands/ceph-argparse-corpus.json, written
// by scripts/argparse-corpus/generate.py) and how each answer compares with validateCommand's.

import {
  CommandFlags,
  CommandTable,
  loadCorpus,
  type CorpusName,
  type ValidationResult,
} from "../../runtime/commands/index.ts";
import { fixture } from "./_fixtures.ts";

/** What Ceph 16.2.15's validate_command did with one argv. */
export type CephAnswer =
  | { ok: Record<string, unknown> }
  | { invalid: string; message: string }
  | { nomatch: string }
  | { crash: string; message: string };

export type TableSpec = { corpus: CorpusName } | { descriptors: string[] };
export type CorpusCase = [table: string, argv: string[], answer: CephAnswer];

export interface CephCorpus {
  ceph: string;
  tables: Record<string, TableSpec>;
  cases: CorpusCase[];
}

export const corpus = fixture<CephCorpus>("ceph-argparse-corpus.json");

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The Ceph behaviours tsmgr does not copy, each with its reason; `deviation()` files a case under
 * one of them. scripts/argparse-corpus/README.md lists the same.
 */
export const DEVIATIONS = {
  crash:
    "ceph_argparse 16.2.15 raises an uncaught exception (IndexError/ValueError from CephIPAddr's port parsing and " +
    "CephEntityAddr's/CephFragment's split, TypeError for positional=false): the ceph CLI dies with a traceback; tsmgr answers",
  ipv6Port:
    'CephIPAddr reads one character after "]" and one digit of the port: "[::1]:99999", "[::1]:6x" and "[::1]x" pass ' +
    "in Ceph; tsmgr checks the whole port",
  positional:
    "Ceph 16.2.15 ignores positional=false on CephChoices/CephBool (it has no keyword-only arguments; other types " +
    "crash): tsmgr makes such an argument keyword-only, as the descriptor says",
  int64:
    "Python's int is unbounded; the daemons read CephInt as int64, so tsmgr refuses a value outside int64 rather than " +
    "hand on a number no daemon can read",
  nonFinite:
    "CephFloat: Python's float() gives inf/nan, which JSON cannot carry; tsmgr refuses them (never a silent null)",
  fragment:
    'CephFragment: Ceph 16.2.15 demands "0x" and then parses base 10, so it refuses every value; tsmgr accepts what ' +
    "the type means, 0x<hex>/<bits>",
} as const;

export type Deviation = keyof typeof DEVIATIONS;

const tables = new Map<string, CommandTable | Error>();

/** The CommandTable of a corpus table (obsolete commands left out, as the ceph CLI does), or why it does not build. */
export function tableOf(key: string): CommandTable | Error {
  let table = tables.get(key);
  if (table) return table;
  const spec = corpus.tables[key]!;
  try {
    table =
      "corpus" in spec
        ? new CommandTable(
            loadCorpus(spec.corpus)
              .filter((e) => !(e.flags & CommandFlags.OBSOLETE))
              .map((e) => e.signature),
          )
        : new CommandTable(spec.descriptors);
  } catch (err) {
    table = err as Error;
  }
  tables.set(key, table);
  return table;
}

/** Ceph's dict as validateCommand delivers it: CephInt beyond 2^53 as its decimal string. */
export function expectedArgs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expectedArgs);
  if (value === null || typeof value !== "object") return value;
  const tagged = value as { $int?: string };
  if (tagged.$int !== undefined) return tagged.$int;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expectedArgs(v)]));
}

function has(value: unknown, test: (v: Record<string, unknown>) => boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => has(v, test));
  if (value === null || typeof value !== "object") return false;
  const obj = value as Record<string, unknown>;
  return test(obj) || Object.values(obj).some((v) => has(v, test));
}

/** The listed Ceph behaviour a case shows, if any. */
export function deviation([key, argv, answer]: CorpusCase): Deviation | undefined {
  if ("crash" in answer) return "crash";
  const spec = corpus.tables[key]!;
  if ("descriptors" in spec && spec.descriptors.some((d) => d.includes("positional=false"))) return "positional";
  if ("descriptors" in spec && spec.descriptors.some((d) => d.includes("CephFragment"))) return "fragment";
  if ("ok" in answer) {
    if (has(answer.ok, (o) => typeof o.$float === "string")) return "nonFinite";
    if (has(answer.ok, (o) => typeof o.$int === "string" && (BigInt(o.$int) < INT64_MIN || BigInt(o.$int) > INT64_MAX)))
      return "int64";
    const types = JSON.stringify(spec);
    if (/CephIPAddr|CephEntityAddr/.test(types) && looseIpv6Port(argv.at(-1)!, types.includes("CephEntityAddr")))
      return "ipv6Port";
  }
  return undefined;
}

/** An address whose text after "]" is neither nothing nor ":<port up to 65535>" (a /nonce aside). */
function looseIpv6Port(word: string, nonce: boolean): boolean {
  const end = word.indexOf("]");
  if (end === -1) return false;
  const after = nonce ? word.slice(end + 1).replace(/\/.*$/, "") : word.slice(end + 1);
  const m = /^(?::(\d+))?$/.exec(after);
  return !m || (m[1] !== undefined && Number(m[1]) > 65535);
}

/** Why validateCommand's result differs from Ceph's answer, or undefined when they agree. */
export function disagreement(answer: CephAnswer, result: ValidationResult): string | undefined {
  if ("ok" in answer) {
    if (!result.ok) return `Ceph accepts ${JSON.stringify(answer.ok)}; tsmgr: ${result.message}`;
    const want = JSON.stringify(sorted(expectedArgs(answer.ok)));
    const got = JSON.stringify(sorted(result.args));
    return want === got ? undefined : `Ceph gives ${want}; tsmgr ${got}`;
  }
  if ("crash" in answer) return undefined;
  if (result.ok)
    return `Ceph refuses (${"invalid" in answer ? `${answer.invalid}: ${answer.message}` : answer.nomatch}); tsmgr accepts ${JSON.stringify(result.args)}`;
  if ("nomatch" in answer) {
    return result.message.startsWith("no valid command found")
      ? undefined
      : `Ceph finds no command; tsmgr: ${result.message}`;
  }
  if (result.message.startsWith("no valid command found"))
    return `Ceph settles on a command (${answer.invalid}: ${answer.message}); tsmgr finds none`;
  if (answer.message.startsWith("invalid chars") && !result.message.includes("invalid chars"))
    return `Ceph says ${answer.message}; tsmgr: ${result.message}`;
  return undefined;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}
