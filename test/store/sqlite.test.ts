// SqliteStore: the embedded backend on real files — durability across reopen, atomic batches,
// refusing files that are not stores, and seeing another connection's commits through watch().
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore, type Change } from "../../runtime/store/index.ts";

const root = mkdtempSync(join(tmpdir(), "tsmgr-sqlite-"));
let n = 0;
const fresh = (): string => join(root, `case${++n}`, "store.db");

test.after(() => rmSync(root, { recursive: true, force: true }));

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

test("commit() is durable: a reopened store loads what was committed, deletes included", async () => {
  const file = fresh();
  const a = openSqliteStore(file);
  await a.commit([["k1", "v1"], ["k2", "v2"], ["k3", "v3"]]);
  await a.commit([["k2", null], ["k1", "v1b"]]);
  await a.close();
  const b = openSqliteStore(file);
  assert.equal([...(await b.loadAll())].sort(), [["k1", "v1b"], ["k3", "v3"]]);
  await b.close();
});

test("commit() applies a batch all or nothing", async () => {
  const file = fresh();
  const store = openSqliteStore(file);
  await store.commit([["keep", "1"]]);
  const poisoned = [["a", "1"], ["keep", "2"], ["b", {} as unknown as string]] as Change[];
  let failed = false;
  await store.commit(poisoned).catch(() => (failed = true));
  assert.ok(failed, "a batch with an unbindable value must reject");
  assert.equal([...(await store.loadAll())], [["keep", "1"]]);
  await store.close();
});

test("a closed store rejects loadAll() and commit() with a StoreError", async () => {
  const store = openSqliteStore(fresh());
  await store.close();
  await store.close(); // twice is harmless
  for (const call of [() => store.loadAll(), () => store.commit([["k", "v"]])]) {
    const err = await call().then(() => undefined, (e: Error) => e);
    assert.is(err?.name, "StoreError");
    assert.match(err!.message, "is closed");
  }
});

test("a file of random bytes is refused with a StoreError naming the file and what to do", () => {
  const file = fresh();
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, randomBytes(8192));
  const before = readFileSync(file);
  const err = expectStoreError(() => openSqliteStore(file));
  assert.is(err.message, `${file} is not a tsmgr store (file is not a database): move it aside or point dataDir elsewhere`);
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

test("watch() reports commits made through another connection to the same file, not its own", async () => {
  const file = fresh();
  const a = openSqliteStore(file, { pollMs: 10 });
  const b = openSqliteStore(file, { pollMs: 10 });
  await a.commit([["gone", "soon"]]);
  const seenByA: Change[] = [];
  const seenByB: Change[] = [];
  const stopA = a.watch((changes) => seenByA.push(...changes));
  b.watch((changes) => seenByB.push(...changes));
  await a.commit([["x", "1"], ["gone", null]]);
  await until(() => seenByB.length >= 2);
  assert.equal(seenByB.sort(), [["gone", null], ["x", "1"]]);
  await b.commit([["y", "2"]]);
  await until(() => seenByA.length >= 1);
  await sleep(50);
  assert.equal(seenByA, [["y", "2"]], "a connection never hears its own commits");
  stopA();
  await a.close();
  await b.close();
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
