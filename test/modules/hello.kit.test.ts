// The shipped hello module, tested the way a module author would: with @tsmgr/sdk/testing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness, type Harness } from "@tsmgr/sdk/testing";

let h: Harness | undefined;
test.after.each(async () => {
  await h?.close();
  h = undefined;
});

test("hello greets with the configured greeting and counts greetings in its store", async () => {
  h = await harness("modules/hello", { options: { greeting: "hi" } });
  assert.equal(await h.command("hello bob"), { retval: 0, stdout: "hi bob", stderr: "" });
  assert.is((await h.command(["hello"])).stdout, "hi world");
  assert.is((await h.command("hello count")).stdout, "2");
  assert.equal(await h.store(), { count: "2" });
});

test("hello keeps a count it finds in the store", async () => {
  h = await harness("modules/hello", { store: { count: "41" } });
  await h.command("hello");
  assert.is((await h.command("hello count")).stdout, "42");
});

test("hello's serve loop logs each interval: an hour of virtual time in milliseconds", async () => {
  h = await harness("modules/hello", { options: { interval: 60 } });
  const alive = () => h!.logs.filter((l) => l.msg.startsWith("still here")).length;
  assert.is(alive(), 0);
  await h.advance(59_999);
  assert.is(alive(), 0);
  await h.advance(1);
  assert.is(alive(), 1);
  await h.advance(59 * 60_000);
  assert.is(alive(), 60);
  assert.is(h.now, 3_600_000);
});

test("hello logs its start and its stop", async () => {
  h = await harness("modules/hello");
  assert.ok(h.logs.some((l) => l.level === "info" && l.msg === "hello module running"));
  await h.close();
  assert.ok(h.logs.some((l) => l.msg === "hello module stopping"));
});

test.run();
