// One module's view of the store: its keys live under mgr/<module>/ (Ceph's config-key layout),
// its options under config/mgr/mgr/<module>/; every argument is checked as if hostile, and the
// per-module quota holds for both before anything is written.
import { LimitExceeded } from "../errors.ts";
import type { KvStore } from "./kv.ts";
import { optionPrefix } from "./option-key.ts";

/** Per-module limits, set in mgr.json at `modules.NAME.store`; option values count too. */
export interface StoreQuota {
  /** Keys the module may hold at once, its stored options included. */
  maxKeys: number;
  /** UTF-8 bytes of a key, without the `mgr/<module>/` part. */
  maxKeyBytes: number;
  /** UTF-8 bytes of a value. */
  maxValueBytes: number;
}

export const DEFAULT_STORE_QUOTA: Readonly<StoreQuota> = Object.freeze({
  maxKeys: 1000,
  maxKeyBytes: 256,
  maxValueBytes: 64 * 1024,
});

const MODULE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Keys are always prefixed, never interpreted, so `../other/x` is just a key of this module
 * (`mgr/me/../other/x`): there is no path to escape through.
 */
export class ModuleStore {
  readonly module: string;
  readonly #kv: KvStore;
  readonly #ns: string;
  readonly #optNs: string;
  readonly #quota: Readonly<StoreQuota>;
  // This module's keys and stored options (full form), kept exact by the KvStore's change feed whatever the
  // origin (this view, another view, another daemon, a rollback), so maxKeys costs O(1).
  readonly #keys: Set<string>;
  readonly #unsubscribe: () => void;

  constructor(kv: KvStore, module: string, quota: Partial<StoreQuota> = {}) {
    if (typeof module !== "string" || !MODULE_NAME.test(module)) {
      throw new TypeError(
        `ModuleStore: module name must be letters, digits, "_", "-" or "." (not starting with "-" or "."), got ${show(module)}`,
      );
    }
    this.module = module;
    this.#kv = kv;
    this.#ns = `mgr/${module}/`;
    this.#optNs = optionPrefix(module);
    this.#quota = Object.freeze({ ...DEFAULT_STORE_QUOTA, ...definedOnly(quota) });
    for (const field of ["maxKeys", "maxKeyBytes", "maxValueBytes"] as const) {
      const limit = this.#quota[field];
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new RangeError(
          `modules.${module}.store.${field} must be a whole number ≥ 0, got ${show(limit)}: fix it in mgr.json`,
        );
      }
    }
    const ns = this.#ns;
    const optNs = this.#optNs;
    this.#keys = new Set([...kv.prefix(ns), ...kv.prefix(optNs)].map(([key]) => key));
    this.#unsubscribe = kv.subscribe((key, value) => {
      if (!key.startsWith(ns) && !key.startsWith(optNs)) return;
      if (value === null) this.#keys.delete(key);
      else this.#keys.add(key);
    });
  }

  get quota(): Readonly<StoreQuota> {
    return this.#quota;
  }

  /** How many keys the module holds now, stored options included. */
  get keyCount(): number {
    return this.#keys.size;
  }

  /** [get_store] The value, or `def` (default `undefined`) when the key is not set. From memory. */
  get(key: unknown): string | undefined;
  get<D>(key: unknown, def: D): string | D;
  get(key: unknown, def?: unknown): unknown {
    checkKey("getStore", key);
    const value = this.#kv.get(this.#ns + key);
    return value === undefined ? def : value;
  }

  /**
   * [set_store] Sets, or with `null` deletes, a key; resolves once durable. Bad arguments and
   * quota breaches reject before anything is written (deleting is always allowed).
   */
  set(key: unknown, value: unknown): Promise<void> {
    try {
      checkKey("setStore", key);
      if (value !== null && typeof value !== "string") {
        throw new TypeError(`setStore(${show(key)}): value must be a string or null, got ${kind(value)}`);
      }
      this.#checkQuota("setStore", key, this.#ns + key, value);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#kv.set(this.#ns + key, value);
  }

  /**
   * [set_module_option] Stores an option's already validated text (`null` removes it), under the
   * same quota as the module's keys: a module cannot store around its quota through options.
   */
  setOption(name: string, text: string | null): Promise<void> {
    try {
      checkKey("setModuleOption", name);
      this.#checkQuota("setModuleOption", name, this.#optNs + name, text);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#kv.set(this.#optNs + name, text);
  }

  /** [get_store_prefix] `{key: value}` of this module's keys starting with `prefix`, without `mgr/<module>/`. */
  getPrefix(prefix: unknown): Record<string, string> {
    if (typeof prefix !== "string") {
      throw new TypeError(`getStorePrefix(): prefix must be a string, got ${kind(prefix)}`);
    }
    const cut = this.#ns.length;
    // fromEntries defines own properties, so a key named "__proto__" is data, not a prototype.
    return Object.fromEntries(this.#kv.prefix(this.#ns + prefix).map(([key, value]) => [key.slice(cut), value]));
  }

  /** Stops tracking the key count; call when the module is unloaded. */
  dispose(): void {
    this.#unsubscribe();
  }

  #checkQuota(op: string, key: string, fullKey: string, value: string | null): void {
    const { maxKeys, maxKeyBytes, maxValueBytes } = this.#quota;
    const where = `modules.${this.module}.store`;
    const keyBytes = Buffer.byteLength(key, "utf8");
    if (keyBytes > maxKeyBytes) {
      throw new LimitExceeded(
        `module "${this.module}": ${op}(${show(key)}): the key is ${keyBytes} bytes, over the limit of ` +
          `${maxKeyBytes}: use a shorter key or raise ${where}.maxKeyBytes in mgr.json`,
      );
    }
    if (value === null) return;
    const valueBytes = Buffer.byteLength(value, "utf8");
    if (valueBytes > maxValueBytes) {
      throw new LimitExceeded(
        `module "${this.module}": ${op}(${show(key)}): the value is ${valueBytes} bytes, over the limit of ` +
          `${maxValueBytes}: store less or raise ${where}.maxValueBytes in mgr.json`,
      );
    }
    if (this.#keys.size >= maxKeys && !this.#keys.has(fullKey)) {
      const free =
        op === "setStore"
          ? "delete keys with setStore(key, null)"
          : "its store keys and stored options count together: delete keys with setStore(key, null) or options with setModuleOption(name, null)";
      throw new LimitExceeded(
        `module "${this.module}": ${op}(${show(key)}) would add a key beyond the limit of ${maxKeys} keys: ` +
          `${free} or raise ${where}.maxKeys in mgr.json`,
      );
    }
  }
}

function checkKey(op: string, key: unknown): asserts key is string {
  if (typeof key !== "string") throw new TypeError(`${op}(): key must be a non-empty string, got ${kind(key)}`);
  if (key.length === 0) throw new TypeError(`${op}(""): key must be a non-empty string`);
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A value quoted for a message, cut short so a hostile 1 MB key cannot flood the log. */
function show(value: unknown): string {
  if (typeof value !== "string") return kind(value) === "number" ? String(value) : kind(value);
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
}

// Only the known limits, and only those given: `{maxKeys: undefined}` keeps the default.
function definedOnly(quota: Partial<StoreQuota>): Partial<StoreQuota> {
  const out: Partial<StoreQuota> = {};
  for (const field of ["maxKeys", "maxKeyBytes", "maxValueBytes"] as const) {
    const limit = quota?.[field];
    if (limit !== undefined) out[field] = limit;
  }
  return out;
}
