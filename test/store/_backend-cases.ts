// The behaviour every StoreBackend promises (runtime/store/types.ts), as one set of cases run
// against each backend: test/store/sqlite.test.ts and test/etcd/store.test.ts call
// `storeBackendCases(test, backend)` with their own factory (as Hono's common.case.test.ts).
// What only one backend does (SQLite's pragmas, etcd's fence and layout) stays in its own file.
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import type { Change, StoreBackend } from "../../runtime/store/index.ts";
import { KvStore, type ChangeOrigin } from "../../runtime/store/index.ts";
import { waitFor } from "../_util.ts";

export interface BackendUnderTest {
  /** "sqlite" or "etcd": prefixes each case's name */
  name: string;
  /** A new, empty place for a store (a file, an etcd prefix). */
  place(): string;
  /** Opens a store at a place; two opens of one place are two connections (two daemons). */
  open(place: string): Promise<StoreBackend>;
  /**
   * etcd's watch delivers every change in commit order; SQLite's polls and reports the net
   * difference since the last poll (a key set and deleted in between is never seen).
   */
  watchesEveryChange: boolean;
}

/** Registers the shared store cases on `test` (so the file's own before/after hooks apply). */
export function storeBackendCases(test: Test, backend: BackendUnderTest): void {
  const named = (what: string) => `${backend.name}: ${what}`;

  /** Opens stores for one case and closes them all afterwards, whatever happened. */
  async function withStores(fn: (open: (place: string) => Promise<StoreBackend>) => Promise<void>): Promise<void> {
    const opened: StoreBackend[] = [];
    try {
      await fn(async (place) => {
        const s = await backend.open(place);
        opened.push(s);
        return s;
      });
    } finally {
      for (const s of opened.reverse()) await s.close().catch(() => {});
    }
  }

  test(named("commit() is durable: a reopened store loads what was committed, deletes and UTF-8 included"), () =>
    withStores(async (open) => {
      const place = backend.place();
      const a = await open(place);
      await a.loadAll();
      await a.commit([
        ["k1", "v1"],
        ["k2", "v2"],
        ["k3", "héllo ☃"],
      ]);
      await a.commit([
        ["k2", null],
        ["k1", "v1b"],
      ]);
      await a.close();
      const b = await open(place);
      assert.equal([...(await b.loadAll())].sort(), [
        ["k1", "v1b"],
        ["k3", "héllo ☃"],
      ]);
    }),
  );

  test(named("a batch of 1000 changes (more than one etcd transaction) is stored whole"), () =>
    withStores(async (open) => {
      const place = backend.place();
      const a = await open(place);
      await a.loadAll();
      await a.commit(Array.from({ length: 1000 }, (_, i): Change => [`many/${i}`, String(i)]));
      const b = await open(place);
      const all = await b.loadAll();
      assert.is([...all.keys()].filter((k) => k.startsWith("many/")).length, 1000);
      assert.is(all.get("many/999"), "999");
    }),
  );

  test(named("a closed store rejects loadAll() and commit() with a StoreError; closing twice is harmless"), () =>
    withStores(async (open) => {
      const store = await open(backend.place());
      await store.loadAll();
      await store.close();
      await store.close();
      for (const call of [async () => void (await store.loadAll()), () => store.commit([["k", "v"]])]) {
        const err = await Promise.resolve()
          .then(call)
          .then(
            () => undefined,
            (e: Error) => e,
          );
        assert.is(err?.name, "StoreError");
        assert.match(err!.message, "is closed");
      }
    }),
  );

  test(named("watch() reports another connection's commits, deletes included, never its own"), () =>
    withStores(async (open) => {
      const place = backend.place();
      const a = await open(place);
      await a.loadAll();
      await a.commit([["gone", "soon"]]);
      const b = await open(place);
      assert.is((await b.loadAll()).get("gone"), "soon");
      const seenByA: Change[] = [];
      const seenByB: Change[] = [];
      const stopA = a.watch!((changes) => seenByA.push(...changes));
      b.watch!((changes) => seenByB.push(...changes));
      await a.commit([
        ["x", "1"],
        ["gone", null],
      ]);
      await waitFor(() => seenByB.length >= 2, "b to hear a's commit");
      assert.equal([...seenByB].sort(), [
        ["gone", null],
        ["x", "1"],
      ]);
      await b.commit([["y", "2"]]);
      await waitFor(() => seenByA.length >= 1, "a to hear b's commit");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(seenByA, [["y", "2"]], "a connection never hears its own commits");
      stopA();
    }),
  );

  test(named("two KvStores on one place: each sees the other's writes and deletes as remote, never its own"), () =>
    withStores(async (open) => {
      const place = backend.place();
      const a = await KvStore.open(await open(place));
      const b = await KvStore.open(await open(place));
      try {
        const seenA: string[] = [];
        const seenB: [string, string | null, ChangeOrigin][] = [];
        a.subscribe((k, _v, o) => o === "remote" && seenA.push(k));
        b.subscribe((k, v, o) => seenB.push([k, v, o]));
        await a.set("x", "1");
        await a.set("y", "2");
        await a.set("x", null);
        await Promise.all(Array.from({ length: 50 }, (_, i) => a.set(`burst/${i}`, "v")));
        await waitFor(() => b.prefix("burst/").length === 50, "b to see a's burst", 3000);
        assert.is(b.get("y"), "2");
        assert.is(b.get("x"), undefined);
        if (backend.watchesEveryChange) {
          assert.equal(seenB.slice(0, 3), [
            ["x", "1", "remote"],
            ["y", "2", "remote"],
            ["x", null, "remote"],
          ]);
        }
        assert.ok(
          seenB.every(([, , origin]) => origin === "remote"),
          "b only hears a's writes, as remote",
        );
        await Promise.all([b.set("fromB", "b"), a.set("fromA", "a")]);
        await waitFor(() => a.get("fromB") === "b" && b.get("fromA") === "a", "each to see the other's write", 3000);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(seenA, ["fromB"]);
      } finally {
        await a.close();
        await b.close();
      }
    }),
  );
}
