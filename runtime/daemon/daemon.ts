// The daemon's wiring, the one place that picks backends and connects the parts: store,
// cluster, election, modules, command table, admin socket, HTTP API, module HTTP, hot reload.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  CephBackendError,
  createCephCluster,
  createSimCluster,
  type ClusterSource,
  type CommandResult,
} from "../cluster/index.ts";
import { AuditLog } from "../audit/index.ts";
import type { Config } from "../config/index.ts";
import { StoreError } from "../errors.ts";
import type { MgrMap } from "../election/index.ts";
import { AdminSocket, HttpApi, NoDaemon, requestAsok, type RequestHandler } from "../http/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { KvStore } from "../store/index.ts";
import { ModuleWatcher } from "../watch/index.ts";
import { AuthKeys } from "./auth-keys.ts";
import { createElection, openStoreBackend } from "./backends.ts";
import { CleanupStack } from "./cleanup-stack.ts";
import type { KitHooks, ModuleStatus } from "./module-runner.ts";
import { listenMetrics } from "./metrics.ts";
import { createParts, type DaemonParts } from "./parts.ts";
import { createRequestHandler } from "./routing.ts";

export interface DaemonOptions {
  logger?: Logger;
  /** the test kit's hooks (runtime/testing): a virtual clock, remote() stubs, notify observation */
  kit?: KitHooks;
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
  /**
   * Re-reads mgr.json and applies its module sections (grants, limits, store quotas), restarting
   * the modules whose section changed (or only `module`); resolves to their names. An invalid file
   * rejects with the loader's message and changes nothing.
   */
  reloadConfig(module?: string): Promise<string[]>;
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
  const stack = new CleanupStack();
  try {
    const kv = stack.add(await openStore(cfg, dlog), (s) => s.close());
    const cluster = stack.add(await openCluster(cfg, log), (c) => c.stop());
    const auth = new AuthKeys(kv);
    const audit = stack.add(new AuditLog(kv, cfg.id, (m) => dlog.warn(m)), (a) => a.dispose());
    const parts = createParts(cfg, kv, cluster, auth, log, audit, opts.kit);
    stack.add(parts.modules, (m) => m.dispose());
    const { handle, api } = await openTransports(cfg, asokPath, parts, auth, audit, stack);
    await parts.modules.rescan();
    const member = { name: cfg.id, addr: api?.address ?? "", asok: asokPath };
    const election = stack.add(
      createElection(cfg, member, (e) => dlog.warn(`election: ${e.message}`)),
      (e) => e.stop(),
    );
    const { ready } = parts.elect(election, dlog);
    const watcher = cfg.hotReload
      ? stack.add(await ModuleWatcher.start(cfg.modulePath, parts.modules, log), (w) => w.close())
      : undefined;
    await ready;
    const started = { id: cfg.id, asok: asokPath, http: api?.address ?? "off", modulePath: cfg.modulePath };
    dlog.info({ ...started, active: election.isActive() }, "tsmgr daemon started");
    const stop = async () => {
      dlog.info("stopping: shutting modules down");
      await watcher?.close();
      await parts.modules.setRole("none");
      await stack.run();
      dlog.info("stopped");
    };
    return daemonHandle({ cfg, asokPath, httpAddress: api?.address ?? "", log, cluster, ready, parts, handle, stop });
  } catch (e) {
    await stack.run();
    if (e instanceof StoreError || e instanceof CephBackendError) throw new DaemonError(e.message, 2);
    throw e;
  }
}

/** The admin socket, the HTTP API and the metrics endpoint, all answering through one handler. */
async function openTransports(
  cfg: Config,
  asokPath: string,
  parts: DaemonParts,
  auth: AuthKeys,
  audit: AuditLog,
  stack: CleanupStack,
): Promise<{ handle: RequestHandler; api: HttpApi | undefined }> {
  const { router, modules, election } = parts;
  const handle = createRequestHandler({ router, builtins: parts.builtins, election, modules, auth, audit });
  // Ceph's tools (`ceph --admin-daemon`) ask get_command_descriptions first: the same table
  stack.add(await AdminSocket.listen(asokPath, handle, { commands: () => router.help() }), (a) => a.close());
  const api = cfg.http.listen ? stack.add(await listenHttpApi(cfg, handle, auth), (a) => a.close()) : undefined;
  if (cfg.http.metrics) {
    const metrics = await listenMetrics(cfg.http.metrics, () => modules.accounting.all()).catch((e: Error) =>
      Promise.reject(new DaemonError(e.message, 2)),
    );
    stack.add(metrics, (m) => m.close());
  }
  return { handle, api };
}

/** What startDaemon() returns: the library's view of a running daemon. */
function daemonHandle(d: {
  cfg: Config;
  asokPath: string;
  httpAddress: string;
  log: Logger;
  cluster: ClusterSource;
  ready: Promise<void>;
  parts: DaemonParts;
  handle: RequestHandler;
  stop: () => Promise<void>;
}): Daemon {
  const { parts, handle } = d;
  let stopping: Promise<void> | undefined;
  return {
    config: d.cfg,
    asokPath: d.asokPath,
    httpAddress: d.httpAddress,
    logger: d.log,
    cluster: d.cluster,
    ready: d.ready,
    modules: () => parts.modules.status(),
    command: (input, o = {}) => {
      const req = {
        ...(Array.isArray(input) ? { argv: input } : { cmd: input }),
        format: o.format,
        inbuf: o.inbuf,
        timeout_ms: o.timeoutMs,
      };
      return handle(req, o.caps ?? "*").then(({ id: _i, ...r }) => r);
    },
    mgrMap: () => parts.election().map(),
    isActive: () => parts.election().isActive(),
    reloadConfig: parts.reloadConfig,
    stop: () => (stopping ??= d.stop()),
  };
}

/** A live daemon already answering on this admin socket means a second daemon with the same id. */
async function refuseSecondDaemon(asokPath: string, id: string): Promise<void> {
  try {
    await requestAsok(asokPath, { argv: ["status"], format: "json" }, 2000);
  } catch (e) {
    if (e instanceof NoDaemon) return;
  }
  throw new DaemonError(
    `a daemon with id "${id}" is already running with this data dir (its admin socket ${asokPath} answers): give each daemon its own id in mgr.json`,
    17,
  );
}

/** The HTTP API on http.listen; an address another process holds is a config error (exit 2), not a crash. */
async function listenHttpApi(cfg: Config, handle: RequestHandler, auth: AuthKeys): Promise<HttpApi> {
  try {
    return await HttpApi.listen(cfg.http.listen, handle, (key) => auth.capsFor(key));
  } catch (e) {
    throw new DaemonError(`${(e as Error).message}${cfg.file ? ` (in ${cfg.file})` : ""}`, 2);
  }
}

/** The key/value store on the backend mgr.json names (SQLite in the data dir, or etcd). */
async function openStore(cfg: Config, dlog: Logger): Promise<KvStore> {
  const backend = await openStoreBackend(cfg, (msg) => dlog.warn({ dataDir: cfg.dataDir }, msg));
  return KvStore.open(backend).catch(async (e: unknown) => {
    await backend.close().catch(() => {});
    throw e;
  });
}

/** The cluster data source: the simulator, or a real Ceph cluster. */
async function openCluster(cfg: Config, log: Logger): Promise<ClusterSource> {
  const clusterLog = log.child({ component: "cluster" });
  const cluster =
    cfg.cluster.backend === "ceph"
      ? createCephCluster(cfg.cluster.ceph, { log: (level, msg) => clusterLog[level](msg) })
      : createSimCluster(cfg.cluster.sim);
  await cluster.start();
  return cluster;
}
