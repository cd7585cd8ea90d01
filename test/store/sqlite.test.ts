// SqliteStore: the embedded backend on real files. The cases every backend shares (durability,
// big batches, closing, watch) come from _backend-cases.ts; here: SQLite's own settings, atomic
// batches, and refusing files that are not stores.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore, type Change } from "../../runtime/store/index.ts";
import { storeBackendCases } from "./_backend-cases.ts";

const root = mkdtempSync(join(tmpdir(), "tsmgr-sqlite-"));
let n = 0;
const fresh = (): string => join(root, `case${++n}`, "store.db");

test.after(() => rmSync(root, { recursive: true, force: true }));

storeBackendCases(test, {
  watchesEveryChange: false,
  name: "sqlite",
  place: fresh,
  open: async (file) => openSqliteStore(file, { pollMs: 10 }),
});

function expectStoreError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    assert.instance(err, Error);
    assert.is((err as Error).name, "StoreError");
    assert.is((err as { code?: string }).code, "ESTORE");
    return err as Error;
  }
  assert.unreachable("expected a StoreError");
  throw new Error("unreachable");
}

test("openSqliteStore() creates the folder and a WAL database with synchronous=FULL", async () => {
  const file = fresh();
  const store = openSqliteStore(file);
  assert.is(store.file, file);
  assert.is(store.description, `sqlite ${file}`);
  assert.is(store.db.pragma("journal_mode", { simple: true }), "wal");
  assert.is(store.db.pragma("synchronous", { simple: true }), 2); // 2 = FULL
  assert.ok((store.db.pragma("busy_timeout", { simple: true }) as number) > 0);
  await store.close();
});

test("commit() applies a batch all or nothing", async () => {
  const file = fresh();
  const store = openSqliteStore(file);
  await store.commit([["keep", "1"]]);
  const poisoned = [
    ["a", "1"],
    ["keep", "2"],
    ["b", {} as unknown as string],
  ] as Change[];
  let failed = false;
  await store.commit(poisoned).catch(() => (failed = true));
  assert.ok(failed, "a batch with an unbindable value must reject");
  assert.equal([...(await store.loadAll())], [["keep", "1"]]);
  await store.close();
});

test("a file of random bytes is refused with a StoreError naming the file and what to do", () => {
  const file = fresh();
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, randomBytes(8192));
  const before = readFileSync(file);
  const err = expectStoreError(() => openSqliteStore(file));
  assert.is(
    err.message,
    `${file} is not a tsmgr store (file is not a database): move it aside or point dataDir elsewhere`,
  );
  assert.equal(readFileSync(file), before, "the foreign file must be left untouched");
});

test("a directory where the store file should be is refused with a StoreError naming it", () => {
  const file = fresh();
  mkdirSync(file, { recursive: true });
  const err = expectStoreError(() => openSqliteStore(file));
  assert.is(err.message, `${file} is not a tsmgr store (it is a directory): move it aside or point dataDir elsewhere`);
});

test("a parent path that is a file is refused with a StoreError", () => {
  const parent = join(root, `case${++n}`);
  writeFileSync(parent, "not a folder");
  const err = expectStoreError(() => openSqliteStore(join(parent, "store.db")));
  assert.match(err.message, parent);
  assert.match(err.message, "point dataDir elsewhere");
});

test("another program's SQLite database with a different kv table is refused", () => {
  const file = fresh();
  mkdirSync(join(file, ".."), { recursive: true });
  const other = new Database(file);
  other.exec("CREATE TABLE kv(module TEXT, key TEXT, value TEXT, PRIMARY KEY(module, key))");
  other.close();
  const err = expectStoreError(() => openSqliteStore(file));
  assert.match(err.message, `${file} is not a tsmgr store (its kv table has columns (module, key, value)`);
});

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

test.run();
