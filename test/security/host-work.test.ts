// Host work a module causes is bounded and charged to it (issue 21 items 5 and 9): sendCommand
// in a loop meets back-pressure and a named limit instead of stalling the daemon's thread (and
// its lease), and host time spent in a module's synchronous calls counts toward its cpuShare.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startTestDaemon, waitFor, type TestDaemon } from "../_util.ts";
import { Arena, failureReports, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
let standby: TestDaemon | undefined;
test.after.each(async () => {
  await standby?.stop().catch(() => {});
  standby = undefined;
  await a?.close();
  a = undefined;
});

const epoch = async (a: Arena) =>
  (JSON.parse((await a.cmd(["status"], { format: "json" })).stdout) as { epoch: number }).epoch;

test("sendCommand in a loop is refused past the queue limit, the canary answers within 1 s and no failover happens", async () => {
  // the flood's own command waits for its 256 queued sends (500 start a second): give it room, so a
  // loaded machine cannot turn the module's deadline into the failure under test
  a = await Arena.open({
    hostile: { res_send_flood: { allow: { commands: ["osd pool ls"] }, limits: { callTimeoutMs: 10_000 } } },
    limits: { callTimeoutMs: 1000 },
  });
  // a standby in the same group takes over if the active's lease renewals stall
  standby = await startTestDaemon(a.dir, { ...a.overrides, id: "s" });
  assert.is(standby.isActive(), false);
  const before = await epoch(a);
  for (let round = 0; round < 3; round++) {
    const r = await a.report<{ sent: number; ok: number; refused: number; first?: { name: string; message: string } }>([
      "res_send_flood",
    ]);
    assert.ok(r.refused > 0 && r.ok > 0, JSON.stringify(r));
    assert.equal(r.first, {
      name: "LimitExceeded",
      message:
        "module res_send_flood has 256 sendCommand() calls waiting: the limit is 256 (at most 16 run at once, 500 start a second): await earlier commands before sending more",
    });
  }
  assert.ok(a.maxPingMs < 1000, `a canary ping took ${Math.round(a.maxPingMs)} ms`);
  assert.is(a.d.isActive(), true, "the active stayed active");
  assert.is(standby.isActive(), false, "the standby never took over");
  assert.is(await epoch(a), before, "the mgr map epoch did not move");
  await a.checkHost();
});

test("a module looping on listServers() is stopped by its cpuShare, host time included, while the canary answers", async () => {
  a = await Arena.open({
    hostile: { res_host_loop: { allow: { data: ["*"] } } },
    config: { cluster: { sim: { hosts: 40, osdsPerHost: 10, tickMs: 0 } } },
  });
  await waitFor(
    () => a!.d.logs.some((l) => l.module === "res_host_loop" && l.msg.startsWith("module failed: ")),
    "res_host_loop to be stopped",
    15_000,
  );
  const { ls } = await failureReports(a, "res_host_loop");
  assert.is(ls.state, "failed");
  assert.match(
    ls.error?.message ?? "",
    /^LimitExceeded: module res_host_loop used \d+ ms of CPU in the last 5 s \(\d+ ms of it in the daemon, running its host calls\): the limit is 50 % \(limits\.cpuShare in mgr\.json\): the module was stopped$/,
  );
  await a.checkHost();
});

test.run();
