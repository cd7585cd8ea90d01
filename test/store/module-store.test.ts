// ModuleStore: one module's namespaced, quota-bound view of the store, fed hostile input.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KvStore, ModuleStore, openSqliteStore } from "../../runtime/store/index.ts";

const root = mkdtempSync(join(tmpdir(), "tsmgr-modstore-"));
let n = 0;
const fresh = (): string => join(root, `case${++n}`, "store.db");
const open = async (file = fresh()): Promise<KvStore> => KvStore.open(openSqliteStore(file));

test.after(() => rmSync(root, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: Error) => err,
  );
}

test("keys are stored under mgr/<module>/ as Ceph lays them out", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  await hello.set("greeting", "hi");
  assert.is(kv.get("mgr/hello/greeting"), "hi");
  assert.is(hello.get("greeting"), "hi");
  await kv.close();
});

test("get() returns undefined, or the given default, for a missing key", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  assert.is(hello.get("nope"), undefined);
  assert.is(hello.get("nope", "fallback"), "fallback");
  assert.is(hello.get("nope", null), null);
  await hello.set("yes", "");
  assert.is(hello.get("yes", "fallback"), "", "an empty string is a value, not a miss");
  await kv.close();
});

test("set(key, null) deletes the key", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  await hello.set("k", "v");
  await hello.set("k", null);
  assert.is(hello.get("k"), undefined);
  assert.is(hello.keyCount, 0);
  await kv.close();
});

test("a module can neither read nor overwrite another module's keys", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  const other = new ModuleStore(kv, "other");
  await other.set("x", "secret");
  await hello.set("../other/x", "overwrite attempt");
  await hello.set("/../../other/x", "again");
  assert.is(other.get("x"), "secret");
  assert.is(hello.get("../other/x"), "overwrite attempt");
  assert.is(kv.get("mgr/hello/../other/x"), "overwrite attempt", "the key stays inside hello's namespace");
  assert.equal(other.getPrefix(""), { x: "secret" });
  assert.equal(Object.keys(hello.getPrefix("")).sort(), ["../other/x", "/../../other/x"]);
  assert.is(hello.get("x"), undefined);
  await kv.close();
});

test("a module named as a prefix of another does not see its keys", async () => {
  const kv = await open();
  await new ModuleStore(kv, "dash").set("k", "1");
  await new ModuleStore(kv, "dashboard").set("k", "2");
  assert.equal(new ModuleStore(kv, "dash").getPrefix(""), { k: "1" });
  await kv.close();
});

test("getPrefix() returns this module's matching keys without the mgr/<module>/ part", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  await Promise.all([hello.set("a/1", "x"), hello.set("a/2", "y"), hello.set("b", "z"), hello.set("__proto__", "p")]);
  assert.equal(hello.getPrefix("a/"), { "a/1": "x", "a/2": "y" });
  const all = hello.getPrefix("");
  assert.is(Object.keys(all).length, 4);
  assert.is(Object.getOwnPropertyDescriptor(all, "__proto__")?.value, "p", "__proto__ is an ordinary key");
  assert.throws(
    () => hello.getPrefix(5),
    (err: Error) => err instanceof TypeError && /got number/.test(err.message),
  );
  await kv.close();
});

test("non-string values are refused with a TypeError naming the key and the type", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  const cases: [unknown, string][] = [
    [42, "number"],
    [{ a: 1 }, "object"],
    [["x"], "array"],
    [true, "boolean"],
    [undefined, "undefined"],
  ];
  for (const [value, type] of cases) {
    const err = await rejection(hello.set("k", value));
    assert.instance(err, TypeError);
    assert.is(err.message, `setStore("k"): value must be a string or null, got ${type}`);
  }
  assert.is(hello.keyCount, 0, "nothing written");
  assert.is(kv.size, 0);
  await kv.close();
});

test("keys that are not non-empty strings are refused with a TypeError quoting the type", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  for (const [key, type] of [
    [1, "number"],
    [null, "null"],
    [{}, "object"],
    [Symbol("s"), "symbol"],
  ] as const) {
    const err = await rejection(hello.set(key, "v"));
    assert.instance(err, TypeError);
    assert.is(err.message, `setStore(): key must be a non-empty string, got ${type}`);
    assert.throws(
      () => hello.get(key),
      (e: Error) => e instanceof TypeError && e.message.includes(`got ${type}`),
    );
  }
  const empty = await rejection(hello.set("", "v"));
  assert.is(empty.message, 'setStore(""): key must be a non-empty string');
  assert.is(kv.size, 0);
  await kv.close();
});

test("a value over maxValueBytes is refused with LimitExceeded saying where to raise it, nothing written", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello", { maxValueBytes: 10 });
  await hello.set("k", "old");
  const err = await rejection(hello.set("k", "é".repeat(6))); // 6 chars, 12 UTF-8 bytes
  assert.is(err.name, "LimitExceeded");
  assert.is(
    err.message,
    'module "hello": setStore("k"): the value is 12 bytes, over the limit of 10: store less or raise modules.hello.store.maxValueBytes in mgr.json',
  );
  assert.is(hello.get("k"), "old");
  await hello.set("k", "x".repeat(10)); // exactly at the limit is fine
  await kv.close();
});

test("the default value limit is 64 KiB", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  assert.equal(hello.quota, { maxKeys: 1000, maxKeyBytes: 256, maxValueBytes: 65536 });
  await hello.set("big", "x".repeat(65536));
  const err = await rejection(hello.set("bigger", "x".repeat(65537)));
  assert.is(err.name, "LimitExceeded");
  assert.is(hello.get("bigger"), undefined);
  await kv.close();
});

test("a key over maxKeyBytes is refused with LimitExceeded, nothing written", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello");
  const key = "k".repeat(257);
  const err = await rejection(hello.set(key, "v"));
  assert.is(err.name, "LimitExceeded");
  assert.match(err.message, 'module "hello": setStore("kkkk');
  assert.match(err.message, "the key is 257 bytes, over the limit of 256");
  assert.match(err.message, "raise modules.hello.store.maxKeyBytes in mgr.json");
  assert.ok(err.message.length < 300, "a huge key is cut short in the message");
  assert.is(kv.size, 0);
  await hello.set("k".repeat(256), "v");
  await kv.close();
});

test("a new key beyond maxKeys is refused, but updates and deletes still work", async () => {
  const kv = await open();
  const hello = new ModuleStore(kv, "hello", { maxKeys: 3 });
  await Promise.all([hello.set("a", "1"), hello.set("b", "2"), hello.set("c", "3")]);
  const err = await rejection(hello.set("d", "4"));
  assert.is(err.name, "LimitExceeded");
  assert.is(
    err.message,
    'module "hello": setStore("d") would add a key beyond the limit of 3 keys: delete keys with setStore(key, null) or raise modules.hello.store.maxKeys in mgr.json',
  );
  assert.is(hello.get("d"), undefined);
  await hello.set("a", "updated");
  await hello.set("b", null);
  await hello.set("d", "4");
  assert.is(hello.keyCount, 3);
  await kv.close();
});

test("the key count includes keys from an earlier run and follows rollbacks of other views", async () => {
  const file = fresh();
  const kv1 = await open(file);
  await new ModuleStore(kv1, "hello").set("old", "1");
  await kv1.close();
  const kv = await open(file);
  const hello = new ModuleStore(kv, "hello", { maxKeys: 2 });
  assert.is(hello.keyCount, 1);
  await new ModuleStore(kv, "hello").set("second", "2"); // written through another view
  assert.is(hello.keyCount, 2);
  assert.is((await rejection(hello.set("third", "3"))).name, "LimitExceeded");
  hello.dispose();
  await kv.close();
});

test("bad module names and quotas are refused at construction", async () => {
  const kv = await open();
  for (const name of ["", "a/b", "../x", ".hidden", 7]) {
    assert.throws(
      () => new ModuleStore(kv, name as string),
      (err: Error) => err instanceof TypeError && err.message.includes("module name must be"),
    );
  }
  assert.throws(
    () => new ModuleStore(kv, "hello", { maxKeys: -1 }),
    (err: Error) => err instanceof RangeError && err.message.includes("modules.hello.store.maxKeys"),
  );
  await kv.close();
});

test("values survive a restart byte for byte, including NUL and emoji", async () => {
  const file = fresh();
  const kv = await open(file);
  const value = "a\u0000b\u{1F600}ü\n";
  await new ModuleStore(kv, "hello").set("weird key\u0000", value);
  await kv.close();
  const again = await open(file);
  assert.is(new ModuleStore(again, "hello").get("weird key\u0000"), value);
  await again.close();
});

test.run();
