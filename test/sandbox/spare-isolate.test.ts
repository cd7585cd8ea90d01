// The spare isolate (runtime/sandbox/spare-isolate.ts): made ahead of the next module start, it
// is handed out once, fresh, and only to a start asking for the same memory limit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { setImmediate as turn } from "node:timers/promises";
import { takeIsolate, type FreshIsolate } from "../../runtime/sandbox/spare-isolate.ts";

const limitMb = async ({ iso }: FreshIsolate) => (await iso.getHeapStatistics()).heap_size_limit / 2 ** 20;

test("each start gets its own fresh isolate and context, the spare at most once", async () => {
  const seen = new Set<unknown>();
  for (let i = 0; i < 4; i++) {
    const f = takeIsolate(64);
    await turn(); // the refill runs
    assert.not.ok(seen.has(f.iso), "an isolate handed out twice");
    seen.add(f.iso);
    const ctx = await f.ctx;
    assert.is(await ctx.eval("typeof globalThis.leftOver"), "undefined", "nothing of an earlier start in it");
    await ctx.eval("globalThis.leftOver = 1");
    f.iso.dispose();
  }
});

test("the spare is given only to a start with its memory limit", async () => {
  takeIsolate(64).iso.dispose();
  await turn(); // a 64 MiB spare now
  const big = takeIsolate(256);
  assert.ok((await limitMb(big)) >= 256, "the asked limit, not the spare's");
  big.iso.dispose();
  await turn();
  const again = takeIsolate(256);
  assert.ok((await limitMb(again)) >= 256);
  assert.ok((await limitMb(again)) < 512);
  again.iso.dispose();
});

test.run();
