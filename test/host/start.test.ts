// Modules that start together and then sit idle: builds and isolates run concurrently yet a
// command conflict still goes to the alphabetically earlier module, and idle isolates hold no
// timer of their own (the daemon-wide watchdog ticks only while some isolate runs).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { watchdogState } from "../../runtime/sandbox/index.ts";
import { useDaemon } from "../_daemon.ts";
import { waitFor } from "../_util.ts";

const daemons = useDaemon(test);

const plain = (prefix: string, out: string) => `import { MgrModule } from "@tsmgr/sdk";
export default class M extends MgrModule {
  static COMMANDS = [{ cmd: "${prefix}", desc: "d", perm: "r" as const }];
  async handleCommand() { return { retval: 0, stdout: "${out}", stderr: "" }; }
}
`;

// Intervals alive in this process (unref'd ones included, which getActiveResourcesInfo omits).
const intervals = new Set<unknown>();
const realSet = globalThis.setInterval;
const realClear = globalThis.clearInterval;
globalThis.setInterval = ((...a: Parameters<typeof setInterval>) => {
  const t = realSet(...a);
  intervals.add(t);
  return t;
}) as typeof setInterval;
globalThis.clearInterval = ((t: Parameters<typeof clearInterval>[0]) => {
  intervals.delete(t);
  realClear(t);
}) as typeof clearInterval;
const timeouts = () => intervals.size;

test("modules starting together: the alphabetically later module loses a command conflict even when it is ready first", async () => {
  // dup_a evaluates slowly (its top level spins ~300 ms), so dup_b's isolate is ready first
  const slow = plain("dup ping", "a").replace(
    "export default",
    "const t = Date.now(); while (Date.now() - t < 300) {}\nexport default",
  );
  const d = await daemons.start({
    files: { "dup_a.ts": slow, "dup_b.ts": plain("dup ping", "b"), "other.ts": plain("other ping", "o") },
  });
  await waitFor(() => d.modules().every((m) => m.state === "active" || m.state === "failed"), "every module settled");
  const by = (n: string) => d.modules().find((m) => m.name === n)!;
  assert.is(by("dup_a").state, "active");
  assert.is(by("other").state, "active");
  assert.match(by("dup_b").error!.message, /command "dup ping" is already provided by module dup_a/);
  assert.is((await d.command(["dup", "ping"])).stdout, "a");
});

test("idle modules hold no timer each: the watchdog stops ticking once their isolates are quiet", async () => {
  const names = Array.from({ length: 6 }, (_, i) => `idle_${i}`);
  const d = await daemons.start({
    files: Object.fromEntries(names.map((n) => [`${n}.ts`, plain(`${n} ping`, n)])),
    modules: Object.fromEntries(names.map((n) => [n, { enabled: false }])),
  });
  const before = timeouts();
  for (const n of names) assert.is((await d.command(["module", "enable", n])).retval, 0);
  await waitFor(() => !watchdogState().ticking, "the watchdog to stop ticking after the start");
  assert.is(watchdogState().live, names.length);
  // one daemon-wide sweep timer for all of them, none per module
  assert.ok(timeouts() - before <= 1, `${timeouts() - before} intervals more with ${names.length} idle modules`);
  // a call wakes the watchdog; it goes quiet again afterwards
  assert.is((await d.command(["idle_3", "ping"])).stdout, "idle_3");
  await waitFor(() => !watchdogState().ticking, "the watchdog to stop ticking after a call");
  assert.is(watchdogState().watched, 0);
});

test.run();
