// Which store and election a daemon uses, from its config: the embedded SQLite defaults in the
// data dir, or etcd for daemons on several machines. With both on etcd, the daemon has one
// etcd client, and every store commit carries the election's fence (the active's leader key
// and its create revision), so a daemon that lost its leadership cannot write.
//
// The etcd code (etcd3 + gRPC, about 0.25 s to load) is imported only when the config uses
// etcd: `openStoreBackend()` loads it, so call it before `createElection()` (daemon.ts does).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Etcd3 } from "etcd3";
import type { Config } from "../config/index.ts";
import type { EtcdElection } from "../election/etcd.ts";
import { SqliteElection, type Election, type Member } from "../election/index.ts";
import type { EtcdStore } from "../store/etcd.ts";
import { dataDirWarning, openSqliteStore, type StoreBackend } from "../store/index.ts";

interface EtcdModules {
  client: typeof import("../etcd/index.ts");
  store: typeof import("../store/etcd.ts");
  election: typeof import("../election/etcd.ts");
}
let etcdModules: EtcdModules | undefined;

/** Loads the etcd backends (once); `openStoreBackend` does it for any config that uses etcd. */
export async function loadEtcdBackends(): Promise<EtcdModules> {
  etcdModules ??= {
    client: await import("../etcd/index.ts"),
    store: await import("../store/etcd.ts"),
    election: await import("../election/etcd.ts"),
  };
  return etcdModules;
}

function etcd(): EtcdModules {
  if (!etcdModules)
    throw new Error(
      "the etcd backends are not loaded: call openStoreBackend(cfg) (or loadEtcdBackends()) before createElection(cfg)",
    );
  return etcdModules;
}

const usesEtcd = (cfg: Config) => cfg.store.backend === "etcd" || cfg.election.backend === "etcd";

/** One etcd client per daemon (per Config object), closed when its last user is. */
interface Session {
  client: Etcd3;
  users: number;
  store?: EtcdStore;
  election?: EtcdElection;
}

const sessions = new WeakMap<Config, Session>();

function session(cfg: Config): Session {
  let s = sessions.get(cfg);
  if (!s) {
    s = { client: etcd().client.createEtcdClient(cfg.etcd.endpoints), users: 0 };
    sessions.set(cfg, s);
  }
  s.users++;
  return s;
}

function release(cfg: Config, s: Session): void {
  if (--s.users > 0) return;
  s.client.close();
  if (sessions.get(cfg) === s) sessions.delete(cfg);
}

/**
 * What makes daemons one group, recorded in the etcd group marker by the first daemon: a
 * daemon whose identity differs is refused (two unrelated groups on one prefix would share a
 * store and an election). By default it is the cluster the group manages (the simulated
 * cluster's parameters, or the Ceph cluster's fsid from its ceph.conf); an explicit
 * `etcd.group` string in mgr.json, when the config accepts one, takes precedence.
 */
export function groupIdentity(cfg: Config): string {
  const explicit = (cfg.etcd as { group?: unknown }).group;
  if (typeof explicit === "string" && explicit !== "") return explicit;
  if (cfg.cluster.backend === "ceph") {
    const { conf } = cfg.cluster.ceph;
    try {
      const fsid = /^\s*fsid\s*=\s*([0-9a-fA-F-]{36})\s*$/m.exec(readFileSync(conf, "utf8"))?.[1];
      if (fsid) return `ceph cluster ${fsid.toLowerCase()}`;
    } catch {
      // unreadable here: the cluster backend says so; fall back to the path
    }
    return `ceph cluster of ${conf}`;
  }
  const { hosts, osdsPerHost, seed } = cfg.cluster.sim;
  return `simulated cluster hosts=${hosts} osdsPerHost=${osdsPerHost} seed=${seed}`;
}

/**
 * The store backend of `cfg.store.backend`. For etcd: checks within a few seconds that etcd
 * answers (otherwise a StoreError naming the endpoints) and that the prefix belongs to this
 * group (otherwise a StoreError explaining whose it is). The daemon turns both into exit 2.
 * `warn` hears about a data dir other users can enter (its files are 0600 regardless).
 */
export async function openStoreBackend(cfg: Config, warn: (msg: string) => void = () => {}): Promise<StoreBackend> {
  const wide = dataDirWarning(cfg.dataDir);
  if (wide) warn(wide);
  if (usesEtcd(cfg)) await loadEtcdBackends();
  if (cfg.store.backend !== "etcd") return openSqliteStore(join(cfg.dataDir, "store.db"));
  const s = session(cfg);
  let store: EtcdStore;
  try {
    store = await etcd().store.openEtcdStore({
      endpoints: cfg.etcd.endpoints,
      prefix: cfg.etcd.prefix,
      client: s.client,
      group: groupIdentity(cfg),
      name: cfg.id,
    });
  } catch (e) {
    release(cfg, s);
    throw e;
  }
  s.store = store;
  if (s.election) store.setFence(s.election.fence());
  const close = store.close.bind(store);
  let closed = false;
  store.close = async () => {
    await close();
    if (closed) return;
    closed = true;
    if (s.store === store) s.store = undefined;
    release(cfg, s);
  };
  return store;
}

/**
 * The election of `cfg.election.backend`, not started. With etcd, the lease TTL is
 * `election.leaseMs` rounded up to whole seconds; when the store is on etcd too, its commits
 * are fenced by this election from now on.
 */
export function createElection(cfg: Config, member: Omit<Member, "gid">, onError?: (err: Error) => void): Election {
  const { name, addr, asok } = member;
  if (cfg.election.backend !== "etcd") {
    return new SqliteElection({
      file: join(cfg.dataDir, "election.db"),
      name,
      addr,
      asok,
      leaseMs: cfg.election.leaseMs,
      onError,
    });
  }
  const s = session(cfg);
  const election = new (etcd().election.EtcdElection)({
    endpoints: cfg.etcd.endpoints,
    prefix: cfg.etcd.prefix,
    client: s.client,
    name,
    addr,
    asok,
    leaseMs: cfg.election.leaseMs,
    onError,
    // the store checked the group marker already when it is on etcd
    group: s.store ? undefined : groupIdentity(cfg),
  });
  s.election = election;
  s.store?.setFence(election.fence());
  const stop = election.stop.bind(election);
  let stopped = false;
  election.stop = async () => {
    await stop();
    if (stopped) return;
    stopped = true;
    if (s.election === election) s.election = undefined;
    release(cfg, s);
  };
  return election;
}
