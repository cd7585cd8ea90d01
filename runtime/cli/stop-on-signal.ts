// How a foreground daemon stops on SIGINT/SIGTERM: one signal is a clean stop, bounded by
// limits.shutdownMs; and the process never exits while an isolate thread is busy (see exitSafely).
import { Worker } from "node:worker_threads";
import type { Daemon } from "../daemon/index.ts";
import { ModuleSandbox } from "../sandbox/index.ts";

/**
 * A second signal this soon after the first is the same Ctrl-C: the terminal signals the whole
 * foreground group, and `npm start` passes its own SIGINT on to the daemon as well.
 */
export const SIGNAL_ECHO_MS = 1000;
/** What a stop may take beyond limits.shutdownMs (closing the backends) before it is cut short. */
export const STOP_MARGIN_MS = 1500;
/** How long isolate threads get to leave once their isolates are disposed. */
const THREADS_MS = 2000;

/**
 * Resolves with the exit code once the daemon stopped on the first SIGINT/SIGTERM: 0, or 1 when
 * stopping failed. A later signal, or a stop still running after shutdownMs + STOP_MARGIN_MS,
 * exits at once (code 1) with a message saying so.
 */
export function stopOnSignal(daemon: Daemon, shutdownMs: number): Promise<number> {
  return new Promise<number>((resolve) => {
    let first = 0;
    let exiting = false;
    const cutShort = (why: string) => {
      if (exiting) return;
      exiting = true;
      process.stderr.write(`tsmgr daemon: ${why}: exiting now, with the modules' shutdown() cut short\n`);
      void exitSafely(1);
    };
    const begin = (sig: string) => {
      daemon.logger.info({ signal: sig }, "signal received: stopping");
      const limit = shutdownMs + STOP_MARGIN_MS;
      armWatchdog(limit + THREADS_MS + 1000);
      const deadline = setTimeout(
        () =>
          cutShort(`the daemon did not stop within ${limit} ms (limits.shutdownMs ${shutdownMs} + ${STOP_MARGIN_MS})`),
        limit,
      );
      const finish = (code: number) => {
        clearTimeout(deadline);
        if (exiting) return;
        void settleThreads().then(() => resolve(code));
      };
      daemon.stop().then(
        () => finish(0),
        (e: Error) => {
          process.stderr.write(`tsmgr daemon: error while stopping: ${e.message}\n`);
          finish(1);
        },
      );
    };
    const onSignal = (sig: string) => {
      const now = performance.now();
      if (!first) {
        first = now;
        return begin(sig);
      }
      if (now - first < SIGNAL_ECHO_MS)
        return daemon.logger.debug(
          { signal: sig },
          "signal repeated (the same Ctrl-C, passed on by npm): already stopping",
        );
      cutShort(`${sig} again while stopping`);
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
  });
}

/**
 * Disposes every isolate and waits for isolated-vm's threads to leave them: exit() joins those
 * threads, and one still running a module, or waiting in a synchronous host call for the main
 * thread (the one in exit()), would block the process there for good, deaf to every signal.
 * When a thread does not leave in time, the process kills itself rather than hang.
 */
async function settleThreads(): Promise<void> {
  if (await ModuleSandbox.disposeAll(THREADS_MS)) return;
  process.stderr.write(
    `tsmgr daemon: a module's thread did not stop within ${THREADS_MS} ms of its isolate's disposal: killing the process\n`,
  );
  process.kill(process.pid, "SIGKILL");
}

/**
 * The last resort, on its own thread: JS timers cannot fire while the main thread is blocked in
 * native code, so a worker kills the process if it is still there `ms` from now. Workers run
 * here: only --no-node-snapshot in a worker's execArgv is refused, and it passes none.
 */
function armWatchdog(ms: number): void {
  const src = `const { workerData: d } = require("node:worker_threads");
setTimeout(() => { require("node:fs").writeSync(2, d.message); process.kill(d.pid, "SIGKILL"); }, d.ms);`;
  const message = `tsmgr daemon: still running ${ms} ms after the signal (its main thread is blocked): killing the process\n`;
  try {
    const w = new Worker(src, { eval: true, execArgv: [], workerData: { ms, pid: process.pid, message } });
    w.unref(); // never what keeps the process alive
    w.on("error", () => {});
  } catch {
    // no worker threads: the main thread's deadline has to do
  }
}

/** process.exit(code), once it can no longer hang (see settleThreads). */
export async function exitSafely(code: number): Promise<never> {
  await settleThreads();
  process.exit(code);
}
