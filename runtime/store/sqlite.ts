// The embedded store backend: one SQLite file (better-sqlite3, WAL, synchronous=FULL) in the
// data dir, shared with the election code and with any other daemon using the same data dir.
import Database from "better-sqlite3";
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { StoreError } from "../errors.ts";
import type { Change, StoreBackend } from "./types.ts";
import { sqliteOwnerOnly } from "./owner-only.ts";

export interface SqliteStoreOptions {
  /** How often `watch()` polls for commits by other processes, in ms. Default 250. */
  pollMs?: number;
  /**
   * How long a write waits for another process's lock before failing with SQLITE_BUSY, in ms.
   * better-sqlite3 is synchronous, so this wait blocks the event loop. Default 5000.
   */
  busyTimeoutMs?: number;
}

const SCHEMA = "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID";
const MOVE_ASIDE = "move it aside or point dataDir elsewhere";

type Listener = (changes: readonly Change[]) => void;

/**
 * A store in one SQLite file. `commit` is synchronous underneath (better-sqlite3): the whole
 * batch is one IMMEDIATE transaction, so one WAL fsync covers every change in it.
 */
export class SqliteStore implements StoreBackend {
  readonly description: string;
  /** Absolute path of the database file. */
  readonly file: string;
  readonly #db: Database.Database;
  readonly #pollMs: number;
  readonly #applyBatch: Database.Transaction<(batch: readonly Change[]) => void>;
  readonly #selectAll: Database.Statement<[], [string, string]>;
  readonly #dataVersion: Database.Statement<[], number>;
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | undefined;
  // What this connection believes the table holds, kept only while someone watches: the poll
  // diffs a fresh read against it to find what other processes changed.
  #snapshot: Map<string, string> | undefined;
  #seenVersion = 0;
  #closed = false;

  /** Use `openSqliteStore()`: it turns open failures into a `StoreError` naming the file. */
  constructor(file: string, db: Database.Database, options: SqliteStoreOptions = {}) {
    this.file = file;
    this.description = `sqlite ${file}`;
    this.#db = db;
    this.#pollMs = options.pollMs ?? 250;
    const put = db.prepare<[string, string]>(
      "INSERT INTO kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    const del = db.prepare<[string]>("DELETE FROM kv WHERE key = ?");
    this.#applyBatch = db.transaction((batch: readonly Change[]) => {
      for (const [key, value] of batch) {
        if (value === null) del.run(key);
        else put.run(key, value);
      }
    });
    this.#selectAll = db.prepare<[], [string, string]>("SELECT key, value FROM kv").raw(true);
    this.#dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck(true);
  }

  /**
   * The open connection, for the election code that keeps its own tables in this file. Its
   * writes through this connection are not reported by `watch()` (SQLite counts them as ours).
   */
  get db(): Database.Database {
    return this.#db;
  }

  loadAll(): Promise<Map<string, string>> {
    try {
      this.#assertOpen();
      return Promise.resolve(this.#readAll());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  commit(batch: readonly Change[]): Promise<void> {
    try {
      this.#assertOpen();
      // IMMEDIATE takes the write lock up front, so a concurrent writer in another process
      // makes us wait (busy_timeout) instead of failing half-way with SQLITE_BUSY_SNAPSHOT.
      this.#applyBatch.immediate(batch);
    } catch (err) {
      return Promise.reject(err);
    }
    const snapshot = this.#snapshot;
    if (snapshot) {
      for (const [key, value] of batch) {
        if (value === null) snapshot.delete(key);
        else snapshot.set(key, value);
      }
    }
    return Promise.resolve();
  }

  /**
   * Reports commits made by other connections (another daemon on the same file).
   * Cost: every `pollMs` one `PRAGMA data_version` (about 1.5 µs, no I/O beyond the WAL index).
   * Only when it moved, a full `SELECT` of the table and a diff: about 1 µs per key (10k keys
   * ≈ 10 ms, measured), at most once per poll however many commits landed, and while
   * watching, a second copy of the data in memory.
   * Commits by other processes to other tables in the file (e.g. election leases) also move
   * data_version, so each of those costs one scan too.
   */
  watch(listener: Listener): () => void {
    this.#assertOpen();
    this.#listeners.add(listener);
    if (!this.#timer) {
      this.#seenVersion = this.#dataVersion.get() as number;
      this.#snapshot = this.#readAll();
      this.#timer = setInterval(() => this.#poll(), this.#pollMs);
      this.#timer.unref(); // watching must never keep a finished process alive
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#stopPolling();
    this.#listeners.clear();
    try {
      this.#db.close();
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }

  #poll(): void {
    if (this.#closed) return;
    let version: number;
    let fresh: Map<string, string>;
    try {
      // Read the version before the rows: a commit landing in between is simply seen again
      // on the next poll, where the diff is empty for what we already reported.
      version = this.#dataVersion.get() as number;
      if (version === this.#seenVersion) return;
      fresh = this.#readAll();
    } catch {
      return; // e.g. SQLITE_BUSY during another process's checkpoint: try again next poll
    }
    this.#seenVersion = version;
    const old = this.#snapshot ?? new Map<string, string>();
    const changes: Change[] = [];
    for (const [key, value] of fresh) {
      if (old.get(key) !== value) changes.push([key, value]);
    }
    for (const key of old.keys()) {
      if (!fresh.has(key)) changes.push([key, null]);
    }
    this.#snapshot = fresh;
    if (changes.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(changes);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : new Error(String(err)), "StoreWatchListenerError");
      }
    }
  }

  #readAll(): Map<string, string> {
    const map = new Map<string, string>();
    for (const [key, value] of this.#selectAll.iterate()) map.set(key, value);
    return map;
  }

  #stopPolling(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#snapshot = undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError(`${this.description} is closed: open the store again`);
  }
}

/**
 * Opens (creating if needed, with its folder) the store file. Anything that is not a usable
 * tsmgr store throws a `StoreError` naming the file and what to do, and nothing is left open.
 */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  const path = resolve(file);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new StoreError(
      `cannot create the folder of tsmgr store ${path} (${reason(err)}): create it or point dataDir elsewhere`,
      { cause: err },
    );
  }
  if (isDirectory(path)) {
    throw new StoreError(`${path} is not a tsmgr store (it is a directory): ${MOVE_ASIDE}`);
  }
  let db: Database.Database | undefined;
  try {
    sqliteOwnerOnly(path);
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") {
      throw new StoreError(
        `cannot use ${path} as a tsmgr store: SQLite kept journal_mode "${String(mode)}" instead of "wal" ` +
          `(WAL needs a local file system with shared memory): point dataDir at a local disk`,
      );
    }
    db.pragma("synchronous = FULL"); // fsync the WAL on every commit: acknowledged means durable
    db.exec(SCHEMA);
    checkColumns(path, db);
    sqliteOwnerOnly(path); // the -wal and -shm files exist now
    return new SqliteStore(path, db, options);
  } catch (err) {
    try {
      db?.close();
    } catch {
      // already failing: the open error below is the one worth reporting
    }
    throw err instanceof StoreError ? err : openError(path, err);
  }
}

/** An existing file may hold a `kv` table of some other program: refuse it rather than misread it. */
function checkColumns(path: string, db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('kv')").pluck().all() as string[];
  if (columns.join(",") === "key,value") return;
  throw new StoreError(
    `${path} is not a tsmgr store (its kv table has columns (${columns.join(", ")}), expected (key, value)): ${MOVE_ASIDE}`,
  );
}

function openError(path: string, err: unknown): StoreError {
  const code = (err as { code?: unknown } | null)?.code;
  const why = reason(err);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new StoreError(`${path} is not a tsmgr store (${why}): ${MOVE_ASIDE}`, { cause: err });
  }
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new StoreError(
      `cannot open tsmgr store ${path} (${why}): another process holds it locked; stop that process or point dataDir elsewhere`,
      { cause: err },
    );
  }
  if (code === "SQLITE_CANTOPEN" || code === "SQLITE_PERM" || code === "SQLITE_READONLY" || code === "SQLITE_AUTH") {
    return new StoreError(
      `cannot open tsmgr store ${path} (${why}): let the daemon's user read and write it and its folder, or point dataDir elsewhere`,
      { cause: err },
    );
  }
  return new StoreError(`cannot open tsmgr store ${path} (${why}): ${MOVE_ASIDE}`, { cause: err });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing (SQLite creates it) or unreadable (SQLite's own error says why)
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
