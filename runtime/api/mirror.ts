// The host half of a module's in-isolate mirror of its own store keys and options: getStore,
// getStorePrefix, getModuleOption and their localized forms read a Map inside the isolate, so a
// read costs no host call (a sync host call crosses threads: ~40 µs; a Map lookup: ~0.05 µs).
//
// Consistency without ever entering the isolate from the host: every change of one of the
// module's keys, whatever its origin (its own setStore, `config-key set`, `config set`, another
// daemon through etcd, a rolled-back write), reaches KvStore.subscribe synchronously on the
// daemon's thread, which marks the key dirty and bumps a counter in memory shared with the
// isolate (a SharedArrayBuffer the prelude holds privately). The prelude compares that counter
// at each read; when it moved, one sync host call (`mirrorDrain`) hands over the dirty keys'
// current values. A write resolves after its KvStore change, so a read that follows the write
// (in the module or anywhere) sees the counter moved: read-your-write holds, and a busy isolate
// never blocks the daemon (nothing waits for the isolate's thread).
import { getOption, optionKey, setOption, type KvStore, type ModuleStore, type OptionDecl } from "../store/index.ts";

/** What mirrorDrain answers, as JSON text (the prelude applies it to its Maps). */
export interface MirrorDelta {
  /** the counter value this delta brings the isolate up to */
  seq: number;
  /** the store map is replaced (first drain, or too many changes to list) */
  full: boolean;
  /** store keys without `mgr/MODULE/`: value, or null when deleted */
  store: [string, string | null][];
  /** every declared option: [name, value (stored, typed, else default), localized value or null]; absent when unchanged */
  options?: [string, unknown, unknown][];
}

/** Past this many dirty keys a drain sends the whole mirror instead (bounded host memory). */
const MAX_DIRTY = 4096;

export class ModuleMirror {
  /** Int32 [0]: changes so far. Shared with the isolate: the prelude reads it, only the host writes it. */
  readonly buffer = new SharedArrayBuffer(8);
  readonly #cell = new Int32Array(this.buffer);
  readonly #kv: KvStore;
  readonly #module: string;
  readonly #mgrId: string;
  readonly #decls: () => readonly OptionDecl[];
  readonly #storeNs: string;
  readonly #optNs: string;
  #dirty: Set<string> | undefined;
  #optionsDirty = true;
  #declsSeen: readonly OptionDecl[] | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(kv: KvStore, module: string, mgrId: string, decls: () => readonly OptionDecl[]) {
    this.#kv = kv;
    this.#module = module;
    this.#mgrId = mgrId;
    this.#decls = decls;
    this.#storeNs = `mgr/${module}/`;
    this.#optNs = optionKey(module, "");
    this.#unsubscribe = kv.subscribe((key) => this.#changed(key));
  }

  #changed(key: string): void {
    if (key.startsWith(this.#storeNs)) {
      if (this.#dirty !== undefined) {
        this.#dirty.add(key.slice(this.#storeNs.length));
        if (this.#dirty.size > MAX_DIRTY) this.#dirty = undefined;
      }
    } else if (key.startsWith(this.#optNs)) {
      this.#optionsDirty = true;
    } else return;
    Atomics.add(this.#cell, 0, 1);
  }

  /** The changes since the last drain as JSON text (a MirrorDelta); the whole mirror the first time. */
  drain(): string {
    const delta: MirrorDelta = { seq: Atomics.load(this.#cell, 0), full: this.#dirty === undefined, store: [] };
    if (this.#dirty === undefined) {
      const cut = this.#storeNs.length;
      for (const [k, v] of this.#kv.prefix(this.#storeNs)) delta.store.push([k.slice(cut), v]);
    } else {
      for (const k of this.#dirty) delta.store.push([k, this.#kv.get(this.#storeNs + k) ?? null]);
    }
    this.#dirty = new Set();
    const decls = this.#decls();
    // the declarations arrive once the module's statics are read: a drain before that knows none
    if (this.#optionsDirty || decls !== this.#declsSeen) {
      delta.options = decls.map((d) => [
        d.name,
        getOption(this.#kv, this.#module, decls, d.name),
        this.#localized(decls, d.name),
      ]);
      this.#declsSeen = decls;
      this.#optionsDirty = false;
    }
    return JSON.stringify(delta);
  }

  /** The option's value stored for this daemon (mgr/MODULE/MGR_ID/NAME), typed; null when none or invalid. */
  #localized(decls: readonly OptionDecl[], name: string): unknown {
    if (this.#kv.get(optionKey(this.#module, `${this.#mgrId}/${name}`)) === undefined) return null;
    return getLocalizedOption(this.#kv, this.#module, this.#mgrId, decls, name);
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}

/**
 * [get_localized_module_option] As Ceph: the value stored for this daemon
 * (`mgr/MODULE/MGR_ID/NAME`), else the module-wide one (`mgr/MODULE/NAME`), else the default.
 * Throws as getOption does for a name the module does not declare.
 */
export function getLocalizedOption(
  kv: KvStore,
  module: string,
  mgrId: string,
  decls: readonly OptionDecl[],
  name: string,
): unknown {
  const global = getOption(kv, module, decls, name);
  const localName = `${mgrId}/${name}`;
  if (kv.get(optionKey(module, localName)) === undefined) return global;
  const decl = decls.find((d) => d.name === name)!;
  // the localized key holds text of the same type, checked the same way; an invalid one reads as unset
  const local = getOption(kv, module, [{ ...decl, name: localName, default: null }], localName);
  return local === null ? global : local;
}

/** [set_localized_module_option] Validated as the option `name`, stored as `mgr/MODULE/MGR_ID/NAME` under the module's quota. */
export function setLocalizedOption(
  store: ModuleStore,
  mgrId: string,
  decls: readonly OptionDecl[],
  name: string,
  value: unknown,
): Promise<void> {
  const decl = decls.find((d) => d.name === name);
  // an undeclared name: setOption rejects with the message naming the declared options
  if (decl === undefined) return setOption(store, decls, name, value);
  const localName = `${mgrId}/${name}`;
  return setOption(store, [{ ...decl, name: localName }], localName, value);
}
