// KvStore over a real SqliteStore in a temp dir: reads from memory, group commits, rollback on
// a failed commit, shutdown, concurrent writers, and changes from another process.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KvStore, openSqliteStore, type Change, type StoreBackend } from "../../runtime/store/index.ts";

const root = mkdtempSync(join(tmpdir(), "tsmgr-kv-"));
let n = 0;
const fresh = (): string => join(root, `case${++n}`, "store.db");

test.after(() => rmSync(root, { recursive: true, force: true }));

/** A real SqliteStore underneath, with every commit recorded, and faults or delays on demand. */
class RecordingBackend implements StoreBackend {
  readonly commits: Change[][] = [];
  failNext = 0;
  delayMs = 0;
  constructor(readonly inner: StoreBackend) {}
  get description(): string {
    return this.inner.description;
  }
  loadAll(): Promise<Map<string, string>> {
    return this.inner.loadAll();
  }
  async commit(batch: readonly Change[]): Promise<void> {
    this.commits.push([...batch]);
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("disk on fire");
    }
    return this.inner.commit(batch);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function reopen(file: string): Promise<Map<string, string>> {
  const backend = openSqliteStore(file);
  const data = await backend.loadAll();
  await backend.close();
  return data;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: Error) => err,
  );
}

test("KvStore.set() is readable at once and durable after the promise resolves", async () => {
  const file = fresh();
  const kv = await KvStore.open(openSqliteStore(file));
  const done = kv.set("a", "1");
  assert.is(kv.get("a"), "1", "a read right after the write sees it");
  await done;
  assert.is((await reopen(file)).get("a"), "1", "a resolved write is on disk");
  await kv.close();
});

test("KvStore.set(key, null) deletes the key in memory and on disk", async () => {
  const file = fresh();
  const kv = await KvStore.open(openSqliteStore(file));
  await kv.set("a", "1");
  await kv.set("a", null);
  assert.is(kv.get("a"), undefined);
  assert.not.ok(kv.has("a"));
  await kv.close();
  assert.not.ok((await reopen(file)).has("a"));
});

test("KvStore.open() loads what an earlier run stored", async () => {
  const file = fresh();
  const first = await KvStore.open(openSqliteStore(file));
  await Promise.all([first.set("x", "1"), first.set("y", "2")]);
  await first.close();
  const second = await KvStore.open(openSqliteStore(file));
  assert.is(second.get("x"), "1");
  assert.is(second.size, 2);
  await second.close();
});

test("writes issued in the same tick go to the backend as one commit", async () => {
  const backend = new RecordingBackend(openSqliteStore(fresh()));
  const kv = await KvStore.open(backend);
  await Promise.all(Array.from({ length: 50 }, (_, i) => kv.set(`k${i}`, `v${i}`)));
  assert.is(backend.commits.length, 1);
  assert.is(backend.commits[0]!.length, 50);
  await kv.close();
});

test("repeated writes of one key in a batch are coalesced to the last value", async () => {
  const backend = new RecordingBackend(openSqliteStore(fresh()));
  const kv = await KvStore.open(backend);
  await Promise.all([kv.set("k", "1"), kv.set("k", "2"), kv.set("k", "3")]);
  assert.equal(backend.commits, [[["k", "3"]]]);
  await kv.close();
});

test("while a commit is in flight the next writes accumulate into one batch", async () => {
  const backend = new RecordingBackend(openSqliteStore(fresh()));
  backend.delayMs = 30;
  const kv = await KvStore.open(backend);
  const first = kv.set("first", "1");
  await until(() => backend.commits.length === 1); // now in flight
  const rest: Promise<void>[] = [];
  for (let i = 0; i < 10; i++) {
    rest.push(kv.set(`later${i}`, "x"));
    await sleep(1); // separate ticks, still one batch
  }
  await Promise.all([first, ...rest]);
  assert.equal(
    backend.commits.map((c) => c.length),
    [1, 10],
  );
  await kv.close();
});

test("8 concurrent writers share commits (far fewer commits than writes)", async () => {
  const backend = new RecordingBackend(openSqliteStore(fresh()));
  const kv = await KvStore.open(backend);
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 100; i++) await kv.set(`w${w}/${i}`, "v");
    }),
  );
  assert.ok(backend.commits.length <= 200, `800 writes took ${backend.commits.length} commits`);
  await kv.close();
});

test("a failed commit rejects with a StoreError carrying the cause and restores memory", async () => {
  const file = fresh();
  const backend = new RecordingBackend(openSqliteStore(file));
  const kv = await KvStore.open(backend);
  await kv.set("old", "durable");
  const seen: [string, string | null][] = [];
  kv.subscribe((key, value) => seen.push([key, value]));
  backend.failNext = 1;
  const p1 = kv.set("old", "doomed");
  const p2 = kv.set("new", "doomed");
  const p3 = kv.set("old", null);
  assert.is(kv.get("new"), "doomed");
  const [e1, e2, e3] = await Promise.all([rejection(p1), rejection(p2), rejection(p3)]);
  for (const err of [e1!, e2!, e3!]) {
    assert.is(err.name, "StoreError");
    assert.is((err.cause as Error).message, "disk on fire");
  }
  assert.match(e2!.message, `write of "new" to sqlite ${file} failed and was not stored (disk on fire)`);
  assert.is(kv.get("old"), "durable", "memory is back to the last durable value");
  assert.is(kv.get("new"), undefined, "a key that never became durable is gone again");
  assert.equal(
    seen.slice(-2).sort(),
    [
      ["new", null],
      ["old", "durable"],
    ],
    "listeners hear the rollback",
  );
  await kv.set("after", "ok"); // the store keeps working
  await kv.close();
  const disk = await reopen(file);
  assert.equal([...disk].sort(), [
    ["after", "ok"],
    ["old", "durable"],
  ]);
});

test("a failed batch keeps a newer write of the same key that is still pending", async () => {
  const backend = new RecordingBackend(openSqliteStore(fresh()));
  const kv = await KvStore.open(backend);
  await kv.set("k", "v0");
  backend.failNext = 1;
  backend.delayMs = 20;
  const doomed = kv.set("k", "v1");
  await until(() => backend.commits.length === 2);
  const later = kv.set("k", "v2"); // queued behind the failing commit
  assert.is((await rejection(doomed)).name, "StoreError");
  assert.is(kv.get("k"), "v2", "the pending newer write is not rolled back");
  await later;
  assert.is(kv.get("k"), "v2");
  await kv.close();
});

test("a backend that throws synchronously in commit() is handled like a rejection", async () => {
  const inner = openSqliteStore(fresh());
  const backend: StoreBackend = {
    description: "broken",
    loadAll: () => inner.loadAll(),
    commit: () => {
      throw new Error("sync boom");
    },
    close: () => inner.close(),
  };
  const kv = await KvStore.open(backend);
  const err = await rejection(kv.set("k", "v"));
  assert.is(err.name, "StoreError");
  assert.match(err.message, "sync boom");
  assert.is(kv.get("k"), undefined);
  await kv.close();
});

test("close() flushes pending writes, then refuses new ones with a clear message", async () => {
  const file = fresh();
  const kv = await KvStore.open(openSqliteStore(file));
  const pending = kv.set("last", "words");
  await kv.close();
  await pending;
  const err = await rejection(kv.set("late", "x"));
  assert.is(err.name, "StoreError");
  assert.is(err.message, 'store is closed: write of "late" refused because the daemon is shutting down');
  assert.is((await reopen(file)).get("last"), "words");
});

test("8 concurrent writers × 500 writes are all present after reopen", async () => {
  const file = fresh();
  const kv = await KvStore.open(openSqliteStore(file));
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 500; i++) await kv.set(`w${w}/${i}`, `v${w}.${i}`);
    }),
  );
  await kv.close();
  const disk = await reopen(file);
  assert.is(disk.size, 4000);
  for (let w = 0; w < 8; w++) for (let i = 0; i < 500; i++) assert.is(disk.get(`w${w}/${i}`), `v${w}.${i}`);
});

test("prefix() returns matching entries sorted by key, keys() every key sorted", async () => {
  const kv = await KvStore.open(openSqliteStore(fresh()));
  await Promise.all([kv.set("b/2", "x"), kv.set("a/1", "y"), kv.set("b/1", "z"), kv.set("c", "w")]);
  assert.equal(kv.prefix("b/"), [
    ["b/1", "z"],
    ["b/2", "x"],
  ]);
  assert.equal(kv.prefix("nothing"), []);
  assert.equal(kv.keys(), ["a/1", "b/1", "b/2", "c"]);
  await kv.close();
});

test("set() refuses strings with lone surrogates, which would not survive UTF-8", async () => {
  const kv = await KvStore.open(openSqliteStore(fresh()));
  const err = await rejection(kv.set("k", "bad\uD800"));
  assert.instance(err, TypeError);
  assert.match(err.message, "lone UTF-16 surrogate");
  assert.is(kv.get("k"), undefined);
  await kv.set("emoji", "ok \u{1F600}"); // a proper pair is fine
  await kv.close();
});

test("subscribe() reports local writes; unsubscribe stops it", async () => {
  const kv = await KvStore.open(openSqliteStore(fresh()));
  const seen: unknown[] = [];
  const stop = kv.subscribe((...args) => seen.push(args));
  await kv.set("a", "1");
  await kv.set("a", "1"); // unchanged value: nothing to report
  await kv.set("a", null);
  stop();
  await kv.set("b", "2");
  assert.equal(seen, [
    ["a", "1", "local"],
    ["a", null, "local"],
  ]);
  await kv.close();
});

test("two daemons on one file see each other's writes as remote changes", async () => {
  const file = fresh();
  const a = await KvStore.open(openSqliteStore(file, { pollMs: 10 }));
  const b = await KvStore.open(openSqliteStore(file, { pollMs: 10 }));
  const seenByB: unknown[] = [];
  b.subscribe((...args) => seenByB.push(args));
  await a.set("x", "1");
  await until(() => b.get("x") === "1");
  await a.set("x", null);
  await until(() => !b.has("x"));
  assert.equal(seenByB, [
    ["x", "1", "remote"],
    ["x", null, "remote"],
  ]);
  await b.set("y", "from b");
  await until(() => a.get("y") === "from b");
  await a.close();
  await b.close();
});

test("reload() picks up what another process wrote and reports it as remote", async () => {
  const file = fresh();
  const other = openSqliteStore(file);
  const kv = await KvStore.open(openSqliteStore(file, { pollMs: 60_000 })); // polling too slow to matter
  await other.commit([["promoted", "yes"]]);
  assert.is(kv.get("promoted"), undefined);
  const seen: unknown[] = [];
  kv.subscribe((...args) => seen.push(args));
  await kv.reload();
  assert.is(kv.get("promoted"), "yes");
  assert.equal(seen, [["promoted", "yes", "remote"]]);
  await other.close();
  await kv.close();
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(2);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

test.run();
