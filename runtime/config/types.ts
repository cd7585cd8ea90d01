// The shape of mgr.json once loaded: every field present, every path absolute.

export interface ModuleGrants {
  /** addresses the module may serve HTTP on, "host:port" */
  net: string[];
  /** mon command prefixes `sendCommand` may send, or "r"/"rw" for every command of that class */
  commands: string[];
  /** `get()` names the module may read; ["*"] = all */
  data: string[];
  /** modules ("progress") or exported methods ("crash.ls") `remote()` may call */
  remote: string[];
  /** hosts `fetch()` may reach: "host", "host:port", "*.domain" (runtime/config/fetch-grants.ts) */
  fetch: string[];
}

// One StoreQuota: the store enforces it, mgr.json sets it (modules.NAME.store).
export type { StoreQuota } from "../store/module-store.ts";
import type { StoreQuota } from "../store/module-store.ts";

export interface ModuleConfig {
  enabled: boolean;
  allow: ModuleGrants;
  store: StoreQuota;
  /** per-module overrides of `limits` */
  limits: Partial<Limits>;
}

export interface Limits {
  memoryMb: number;
  callTimeoutMs: number;
  shutdownMs: number;
  /** log lines per second a module may write before lines are suppressed */
  logLinesPerSec: number;
  /** timers a module may have pending at once */
  maxTimers: number;
  /** largest command output (stdout + stderr) a module may return */
  maxOutputBytes: number;
  /** restarts of a failing module before it stays failed */
  maxRestarts: number;
  /** first restart delay; doubles on each further failure */
  restartBackoffMs: number;
  /** share of one core a module may use, averaged over 5 s, before it is stopped */
  cpuShare: number;
  /** largest module package, unpacked (and packed): a bigger one is refused while it streams */
  packageMaxBytes: number;
  /** largest response body a module's fetch() may receive */
  maxFetchBytes: number;
  /** how long one fetch() may take, redirects included */
  fetchTimeoutMs: number;
  /** fetch() calls of one module in flight at once (more wait their turn) */
  maxConcurrentFetches: number;
}

/** mgr.json `trust`: who may sign module packages. */
export interface TrustConfig {
  /** ed25519 public keys, PEM or base64 of the 32 raw bytes */
  keys: string[];
  /** refuse packages that are unsigned or signed by a key not in `keys` */
  requireSigned: boolean;
}

/** `daemons.ID` in mgr.json: what one daemon of a shared file does differently. */
export interface DaemonOverrides {
  http?: { listen: string };
  /** per module, the addresses it may serve on (replaces modules.NAME.allow.net) */
  modules: Record<string, { allow: { net: string[] } }>;
}

export interface Config {
  /** the file it came from (absolute), or "" for embedded defaults */
  file: string;
  id: string;
  modulePath: string;
  dataDir: string;
  hotReload: boolean;
  cluster: {
    backend: "sim" | "ceph";
    sim: { hosts: number; osdsPerHost: number; seed: number; tickMs: number };
    ceph: { conf: string; keyring: string; name: string };
  };
  store: { backend: "sqlite" | "etcd" };
  election: { backend: "sqlite" | "etcd"; leaseMs: number };
  etcd: { endpoints: string[]; prefix: string };
  /** metrics: the daemon's own Prometheus endpoint, "host:port" ("" = off, the default) */
  http: { listen: string; metrics: string };
  limits: Limits;
  log: { level: "debug" | "info" | "warn" | "error" };
  /** module sections; a null-prototype map: look names up with `moduleConfigOf` or Object.hasOwn */
  modules: Record<string, ModuleConfig>;
  /** `daemons.ID` overrides of every daemon in the file (this daemon's are already applied above) */
  daemons: Record<string, DaemonOverrides>;
  trust: TrustConfig;
}
