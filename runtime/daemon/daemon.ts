// The daemon's wiring, the one place that picks backends and connects the parts: store,
// cluster, election, modules, command table, admin socket, HTTP API, module HTTP, hot reload.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CephBackendError, createCephCluster, createSimCluster, SIM_COMMANDS, handleSimCommand, type ClusterSource, type CommandResult, type SimCluster } from "../cluster/index.ts";
import type { Config } from "../config/index.ts";
import { Errno, PermissionDenied, StoreError } from "../errors.ts";
import type { Election, MgrMap } from "../election/index.ts";
import { AdminSocket, HttpApi, ModuleHttpServer, NoDaemon, requestAsok, requestHttp, type WireRequest, type WireResponse } from "../http/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { KvStore } from "../store/index.ts";
import { createElection, openStoreBackend } from "./backends.ts";
import { ModuleWatcher } from "../watch/index.ts";
import { builtinCommands, capsForKey, ensurePeerKey, peerKey } from "./builtins.ts";
import { CommandRouter, type Builtin } from "./dispatch.ts";
import { MonCommands } from "./mon-commands.ts";
import { ModuleManager } from "./modules.ts";
import type { ModuleRunner, ModuleStatus } from "./module-runner.ts";

export interface DaemonOptions {
  logger?: Logger;
}

export interface CommandOptions {
  format?: "plain" | "json" | "json-pretty";
  inbuf?: string;
  /** caller caps; the library caller is the admin by default */
  caps?: string;
  timeoutMs?: number;
}

/** A running daemon: what `startDaemon` returns to the CLI and to tests. */
export interface Daemon {
  readonly config: Config;
  readonly asokPath: string;
  /** the HTTP API's address, "" when http.listen is "" */
  readonly httpAddress: string;
  readonly logger: Logger;
  readonly cluster: ClusterSource;
  modules(): ModuleStatus[];
  /** runs a command as words (`["hello", "bob"]`) or as JSON (`{prefix: "hello", person: "bob"}`) */
  command(input: string[] | Record<string, unknown>, opts?: CommandOptions): Promise<CommandResult>;
  mgrMap(): MgrMap;
  isActive(): boolean;
  /** resolves once the daemon settled its role (active or standby) and started its modules */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export class DaemonError extends Error {
  override name = "DaemonError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function startDaemon(cfg: Config, opts: DaemonOptions = {}): Promise<Daemon> {
  const log = opts.logger ?? createLogger({ level: cfg.log.level });
  const dlog = log.child({ component: "daemon" });
  mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  const asokPath = join(cfg.dataDir, `mgr.${cfg.id}.asok`);
  await refuseSecondDaemon(asokPath, cfg.id);

  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  };
  try {
    // the backends of mgr.json (SQLite in the data dir, or etcd): chosen here and nowhere else
    const backend = await openStoreBackend(cfg);
    const kv = await KvStore.open(backend).catch(async (e: unknown) => {
      await backend.close().catch(() => {});
      throw e;
    });
    cleanups.push(() => kv.close());
    const clusterLog = log.child({ component: "cluster" });
    const cluster: ClusterSource =
      cfg.cluster.backend === "ceph" ? createCephCluster(cfg.cluster.ceph, { log: (level, msg) => clusterLog[level](msg) }) : createSimCluster(cfg.cluster.sim);
    await cluster.start();
    cleanups.push(() => cluster.stop());
    const mon = new MonCommands(cluster);

    const moduleHttp = new Map<string, ModuleHttpServer>();
    const httpClosing = new Map<string, Promise<void>>();
    let election: Election;
    let router: CommandRouter;
    const services = () => Object.fromEntries([...moduleHttp].map(([n, s]) => [n, s.uri]));
    const modules: ModuleManager = new ModuleManager(cfg, kv, cluster, log, {
      activeUri: (name) => (election.isActive() ? (moduleHttp.get(name)?.uri ?? "") : (election.map().services[name] ?? "")),
      sendCommand: (name, cmd, inbuf) => mon.send(name, modules.moduleConfig(name).allow.commands, cmd, inbuf, (tag) => modules.runner(name)?.notify("command", tag)),
      serveHttp: (name, runner, address) => serveModuleHttp(name, runner, address),
      stopHttp: (name) => {
        const s = moduleHttp.get(name);
        moduleHttp.delete(name);
        if (s) {
          const closing = s.close();
          httpClosing.set(name, closing);
          void closing.finally(() => httpClosing.get(name) === closing && httpClosing.delete(name));
        }
        if (election.isActive()) election.publishServices(services());
      },
      builtinPrefixes: () => router.builtinPrefixes(),
      changed: () => router?.invalidate(),
    });
    cleanups.push(() => modules.dispose());

    const serveModuleHttp = (name: string, runner: ModuleRunner, address: string): string => {
      const grants = modules.moduleConfig(name).allow.net;
      if (address && !grants.includes(address)) {
        throw new PermissionDenied(`module "${name}" requires net access to "${address}": grant it in mgr.json at modules.${name}.allow.net`);
      }
      const existing = moduleHttp.get(name);
      if (existing) return existing.uri;
      const addr = address || grants[0];
      if (!addr) throw new PermissionDenied(`module "${name}" requires net access to serve HTTP: grant an address in mgr.json at modules.${name}.allow.net (e.g. ["127.0.0.1:8080"])`);
      // Listening is asynchronous; the URI is known now and the socket follows within a tick
      // (after the previous version's socket on this address, if any, has closed).
      const pending = (httpClosing.get(name) ?? Promise.resolve()).then(() => ModuleHttpServer.listen(addr, () => (runner.running ? runner : undefined), runner.limits.callTimeoutMs, { warn: (msg) => dlog.warn({ module: name }, msg) }));
      pending.then(
        (s) => {
          if (!runner.running) return void s.close(); // the module stopped while we were binding
          moduleHttp.set(name, s);
          if (election.isActive()) election.publishServices(services());
        },
        (e: NodeJS.ErrnoException) => runner.fail(new Error(`cannot serve HTTP on ${addr}: ${e.code === "EADDRINUSE" ? "the address is in use" : e.message} (modules.${name}.allow.net in mgr.json)`)),
      );
      return `http://${addr}/`;
    };

    const simBuiltins: Builtin[] =
      cluster.backend === "sim"
        ? SIM_COMMANDS.map((c) => ({ ...c, perm: c.perm as Builtin["perm"], needsActive: false, run: (args: Record<string, unknown>) => {
            const r = handleSimCommand(cluster as SimCluster, args as { prefix: string });
            return { text: r.stdout, retval: r.retval, stderr: r.stderr };
          } }))
        : [];
    const builtins: Builtin[] = [
      ...builtinCommands({ kv, modules, table: () => router, mgrMap: () => election.map(), fail: (who) => election.fail(who) }),
      ...simBuiltins,
    ];
    router = new CommandRouter({
      builtins,
      moduleCommands: () => modules.commands(),
      runModule: (name, inbuf, cmd, timeoutMs) => modules.runner(name)!.handleCommand(inbuf, cmd, timeoutMs),
    });
    const needsActive = new Set(builtins.filter((b) => b.needsActive).map((b) => b.cmd));

    /** Every request, from any transport: answered here, or forwarded to the active daemon. */
    const handle = async (req: WireRequest, caps: string): Promise<WireResponse> => {
      const input = req.argv ?? req.cmd!;
      const format = req.format;
      const r = router.resolve({ input, caps, format });
      if ("retval" in r && r.retval === -Errno.EINVAL && election.isActive() && modules.settling) {
        return { id: req.id, retval: -Errno.EAGAIN, stdout: "", stderr: `the daemon is still starting its modules (${r.stderr.split("\n")[0]}): try again` };
      }
      if ("retval" in r && !(r.retval === -Errno.EINVAL && !election.isActive())) return { id: req.id, ...r };
      const local = "entry" in r && (r.entry.builtin ? !needsActive.has(r.entry.builtin.cmd) : false);
      if (!election.isActive() && !local) return { id: req.id, ...(await forward(req)) };
      const out = await router.run({ input, caps, format, inbuf: req.inbuf, timeoutMs: req.timeout_ms }, r);
      return { id: req.id, ...out };
    };

    const forward = async (req: WireRequest): Promise<CommandResult> => {
      const m = election.map();
      if (req.forwarded || !m.available || !m.active_asok) {
        return { retval: -Errno.EAGAIN, stdout: "", stderr: "no active tsmgr daemon in the group right now (starting or failing over): try again" };
      }
      const timeout = req.timeout_ms ?? 30_000;
      const fwd = { ...req, forwarded: true };
      try {
        const { id: _id, ...out } = await requestAsok(m.active_asok, fwd, timeout);
        return out;
      } catch (e) {
        if (!(e instanceof NoDaemon)) throw e;
      }
      // The active may run on another machine (etcd groups): its HTTP API, with the group's peer key.
      const peer = peerKey(kv);
      if (m.active_addr && peer) {
        try {
          const { id: _id, ...out } = await requestHttp(m.active_addr, fwd, timeout, peer);
          return out;
        } catch (e) {
          if (!(e instanceof NoDaemon)) throw e;
        }
      }
      return { retval: -Errno.EAGAIN, stdout: "", stderr: `the active daemon ${m.active_name} does not answer (failing over?): try again` };
    };

    const asok = await AdminSocket.listen(asokPath, handle, { commands: () => router.help() });
    cleanups.push(() => asok.close());
    let api: HttpApi | undefined;
    if (cfg.http.listen) {
      api = await HttpApi.listen(cfg.http.listen, handle, (key) => capsForKey(kv, key));
      cleanups.push(() => api!.close());
    }

    await modules.rescan();
    election = createElection(cfg, { name: cfg.id, addr: api?.address ?? "", asok: asokPath }, (e) => dlog.warn(`election: ${e.message}`));
    if (election.nameTaken()) dlog.warn(`another daemon named ${cfg.id} was seen in this group recently: ids must be unique`);
    const ready = election.start(async (role) => {
      dlog.info({ role }, role === "active" ? "this daemon is now active" : "this daemon is standby");
      if (role === "active") {
        await kv.reload(); // the previous active's writes
        await ensurePeerKey(kv);
      }
      await modules.setRole(role);
      if (role === "active") election.publishServices(services());
    });
    ready.catch(() => {}); // awaited below; a start failure must not also surface as unhandled
    cleanups.push(() => election.stop());

    const watcher = cfg.hotReload ? await ModuleWatcher.start(cfg.modulePath, modules, log) : undefined;
    if (watcher) cleanups.push(() => watcher.close());
    await ready;
    dlog.info({ id: cfg.id, asok: asokPath, http: api?.address ?? "off", modulePath: cfg.modulePath, active: election.isActive() }, "tsmgr daemon started");

    let stopping: Promise<void> | undefined;
    return {
      config: cfg,
      asokPath,
      httpAddress: api?.address ?? "",
      logger: log,
      cluster,
      ready,
      modules: () => modules.status(),
      command: (input, o = {}) => handle(Array.isArray(input) ? { argv: input, format: o.format, inbuf: o.inbuf, timeout_ms: o.timeoutMs } : { cmd: input, format: o.format, inbuf: o.inbuf, timeout_ms: o.timeoutMs }, o.caps ?? "*").then(({ id: _i, ...r }) => r),
      mgrMap: () => election.map(),
      isActive: () => election.isActive(),
      stop: () =>
        (stopping ??= (async () => {
          dlog.info("stopping: shutting modules down");
          await watcher?.close();
          await modules.setRole("none");
          await cleanup();
          dlog.info("stopped");
        })()),
    };
  } catch (e) {
    await cleanup();
    if (e instanceof StoreError || e instanceof CephBackendError) throw new DaemonError(e.message, 2);
    throw e;
  }
}

/** A live daemon already answering on this admin socket means a second daemon with the same id. */
async function refuseSecondDaemon(asokPath: string, id: string): Promise<void> {
  try {
    await requestAsok(asokPath, { argv: ["status"], format: "json" }, 2000);
  } catch (e) {
    if (e instanceof NoDaemon) return;
  }
  throw new DaemonError(`a daemon with id "${id}" is already running with this data dir (its admin socket ${asokPath} answers): give each daemon its own id in mgr.json`, 17);
}

