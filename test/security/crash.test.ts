// Attacks that can take the process running the isolates down or leave it wedged, so each
// runs against a `tsmgr daemon` child process (as isolated-vm's own suite runs crash cases):
// the daemon must survive, answer, keep the canary answering, and burn no CPU afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { cli, waitFor } from "../_util.ts";
import { ChildArena, sleep, traceTests } from "./_harness.ts";

traceTests(test);
let c: ChildArena | undefined;
test.after.each(async () => {
  await c?.close();
  c = undefined;
});

const refused = (name: string, message: string) => ({ threw: { name, message } });

/** CPU a process used over `ms`, as a fraction of one core (from /proc, in 1/100 s ticks). */
async function cpuShare(pid: number, ms: number): Promise<number> {
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(f[11]) + Number(f[12]); // utime + stime
  };
  const t0 = ticks();
  await sleep(ms);
  return (ticks() - t0) / 100 / (ms / 1000);
}

test("sendCommand() with a string instead of a command object is a TypeError for the module, and the daemon keeps running", async () => {
  c = await ChildArena.open({ crash_send_not_object: { allow: { commands: ["osd pool ls"] } } });
  assert.equal(
    await c.report(["crash_send_not_object"]),
    refused("TypeError", 'sendCommand(): the command must be an object such as {prefix: "osd pool ls"}'),
  );
  await sleep(200);
  await c.checkHost();
});

test("sendCommand() with an inbuf that is not a string is a TypeError for the module, and the daemon keeps running", async () => {
  c = await ChildArena.open({ crash_send_inbuf: { allow: { commands: ["osd pool ls"] } } });
  assert.equal(
    await c.report(["crash_send_inbuf"]),
    refused("TypeError", "sendCommand(): inbuf must be a string, got object"),
  );
  await sleep(200);
  await c.checkHost();
});

test("sendCommand() from the constructor is refused by the circular-locking rule, and the daemon keeps running", async () => {
  c = await ChildArena.open({ crash_send_in_ctor: { allow: { commands: ["osd pool ls"] } } });
  assert.equal(await c.report(["crash_send_in_ctor"]), {
    name: "Error",
    message: `sendCommand() called from the constructor of module crash_send_in_ctor: cluster accessors cannot be used until the module is constructed (ceph-mgr's "circular locking" rule); move this call to serve() or notify()`,
  });
  await sleep(200);
  await c.checkHost();
});

test("setModuleOption() with a value JSON cannot carry is a TypeError for the module, and the daemon keeps running", async () => {
  c = await ChildArena.open({ crash_option_value: {} });
  assert.equal(
    await c.report(["crash_option_value"]),
    refused("TypeError", "setModuleOption(): the value must be a string, got undefined"),
  );
  await sleep(200);
  await c.checkHost();
});

test("an Error whose message getter never returns stops the module and leaves no thread spinning in the daemon", async () => {
  // isolated-vm reads the rejection's message after the call's timeout window, so this case
  // can leave a core busy for good: the child daemon is killed at the end.
  c = await ChildArena.open({ esc_error_getter: {} });
  const before = await cpuShare(c.proc.pid!, 1000);
  const r = await c.ask(["esc_error_getter"]);
  assert.is(r.retval, -5, r.stderr);
  assert.match(
    r.stderr,
    /^module esc_error_getter: handleCommand\(\) (kept the CPU busy for \d+ ms without returning \(limit 300 ms, |ran for more than 300 ms of CPU \()limits\.callTimeoutMs in mgr\.json\): the module was stopped$/,
    r.stderr,
  );
  const ls = await cli(["-c", c.cfg, "module", "ls", "-f", "json"]);
  const mod = (
    JSON.parse(ls.stdout) as { modules: { name: string; state: string; error: { message: string } }[] }
  ).modules.find((m) => m.name === "esc_error_getter");
  assert.is(mod?.state, "failed");
  assert.match(
    mod!.error.message,
    /^LimitExceeded: module esc_error_getter: handleCommand\(\) (kept the CPU busy|ran for more than 300 ms of CPU)/,
  );
  await sleep(300);
  const after = await cpuShare(c.proc.pid!, 1500);
  assert.ok(
    after < before + 0.15,
    `the daemon burns ${Math.round(after * 100)}% of a core after the module was stopped (${Math.round(before * 100)}% before the attack)`,
  );
  await c.checkHost();
});

test("module ls and health answer while a module spins outside any call, and the watchdog still stops it", async () => {
  // The daemon reads each isolate's heap statistics synchronously for `module ls`/`health`:
  // with the isolate busy that read can block the daemon's only thread, watchdog included.
  c = await ChildArena.open({ res_spin_detached: {} });
  assert.equal(await c.ask(["res_spin_detached"]), { retval: 0, stdout: "armed", stderr: "" });
  await sleep(50);
  const ls = await c.ask(["module", "ls"], 5000);
  assert.is(ls.retval, 0, `module ls: ${ls.stderr}`);
  const health = await c.ask(["health", "detail"], 5000);
  assert.is(health.retval, 0, `health detail: ${health.stderr}`);
  const failed = await waitFor(
    async () => {
      const r = await c!.ask(["module", "ls"], 3000);
      return r.retval === 0 && r.stdout.includes("res_spin_detached kept the CPU busy") ? r : undefined;
    },
    "the watchdog to stop the module",
    5000,
  ).catch(() => undefined);
  assert.ok(failed, "the spinning module was stopped by the watchdog");
  await c.checkHost();
});

test.run();
