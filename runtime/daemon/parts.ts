// The parts of a daemon that refer to each other: modules need the command table (to check their
// prefixes) and the election (for their role and published URIs); built-in commands need all three.
// Built here in one place so daemon.ts reads as a list of steps.
import { existsSync } from "node:fs";
import type { AuditLog } from "../audit/index.ts";
import type { ClusterSource } from "../cluster/index.ts";
import { loadConfig, type Config } from "../config/index.ts";
import type { Election } from "../election/index.ts";
import type { Logger } from "../log/index.ts";
import type { KvStore } from "../store/index.ts";
import type { AuthKeys } from "./auth-keys.ts";
import type { KitHooks } from "./module-runner.ts";
import { builtinCommands, countedCommands, type Builtin } from "./builtins/index.ts";
import { simCommands } from "./builtins/sim.ts";
import { logCommands } from "./builtins/log.ts";
import { logTailCommands } from "./builtins/logs.ts";
import { attachLogRing } from "../log/ring.ts";
import { CommandRouter } from "./command-router.ts";
import { ModuleHttpHost } from "./module-http.ts";
import { ModuleManager } from "./modules.ts";
import { MonCommands } from "./mon-commands.ts";
import { PerfCounters } from "./perf-counters.ts";
import { packageInstaller } from "./package-installer.ts";

export interface DaemonParts {
  modules: ModuleManager;
  router: CommandRouter;
  builtins: Builtin[];
  election(): Election;
  /** Takes the group's election and starts it: modules follow the role it gives this daemon. */
  elect(election: Election, log: Logger): { ready: Promise<void> };
  /** `module reload` and SIGHUP: applies the module sections of mgr.json as it is on disk now. */
  reloadConfig(only?: string): Promise<string[]>;
}

export function createParts(
  cfg: Config,
  kv: KvStore,
  cluster: ClusterSource,
  auth: AuthKeys,
  log: Logger,
  audit: AuditLog,
  kit?: KitHooks,
): DaemonParts {
  const mon = new MonCommands(cluster, (name, e) => audit.decision(name, e));
  let election: Election | undefined;
  const elected = (): Election => {
    if (!election) throw new Error("internal error: the election is used before it started");
    return election;
  };
  const http = new ModuleHttpHost({
    grants: (name) => modules.moduleConfig(name).allow.net,
    published: (services) => {
      if (election?.isActive()) election.publishServices(services);
    },
    warn: (name, message) => log.warn({ module: name }, message),
    audit: (name, e) => audit.decision(name, e),
  });
  const modules: ModuleManager = new ModuleManager(cfg, kv, cluster, log, {
    activeUri: (name) => (elected().isActive() ? (http.uri(name) ?? "") : (elected().map().services[name] ?? "")),
    sendCommand: (name, cmd, inbuf, opts) =>
      mon.send(
        name,
        modules.moduleConfig(name).allow.commands,
        cmd,
        inbuf,
        (tag) => modules.runner(name)?.notify("command", tag),
        opts,
      ),
    serveHttp: (name, runner, address) => http.serve(name, runner, address),
    stopHttp: (name) => http.stop(name),
    builtinPrefixes: () => router.builtinPrefixes(),
    changed: () => router?.invalidate(),
    audit: (name, e) => audit.decision(name, e),
    kit,
  });
  const counters = new PerfCounters(kv);
  const builtins = countedCommands(
    [
      ...builtinCommands({
        kv,
        auth,
        modules,
        help: () => router.help(),
        mgrMap: () => elected().map(),
        fail: (who) => elected().fail(who),
        reloadConfig: (only) => reloadConfig(only),
        config: cfg,
        counters,
        audit,
        packages: packageInstaller(cfg, modules, audit),
      }),
      ...simCommands(cluster),
      ...logCommands(cluster),
      ...logTailCommands(attachLogRing(log)),
    ],
    counters,
  );
  const router: CommandRouter = new CommandRouter({
    builtins,
    moduleCommands: () => modules.commands(),
    runModule: (name, inbuf, cmd, timeoutMs) =>
      counters.timed("module", () => modules.runner(name)!.handleCommand(inbuf, cmd, timeoutMs)),
  });

  const elect = (e: Election, dlog: Logger) => {
    election = e;
    return { ready: startElection(e, dlog, { cfg, kv, auth, modules, http }) };
  };
  const reloadConfig = configReloader(cfg, modules, log);
  return { modules, router, builtins, election: elected, elect, reloadConfig };
}

/** Starts the group's election: modules follow the role it gives this daemon. */
function startElection(
  e: Election,
  dlog: Logger,
  d: { cfg: Config; kv: KvStore; auth: AuthKeys; modules: ModuleManager; http: ModuleHttpHost },
): Promise<void> {
  if (e.nameTaken()) dlog.warn(`another daemon named ${d.cfg.id} was seen in this group recently: ids must be unique`);
  const ready = e.start(async (role) => {
    dlog.info({ role }, role === "active" ? "this daemon is now active" : "this daemon is standby");
    if (role === "active") {
      await d.kv.reload(); // the previous active's writes
      await d.auth.ensurePeerKey();
    }
    await d.modules.setRole(role);
    if (role === "active") e.publishServices(d.http.services());
  });
  ready.catch(() => {}); // awaited by the caller; a start failure must not also surface as unhandled
  return ready;
}

/** `module reload` and SIGHUP: applies the module sections of mgr.json as it is on disk now. */
function configReloader(cfg: Config, modules: ModuleManager, log: Logger): (only?: string) => Promise<string[]> {
  return async (only) => {
    // embedded defaults, or a file gone since the start: nothing to re-read
    if (!cfg.file || !existsSync(cfg.file)) return [];
    const changed = modules.applyModuleConfig(loadConfig(cfg.file, { id: cfg.id }), only);
    for (const name of changed) {
      log.info({ module: name }, "mgr.json section changed: restarting the module with it");
      await modules.reloadModule(name);
    }
    return changed;
  };
}
