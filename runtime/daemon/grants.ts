// Declared permissions and the operator's consent (issue 19 item 1). A module may declare what
// it needs (`static PERMISSIONS`, the grammar of mgr.json's modules.NAME.allow); the operator
// grants in mgr.json or with `tsmgr module grant` (kept in the store, so it survives restarts
// and failover). What the module may use is the intersection: declared ∩ (mgr.json ∪ store).
// A module that declares nothing keeps the old rule: what is granted is what it may use.
import { loadCorpus } from "../commands/index.ts";
import { ModuleLoadError } from "../errors.ts";
import type { KvStore } from "../store/index.ts";

export const GRANT_KEYS = ["commands", "data", "net", "fetch", "remote"] as const;
export type GrantKey = (typeof GRANT_KEYS)[number];
/** One list per key; a missing key is an empty list. */
export type GrantLists = Partial<Record<GrantKey, string[]>>;

/** Where `tsmgr module grant` keeps the operator's decisions, one JSON record per module. */
export const GRANTS_PREFIX = "tsmgr/grants/";

/** Each mon command prefix and its perm class ("r", "rw", ...), for "r" against a prefix. */
let monPerms: Map<string, string> | undefined;
function permsOf(): Map<string, string> {
  monPerms ??= new Map(loadCorpus("mon").map((e) => [e.signature.prefix.join(" "), e.perm ?? "rw"]));
  return monPerms;
}

/** The mon commands a prefix grant names (itself and longer prefixes). */
function commandsUnder(prefix: string): [string, string][] {
  return [...permsOf()].filter(([p]) => p === prefix || p.startsWith(prefix + " "));
}

const WIDE = new Set(["*", "rw"]);

/** Whether grant entry `g` allows everything declared entry `d` asks for. */
export function covers(key: GrantKey, g: string, d: string): boolean {
  switch (key) {
    case "commands":
      if (WIDE.has(g)) return true;
      if (WIDE.has(d)) return false;
      if (g === "r") {
        if (d === "r") return true;
        const under = commandsUnder(d);
        return under.length > 0 && under.every(([, perm]) => perm === "r");
      }
      return d !== "r" && (d === g || d.startsWith(g + " "));
    case "remote":
      return g === d || d.startsWith(g + ".");
    default:
      return g === "*" || g === d;
  }
}

/** The entries both `a` and `b` allow, in the same grammar. */
function meet(key: GrantKey, a: string, b: string): string[] {
  if (covers(key, a, b)) return [b];
  if (covers(key, b, a)) return [a];
  // "r" against a prefix: the read-only mon commands under that prefix, named one by one
  if (key === "commands" && (a === "r" || b === "r")) {
    const prefix = a === "r" ? b : a;
    return commandsUnder(prefix)
      .filter(([, perm]) => perm === "r")
      .map(([p]) => p);
  }
  return [];
}

const listOf = (l: GrantLists, k: GrantKey): string[] => l[k] ?? [];

export function union(a: GrantLists, b: GrantLists): GrantLists {
  const out: GrantLists = {};
  for (const k of GRANT_KEYS) out[k] = [...new Set([...listOf(a, k), ...listOf(b, k)])];
  return out;
}

/** What a module may use: declared ∩ granted, or granted when it declares nothing. */
export function effective(declared: GrantLists | undefined, granted: GrantLists): GrantLists {
  if (declared === undefined) return union(granted, {});
  const out: GrantLists = {};
  for (const k of GRANT_KEYS) {
    const both = listOf(declared, k).flatMap((d) => listOf(granted, k).flatMap((g) => meet(k, d, g)));
    out[k] = [...new Set(both)];
  }
  return out;
}

/** The declared entries no grant covers (empty lists: everything asked for is granted). */
export function missing(declared: GrantLists, granted: GrantLists): GrantLists {
  const out: GrantLists = {};
  for (const k of GRANT_KEYS) {
    const left = listOf(declared, k).filter((d) => !listOf(granted, k).some((g) => covers(k, g, d)));
    if (left.length > 0) out[k] = left;
  }
  return out;
}

export const isEmpty = (l: GrantLists): boolean => GRANT_KEYS.every((k) => listOf(l, k).length === 0);

/** `commands="osd pool ls" data=osd_map`: the words a `module grant` takes, quoted for a shell. */
export function grantWords(l: GrantLists): string {
  return GRANT_KEYS.flatMap((k) =>
    listOf(l, k).map((v) => `${k}=${/^[\w.:*/-]+$/.test(v) ? v : JSON.stringify(v)}`),
  ).join(" ");
}

/** The operator's decisions (`module grant` / `module revoke`), read from the store on every call. */
export class StoreGrants {
  readonly #kv: KvStore;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  get(name: string): GrantLists {
    const raw = this.#kv.get(GRANTS_PREFIX + name);
    if (raw === undefined) return {};
    try {
      const v = JSON.parse(raw) as unknown;
      const out: GrantLists = {};
      if (typeof v !== "object" || v === null) return {};
      for (const k of GRANT_KEYS) {
        const l = (v as Record<string, unknown>)[k];
        if (Array.isArray(l)) out[k] = l.filter((x): x is string => typeof x === "string");
      }
      return out;
    } catch {
      return {}; // a record someone wrote by hand with config-key: grants nothing
    }
  }

  async add(name: string, more: GrantLists): Promise<GrantLists> {
    const next = union(this.get(name), more);
    await this.#write(name, next);
    return next;
  }

  /** Takes back `less` (undefined: every stored grant of the module). */
  async remove(name: string, less?: GrantLists): Promise<GrantLists> {
    const cur = this.get(name);
    const next: GrantLists = {};
    if (less !== undefined)
      for (const k of GRANT_KEYS) next[k] = listOf(cur, k).filter((v) => !listOf(less, k).includes(v));
    await this.#write(name, next);
    return next;
  }

  async #write(name: string, l: GrantLists): Promise<void> {
    const kept = Object.fromEntries(GRANT_KEYS.filter((k) => listOf(l, k).length > 0).map((k) => [k, listOf(l, k)]));
    await this.#kv.set(GRANTS_PREFIX + name, Object.keys(kept).length === 0 ? null : JSON.stringify(kept));
  }
}

/** A module asked (static PERMISSIONS) for more than mgr.json and `module grant` give it: it does not start. */
export class PermissionsNotGranted extends ModuleLoadError {
  override name = "PermissionsNotGranted";
}
