// Log abuse (issue 21 item 8): every line a module causes passes its rate limit, what it logs is
// cut in the isolate before it crosses, and its exceptions are logged with a bounded stack.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { buildHostTable, type ModuleContext } from "../../runtime/api/index.ts";
import { ModuleBuilder } from "../../runtime/loader/index.ts";
import { ModuleSandbox } from "../../runtime/sandbox/index.ts";
import { waitFor, type LogRecord } from "../_util.ts";
import { Arena, HOSTILE, LIMITS, sleep, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
test.after.each(async () => {
  await a?.close();
  a = undefined;
});

const LINES_PER_SEC = 50;
/** a logged error: 4 KiB of message and 20 frames of at most 300 characters, with markers */
const MAX_ERROR_LINE = 4096 + 20 * 320 + 200;

const from = (a: Arena, name: string, pred: (l: LogRecord) => boolean) =>
  a.d.logs.filter((l) => l.module === name && pred(l));
const size = (l: LogRecord) => JSON.stringify(l).length;

/** A real isolate whose host log function records the length of every message that crossed. */
async function sandbox(crossed: number[]): Promise<ModuleSandbox> {
  const ctx = {
    name: "log_huge",
    role: "active",
    mgrId: "t",
    mgrIp: "127.0.0.1",
    phase: () => "running",
    log: () => {},
  } as unknown as ModuleContext;
  const table = buildHostTable(ctx);
  table.log = {
    kind: "event",
    fn: (_level: unknown, message: unknown) => void crossed.push((message as string).length),
  };
  const builder = new ModuleBuilder("log_huge", join(HOSTILE, "log_huge.ts"), HOSTILE);
  const bundle = await builder.build();
  await builder.dispose();
  const sb = await ModuleSandbox.create({
    name: "log_huge",
    role: "active",
    bundle,
    displayPath: (s) => s,
    memoryMb: 128,
    callTimeoutMs: 2000,
    maxTimers: 10,
    host: table,
    onFatal: () => {},
    onTimerError: () => {},
  });
  await sb.construct("active");
  return sb;
}

test("an 8 MiB log() message is cut in the isolate: no more than 16 KiB crosses to the daemon", async () => {
  const crossed: number[] = [];
  const sb = await sandbox(crossed);
  try {
    await sb.call("handleCommand", ["", { prefix: "log_huge", what: "log" }]);
    await waitFor(() => crossed.length >= 2, "both lines to reach the host");
    assert.equal(
      crossed,
      [16384 + "…(truncated)".length, 16384 + "…(truncated)".length],
      "this.log.info and console.log each crossed cut",
    );
  } finally {
    sb.dispose();
  }
});

test("an error with a 1 MiB message or 300 frames crosses with a 4 KiB message and at most 20 frames", async () => {
  const sb = await sandbox([]);
  try {
    const big = (await sb
      .call("handleCommand", ["", { prefix: "log_huge", what: "throw" }])
      .catch((e: Error) => e)) as Error;
    assert.is(big.message, "E".repeat(4096) + "…(truncated)");
    assert.ok(big.stack!.length < MAX_ERROR_LINE, `the stack is ${big.stack!.length} characters`);
    const deep = (await sb
      .call("handleCommand", ["", { prefix: "log_huge", what: "deep" }])
      .catch((e: Error) => e)) as Error;
    assert.is(deep.message, "deep");
    const lines = deep.stack!.split("\n");
    assert.is(lines.length, 22, "the header, 20 frames and a marker");
    assert.is(lines.at(-1), "    …(more frames)");
  } finally {
    sb.dispose();
  }
});

test("warnings for get() of unknown names go through the module's log limit", async () => {
  // 5,000 calls in one command: room for a loaded machine, so the deadline is not what is tested
  a = await Arena.open({
    hostile: { log_unknown_get: { allow: { data: ["*"] }, limits: { callTimeoutMs: 10_000 } } },
    limits: { logLinesPerSec: LINES_PER_SEC },
  });
  assert.equal(await a.report(["log_unknown_get"]), { nulls: 5000 });
  const warned = from(a, "log_unknown_get", (l) => l.msg.startsWith('get("no_such_data_'));
  assert.ok(warned.length > 0, "unknown names are still reported");
  assert.ok(
    warned.length <= 2 * LINES_PER_SEC,
    `${warned.length} warnings logged for 5000 unknown names: the limit is ${LINES_PER_SEC} a second`,
  );
  await a.checkHost();
});

test("a timer throwing 1 MiB errors every 10 ms is logged within the line limit, each line a few KiB", async () => {
  a = await Arena.open({ hostile: { log_timer_throw: {} }, limits: { logLinesPerSec: LINES_PER_SEC } });
  assert.equal(await a.cmd(["log_timer_throw"]), { retval: 0, stdout: "started", stderr: "" });
  const lines = () => from(a!, "log_timer_throw", (l) => l.msg === "exception in a timer callback");
  await waitFor(() => lines().length >= 5, "timer exceptions to be logged");
  const t0 = performance.now();
  await sleep(1500);
  const seconds = (performance.now() - t0) / 1000 + 2;
  const all = lines();
  assert.ok(
    all.length <= LINES_PER_SEC * seconds,
    `${all.length} lines in about ${seconds.toFixed(1)} s: the limit is ${LINES_PER_SEC} a second`,
  );
  const biggest = Math.max(...all.map(size));
  assert.ok(biggest < MAX_ERROR_LINE, `a timer exception was logged as ${biggest} characters`);
  assert.ok((all[0]!.err as string).startsWith("Error: TTTT"), String(all[0]!.err).slice(0, 100));
  await a.checkHost();
});

test("notify() throwing 1 MiB errors is logged with a bounded stack", async () => {
  a = await Arena.open({ hostile: { log_notify_throw: {} }, limits: { logLinesPerSec: LINES_PER_SEC } });
  for (let i = 0; i < 5; i++) assert.is((await a.cmd(["sim", "osd", i % 2 ? "up" : "down", "1"])).retval, 0);
  const lines = () => from(a!, "log_notify_throw", (l) => l.msg.startsWith("notify() failed: "));
  await waitFor(() => lines().length >= 2, "notify() exceptions to be logged");
  const biggest = Math.max(...lines().map(size));
  assert.ok(biggest < MAX_ERROR_LINE, `a notify() exception was logged as ${biggest} characters`);
  await a.checkHost();
});

test("refused sendCommand calls coalesce their notify('command') while one is waiting", async () => {
  a = await Arena.open({ hostile: { log_refused_send: {} } });
  assert.equal(await a.report(["log_refused_send", "fire"]), { refused: 200 });
  const count = async () => Number((await a!.cmd(["log_refused_send", "count"])).stdout);
  // wait until delivery stopped: two counts 300 ms apart agree
  let last = -1;
  const settled = await waitFor(
    async () => {
      const n = await count();
      const same = n === last;
      last = n;
      if (!same) await sleep(300);
      return same ? n + 1 : undefined;
    },
    "notify('command') delivery to stop",
    10_000,
  );
  const delivered = settled - 1;
  assert.ok(delivered >= 1, "a refusal still notifies");
  assert.ok(
    delivered <= 50,
    `${delivered} notify('command') calls for 200 refusals: they should coalesce while one is being delivered`,
  );
  await a.checkHost();
});

test.run();
