// The `tsmgr` entry point run through tsx: `tsmgr daemon` runs a daemon in this very process
// (so signals reach it); every other command is handled by ./command.ts.
import type { Config } from "../config/index.ts";
import { main } from "./command.ts";

/** Set once a daemon ran here: exit explicitly, so no stray handle (e.g. esbuild's service) can hold the process. */
let ranDaemon = false;

async function runDaemon(cfg: Config): Promise<number> {
  ranDaemon = true;
  const [{ startDaemon, DaemonError }, { stopOnSignal }] = await Promise.all([
    import("../daemon/index.ts"),
    import("./stop-on-signal.ts"),
  ]);
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  try {
    daemon = await startDaemon(cfg);
  } catch (e) {
    if (e instanceof DaemonError) {
      process.stderr.write(`tsmgr daemon: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  // A daemon outlives a stray rejection: log it loudly rather than die with every module.
  process.on("unhandledRejection", (e) =>
    daemon.logger.error(
      { err: e instanceof Error ? e.stack : String(e) },
      "unhandled promise rejection (a tsmgr bug: please report it)",
    ),
  );
  // SIGHUP: mgr.json's module sections again (grants, limits), as `module reload` does for one
  process.on("SIGHUP", () => {
    daemon.reloadConfig().then(
      (changed) =>
        daemon.logger.info(
          { changed },
          changed.length
            ? "SIGHUP: mgr.json re-read, restarted the modules whose section changed"
            : "SIGHUP: mgr.json re-read, no module section changed",
        ),
      (e: Error) => daemon.logger.error(`SIGHUP: mgr.json was not applied: ${e.message}`),
    );
  });
  return stopOnSignal(daemon, cfg.limits.shutdownMs);
}

main(process.argv.slice(2), runDaemon).then(
  (code) => {
    process.exitCode = code;
    if (ranDaemon) setTimeout(() => process.exit(code), 20).unref();
  },
  (e: Error) => {
    process.stderr.write(`tsmgr: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  },
);
