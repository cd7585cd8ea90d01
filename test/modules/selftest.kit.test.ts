// The shipped selftest module, tested with @tsmgr/sdk/testing: its run against the simulated
// cluster, its health checks and its background workload, each in one harness call.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { harness, type Harness } from "@tsmgr/sdk/testing";

/** The grants the shipped mgr.json gives selftest. */
const grants = (
  JSON.parse(readFileSync("mgr.json", "utf8")) as { modules: { selftest: { allow: { commands: string[] } } } }
).modules.selftest.allow;

let h: Harness | undefined;
test.after.each(async () => {
  await h?.close();
  h = undefined;
});

// the run waits for cluster changes with timers: on the kit's virtual clock nothing would move them
test("selftest run reports no failed check with the shipped grants (on real time)", async () => {
  h = await harness("modules/selftest", { cluster: { hosts: 3, osdsPerHost: 2, seed: 7 }, grants, realTime: true });
  const r = await h.command("selftest run", { timeoutMs: 20_000 });
  const report = JSON.parse(r.stdout) as { ok: boolean; failed: unknown[] };
  assert.equal(report.failed, [], r.stdout);
  assert.is(r.retval, 0);
});

test("selftest health set raises the checks it is given, and health clear drops them", async () => {
  h = await harness("modules/selftest", { grants });
  const r = await h.command(
    `selftest health set '{"SELFTEST_KIT": {"severity": "error", "summary": "raised by a test", "detail": ["one"]}}'`,
  );
  assert.is(r.retval, 0, r.stderr);
  const checks = await h.health();
  assert.is(checks.SELFTEST_KIT?.severity, "HEALTH_ERR");
  assert.is(checks.SELFTEST_KIT?.summary.message, "raised by a test");
  await h.command("selftest health clear");
  assert.equal(await h.health(), {});
});

test("selftest's get_spam workload runs one iteration per background_interval of virtual time", async () => {
  h = await harness("modules/selftest", { grants, options: { background_interval: 60 } });
  assert.is((await h.command("selftest background start get_spam")).retval, 0);
  await h.idle();
  const iterations = async () =>
    (JSON.parse((await h!.command("selftest background status")).stdout) as { iterations: number }).iterations;
  const first = await iterations();
  await h.advance(10 * 60_000);
  assert.is(await iterations(), first + 10);
  assert.is((await h.command("selftest background stop")).retval, 0);
});

test.run();
