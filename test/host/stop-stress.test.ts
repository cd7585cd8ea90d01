// Ctrl-C always stops the daemon: child-process daemons under load (commands in flight, many
// timers, a busy loop, modules stuck in shutdown(), threads inside sync host calls) are stopped
// by SIGINT (once, or twice like `npm start` passes it on) or SIGTERM, and must exit 0, never hang.
// TSMGR_STOP_STRESS=100 runs 100 stops instead of the default few.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requestAsok } from "../../runtime/http/client.ts";
import { STOP_MARGIN_MS } from "../../runtime/cli/stop-on-signal.ts";
import { BIN, cleanup, ROOT, tempDir, waitFor, writeConfig } from "../_util.ts";

const ITERATIONS = Number(process.env.TSMGR_STOP_STRESS ?? 12);
const SHUTDOWN_MS = 500;
// a stop that is not over by then has hung: the daemon's own deadline is SHUTDOWN_MS + STOP_MARGIN_MS
const HUNG_MS = SHUTDOWN_MS + STOP_MARGIN_MS + 10_000;
const LOAD = ["busy", "chatty", "slow", "spinstop", "stuck", "timers"];

let dirs: string[] = [];
test.after.each(() => {
  for (const d of dirs) cleanup(d);
  dirs = [];
});

interface Child {
  proc: ChildProcess;
  output: () => string;
  /** the exit code, or the signal that ended it */
  exited: Promise<number | string>;
}

/** Starts a daemon running every load module of test/fixtures/stop; resolves once it says it started. */
async function startLoaded(shutdownMs = SHUTDOWN_MS): Promise<{ child: Child; asok: string }> {
  const dir = tempDir("tsmgr-stop-");
  dirs.push(dir);
  const cfg = writeConfig(dir, {
    modulePath: join(ROOT, "test", "fixtures", "stop"),
    limits: { shutdownMs, callTimeoutMs: 1000, restartBackoffMs: 10 },
    modules: Object.fromEntries(LOAD.map((m) => [m, { enabled: true }])),
  });
  const child = spawnChild(BIN, ["daemon", "-c", cfg], {});
  await waitFor(
    () => {
      if (child.proc.exitCode !== null) throw new Error(`daemon exited during start: ${child.output().slice(-2000)}`);
      return child.output().includes("tsmgr daemon started");
    },
    "the daemon to start",
    30_000,
  );
  return { child, asok: join(dir, "data", "mgr.t.asok") };
}

function spawnChild(cmd: string, args: string[], o: { cwd?: string; detached?: boolean }): Child {
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...o });
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | string>((r) => proc.on("exit", (code, sig) => r(code ?? sig ?? -1)));
  return { proc, output: () => output, exited };
}

/** The exit code and the ms from `t0`; fails (after killing it) a child that does not exit. */
async function exitOf(child: Child, t0: number): Promise<{ code: number | string; ms: number }> {
  const guard = setTimeout(() => child.proc.kill("SIGKILL"), HUNG_MS);
  const code = await child.exited;
  clearTimeout(guard);
  const ms = Math.round(performance.now() - t0);
  if (code === "SIGKILL")
    assert.unreachable(`the daemon hung: still running ${HUNG_MS} ms after the signal\n${tail(child.output())}`);
  return { code, ms };
}

const tail = (out: string) => out.split("\n").slice(-12).join("\n");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How iteration i stops the daemon: the `npm start` echo, one SIGINT, SIGTERM, or SIGINT then SIGTERM. */
const SIGNALS: [NodeJS.Signals, NodeJS.Signals | undefined][] = [
  ["SIGINT", "SIGINT"],
  ["SIGINT", undefined],
  ["SIGTERM", undefined],
  ["SIGINT", "SIGTERM"],
];

test(`${ITERATIONS} stops under load (commands in flight, timers, a busy loop, stuck shutdown()) each exit 0`, async () => {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const { child, asok } = await startLoaded();
    // commands in flight: one that waits a minute, two that spin in sync host calls
    for (const argv of [
      ["slow", "wait"],
      ["chatty", "spin"],
      ["chatty", "spin"],
    ])
      void requestAsok(asok, { argv }, 60_000).catch(() => {});
    await sleep((i * 67) % 400); // signals land in different phases: modules starting, serving, restarting
    const [first, echo] = SIGNALS[i % SIGNALS.length]!;
    const t0 = performance.now();
    child.proc.kill(first);
    if (echo) setTimeout(() => child.proc.kill(echo), 50);
    const { code, ms } = await exitOf(child, t0);
    assert.is(
      code,
      0,
      `stop #${i} (${first}${echo ? ` + ${echo} 50 ms later` : ""}) exited ${code} after ${ms} ms:\n${tail(child.output())}`,
    );
    times.push(ms);
  }
  if (process.env.TSMGR_STOP_STRESS) {
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `\nstop-stress: ${times.length} stops, all exit 0; stop ms p50 ${sorted[sorted.length >> 1]}, max ${sorted.at(-1)} (limits.shutdownMs ${SHUTDOWN_MS})`,
    );
  }
});

test("a second signal more than a second after the first exits 1 at once, saying the stop was cut short", async () => {
  // a long shutdownMs and a module whose shutdown() never returns: the stop would take 20 s
  const { child, asok } = await startLoaded(20_000);
  void requestAsok(asok, { argv: ["chatty", "spin"] }, 60_000).catch(() => {});
  child.proc.kill("SIGINT");
  await waitFor(() => child.output().includes("signal received: stopping"), "the stop to begin");
  await sleep(1100);
  const t0 = performance.now();
  child.proc.kill("SIGINT");
  const { code } = await exitOf(child, t0);
  assert.is(code, 1, tail(child.output()));
  assert.match(
    child.output(),
    /tsmgr daemon: SIGINT again while stopping: exiting now, with the modules' shutdown\(\) cut short/,
  );
});

test("Ctrl-C on `npm start` (SIGINT to npm's process group, which npm passes on) exits 0 after shutdown()", async () => {
  const dir = tempDir("tsmgr-npm-");
  dirs.push(dir);
  writeConfig(dir, { modulePath: join(ROOT, "modules"), modules: { hello: { enabled: true } } });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "stop-test", private: true, scripts: { start: `exec ${BIN} daemon -c mgr.json` } }),
  );
  // its own process group, as a terminal's foreground job: the group gets the SIGINT, as on Ctrl-C
  const npm = spawnChild("npm", ["start", "--silent"], { cwd: dir, detached: true });
  await waitFor(
    () => {
      if (npm.proc.exitCode !== null) throw new Error(`npm start exited during start: ${npm.output().slice(-2000)}`);
      return npm.output().includes("tsmgr daemon started");
    },
    "the daemon under npm start to start",
    30_000,
  );
  const t0 = performance.now();
  process.kill(-npm.proc.pid!, "SIGINT");
  const { code } = await exitOf(npm, t0);
  assert.is(code, 0, tail(npm.output()));
  assert.match(npm.output(), /hello module stopping/);
  assert.not.match(npm.output(), /second SIGINT|exiting now/);
});

test("Ctrl-C on `node bin/tsmgr.js daemon` (re-run with --no-node-snapshot, which passes SIGINT on) exits 0", async () => {
  const dir = tempDir("tsmgr-rerun-");
  dirs.push(dir);
  const cfg = writeConfig(dir, { modulePath: join(ROOT, "modules"), modules: { hello: { enabled: true } } });
  const wrapper = spawnChild(process.execPath, [BIN, "daemon", "-c", cfg], { detached: true });
  await waitFor(
    () => {
      if (wrapper.proc.exitCode !== null)
        throw new Error(`the daemon exited during start: ${wrapper.output().slice(-2000)}`);
      return wrapper.output().includes("tsmgr daemon started");
    },
    "the re-run daemon to start",
    30_000,
  );
  const t0 = performance.now();
  process.kill(-wrapper.proc.pid!, "SIGINT");
  const { code } = await exitOf(wrapper, t0);
  assert.is(code, 0, tail(wrapper.output()));
  assert.match(wrapper.output(), /hello module stopping/);
});

test("a stop whose main thread is blocked (no JS timer can fire) is ended by the watchdog thread, with a message", async () => {
  const child = spawnChild(
    process.execPath,
    ["--no-node-snapshot", "--import", "tsx", join(ROOT, "test", "fixtures", "blocked-stop.ts")],
    { cwd: ROOT },
  );
  await waitFor(() => child.output().includes("ready"), "the blocked-stop script to start", 30_000);
  child.proc.kill("SIGINT");
  let hung = false;
  const guard = setTimeout(() => ((hung = true), child.proc.kill("SIGKILL")), HUNG_MS);
  const code = await child.exited; // the watchdog fires 100 + STOP_MARGIN_MS + 3000 ms after the signal
  clearTimeout(guard);
  assert.not.ok(hung, `still running ${HUNG_MS} ms after the signal: nothing ended the blocked process`);
  assert.is(code, "SIGKILL");
  assert.match(
    child.output(),
    /tsmgr daemon: still running \d+ ms after the signal \(its main thread is blocked\): killing the process/,
  );
});

test.run();
