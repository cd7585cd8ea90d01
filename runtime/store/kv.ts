// The store as the daemon uses it: every key held in memory for synchronous reads, writes
// queued and group-committed to a StoreBackend, each write's promise resolving once durable.
import { StoreError } from "../errors.ts";
import type { Change, StoreBackend } from "./types.ts";

/** `local`: written through this KvStore (or rolled back); `remote`: another process, or `reload()`. */
export type ChangeOrigin = "local" | "remote";
export type StoreListener = (key: string, value: string | null, origin: ChangeOrigin) => void;

interface Waiter {
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/**
 * Reads are one Map lookup. Writes update memory at once (a read right after sees them) and
 * join the batch of the current tick; a batch is one `backend.commit`, and while it is in
 * flight the next batch accumulates. That is what turns one fsync into many durable writes.
 */
export class KvStore {
  readonly #backend: StoreBackend;
  #mem: Map<string, string>;
  // For each key with a write not yet durable: its last durable value (undefined = absent),
  // which is what memory goes back to if every write of that key fails.
  readonly #durable = new Map<string, string | undefined>();
  // The accumulating batch: latest value per key (so repeated writes of one key coalesce).
  #pending = new Map<string, string | null>();
  #waiters: Waiter[] = [];
  #inFlight: Promise<void> | undefined;
  #scheduled = false;
  readonly #listeners = new Set<StoreListener>();
  #unwatch: (() => void) | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(backend: StoreBackend) {
    this.#backend = backend;
    this.#mem = new Map();
  }

  /** Loads every key from the backend and starts following other processes' changes. */
  static async open(backend: StoreBackend): Promise<KvStore> {
    const store = new KvStore(backend);
    // Watch before loading so nothing committed in between is missed; changes reported
    // before the load finished are applied on top of it, in order.
    let early: Change[] | undefined = [];
    if (backend.watch) {
      store.#unwatch = backend.watch((changes) => {
        if (early) early.push(...changes);
        else store.#applyRemote(changes);
      });
    }
    try {
      store.#mem = await backend.loadAll();
    } catch (err) {
      store.#unwatch?.();
      throw err instanceof StoreError
        ? err
        : new StoreError(`cannot load the store from ${backend.description}: ${reason(err)}`, { cause: err });
    }
    const buffered = early;
    early = undefined;
    if (buffered.length > 0) store.#applyRemote(buffered);
    return store;
  }

  get description(): string {
    return this.#backend.description;
  }

  /** Number of keys. */
  get size(): number {
    return this.#mem.size;
  }

  /** The hot read path: a single Map lookup, no copy, no I/O (strings are immutable). */
  get(key: string): string | undefined {
    return this.#mem.get(key);
  }

  has(key: string): boolean {
    return this.#mem.has(key);
  }

  /**
   * Sets (or with `null` deletes) a key. Memory changes now; the promise resolves once the
   * batch holding this write is durable, or rejects with a `StoreError` after memory went back
   * to the key's last durable value.
   */
  set(key: string, value: string | null): Promise<void> {
    if (this.#closing) {
      return Promise.reject(
        new StoreError(`store is closed: write of ${JSON.stringify(key)} refused because the daemon is shutting down`),
      );
    }
    try {
      checkStorable(key, value);
    } catch (err) {
      return Promise.reject(err);
    }
    const before = this.#mem.get(key);
    if (!this.#durable.has(key)) this.#durable.set(key, before);
    if (value === null) this.#mem.delete(key);
    else this.#mem.set(key, value);
    this.#pending.set(key, value);
    const done = new Promise<void>((resolve, reject) => {
      this.#waiters.push({ key, resolve, reject });
    });
    this.#schedule();
    if (before !== (value ?? undefined)) this.#emit(key, value, "local");
    return done;
  }

  /** Entries whose key starts with `p`, sorted by key (UTF-16 code unit order). */
  prefix(p: string): [string, string][] {
    const out: [string, string][] = [];
    for (const entry of this.#mem) {
      if (entry[0].startsWith(p)) out.push(entry);
    }
    return out.sort(byKey);
  }

  /** Every key, sorted. */
  keys(): string[] {
    return [...this.#mem.keys()].sort();
  }

  /** Calls `listener` after every change of a key's value in memory. Returns the unsubscribe. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolves once every write issued so far is durable or has failed (failures go to their set()). */
  async flush(): Promise<void> {
    while (this.#inFlight || this.#pending.size > 0) {
      if (this.#inFlight) await this.#inFlight;
      else this.#flush();
    }
  }

  /**
   * Re-reads everything from the backend (a daemon promoted to active) and reports what moved
   * as `remote`. Pending writes are flushed first; keys written meanwhile keep their new value.
   */
  async reload(): Promise<void> {
    if (this.#closed) throw new StoreError(`store is closed: reload of ${this.description} refused`);
    await this.flush();
    const fresh = await this.#backend.loadAll();
    const changes: Change[] = [];
    for (const [key, value] of fresh) {
      if (this.#mem.get(key) !== value || this.#durable.has(key)) changes.push([key, value]);
    }
    for (const key of this.#mem.keys()) {
      if (!fresh.has(key)) changes.push([key, null]);
    }
    this.#applyRemote(changes);
  }

  /** Flushes pending writes, then closes the backend; writes from now on are refused. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#unwatch?.();
    this.#unwatch = undefined;
    await this.flush();
    await this.#backend.close();
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return; // the in-flight commit's end schedules the next batch
    this.#scheduled = true;
    // setImmediate, not a microtask: every writer resumed by the previous batch gets to queue
    // its next write before this batch is cut.
    setImmediate(this.#flush);
  }

  // An arrow in a field so setImmediate can take it without a bind per batch.
  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#inFlight || this.#pending.size === 0) return;
    const batch: Change[] = [...this.#pending];
    const waiters = this.#waiters;
    this.#pending = new Map();
    this.#waiters = [];
    let commit: Promise<void>;
    try {
      commit = this.#backend.commit(batch);
    } catch (err) {
      commit = Promise.reject(err);
    }
    this.#inFlight = commit.then(
      () => this.#settle(batch, waiters, true, undefined),
      (err: unknown) => this.#settle(batch, waiters, false, err),
    );
  };

  #settle(batch: Change[], waiters: Waiter[], ok: boolean, err: unknown): void {
    this.#inFlight = undefined;
    for (const [key, value] of batch) {
      // A key written again since this batch was cut stays dirty; its base is now this batch's
      // value on success, and unchanged on failure (memory keeps the newer write).
      if (this.#pending.has(key)) {
        if (ok) this.#durable.set(key, value ?? undefined);
        continue;
      }
      const base = this.#durable.get(key);
      this.#durable.delete(key);
      if (!ok) this.#restore(key, base);
    }
    if (ok) {
      for (const w of waiters) w.resolve();
    } else {
      for (const w of waiters) {
        w.reject(
          new StoreError(
            `write of ${JSON.stringify(w.key)} to ${this.description} failed and was not stored (${reason(err)})` +
              // a backend's own StoreError already says what to do (e.g. etcd: "no longer active")
              (err instanceof StoreError ? "" : ": check the store's disk and permissions, then retry"),
            { cause: err },
          ),
        );
      }
    }
    if (this.#pending.size > 0) this.#schedule();
  }

  #restore(key: string, base: string | undefined): void {
    const current = this.#mem.get(key);
    if (current === base) return;
    if (base === undefined) this.#mem.delete(key);
    else this.#mem.set(key, base);
    this.#emit(key, base ?? null, "local");
  }

  #applyRemote(changes: readonly Change[]): void {
    for (const [key, value] of changes) {
      if (this.#durable.has(key)) {
        // A local write of this key is on its way and will land after this one: memory keeps
        // it, but a rollback must now go back to the remote value.
        this.#durable.set(key, value ?? undefined);
        continue;
      }
      if (this.#mem.get(key) === (value ?? undefined)) continue;
      if (value === null) this.#mem.delete(key);
      else this.#mem.set(key, value);
      this.#emit(key, value, "remote");
    }
  }

  #emit(key: string, value: string | null, origin: ChangeOrigin): void {
    if (this.#listeners.size === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(key, value, origin);
      } catch (err) {
        // A faulty listener must not fail the write that triggered it.
        process.emitWarning(err instanceof Error ? err : new Error(String(err)), "StoreListenerError");
      }
    }
  }
}

/**
 * Only what round-trips through UTF-8 may be stored: a lone surrogate would be replaced by
 * U+FFFD on disk, so the key or value read after a restart would differ from the one written.
 */
function checkStorable(key: string, value: string | null): void {
  if (typeof key !== "string") throw new TypeError(`store key must be a string, got ${typeof key}`);
  if (value !== null && typeof value !== "string") {
    throw new TypeError(`store value of ${JSON.stringify(key)} must be a string or null, got ${typeof value}`);
  }
  if (!isWellFormed(key)) {
    throw new TypeError(
      `store key ${JSON.stringify(key)} contains a lone UTF-16 surrogate, which UTF-8 cannot store: fix the string`,
    );
  }
  if (value !== null && !isWellFormed(value)) {
    throw new TypeError(
      `store value of ${JSON.stringify(key)} contains a lone UTF-16 surrogate, which UTF-8 cannot store: fix the string`,
    );
  }
}

// String.prototype.isWellFormed is a native scan in Node 20 (V8 11.3); TS's ES2022 lib lacks its type.
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function byKey(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
