// The contract every store backend implements (sqlite.ts, etcd.ts): a flat string→string
// map that is loaded whole, written in atomic durable batches, and optionally watched.

/** One change in a batch: `[key, value]`, where a `null` value deletes the key. */
export type Change = readonly [key: string, value: string | null];

export interface StoreBackend {
  /** Where the data lives, for messages and `status`, e.g. `sqlite /var/lib/tsmgr/store.db`. */
  readonly description: string;
  /** Every key and value. Called at start and again when a daemon becomes active. */
  loadAll(): Promise<Map<string, string>>;
  /**
   * Applies the whole batch atomically and resolves only once it is durable (for SQLite: one
   * transaction, one fsync). Rejects, with nothing applied, if it cannot be.
   */
  commit(batch: readonly Change[]): Promise<void>;
  /**
   * Reports changes made by OTHER processes (or connections); a backend must not echo its own
   * commits. Returns the function that stops watching.
   */
  watch?(listener: (changes: readonly Change[]) => void): () => void;
  /** Releases the backend; later calls fail. Closing twice is harmless. */
  close(): Promise<void>;
}
