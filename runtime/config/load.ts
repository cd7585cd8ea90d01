// Reads mgr.json, fills in defaults and checks every field, so that a bad config stops the
// daemon before anything starts, with a message naming the field (exit code 2).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import {
  bool,
  checkKeys,
  ID,
  isObj,
  listenAddress,
  netList,
  num,
  oneOf,
  section,
  str,
  strList,
  typeName,
  type Obj,
} from "./_fields.ts";
import { applyDaemonOverrides } from "./daemons.ts";
import { trustSection } from "./trust.ts";
import { fetchList } from "./fetch-grants.ts";
import type { Config, Limits, ModuleConfig } from "./types.ts";
import { checkAddress } from "./address.ts";

/** setTimeout's largest delay (2^31-1 ms, ~24.8 days): a larger one fires at once, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Names a module may not have: keys every JS object inherits, which a lookup by module name could
 * mistake for a config section (the loader should refuse module folders with these names too).
 */
export const RESERVED_MODULE_NAMES: readonly string[] = Object.freeze([
  "constructor",
  "prototype",
  "__proto__",
  "hasownproperty",
  "isprototypeof",
  "propertyisenumerable",
  "tostring",
  "tolocalestring",
  "valueof",
  "__definegetter__",
  "__definesetter__",
  "__lookupgetter__",
  "__lookupsetter__",
]);

export const DEFAULT_LIMITS: Limits = {
  memoryMb: 64,
  callTimeoutMs: 1000,
  shutdownMs: 5000,
  logLinesPerSec: 200,
  maxTimers: 1000,
  maxOutputBytes: 4 * 1024 * 1024,
  maxRestarts: 5,
  restartBackoffMs: 1000,
  cpuShare: 0.5,
  packageMaxBytes: 64 * 1024 * 1024,
  maxFetchBytes: 8 * 1024 * 1024,
  fetchTimeoutMs: 30_000,
  maxConcurrentFetches: 8,
};

const MODULE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

function limits(obj: Obj, at: string, base: Limits, partial: boolean): Partial<Limits> {
  // packageMaxBytes is daemon-wide: a module's own limits section does not know it
  if (partial && obj.packageMaxBytes !== undefined)
    throw new ConfigError(at + "packageMaxBytes", "is daemon-wide: set it at limits.packageMaxBytes");
  checkKeys(
    obj,
    Object.keys(DEFAULT_LIMITS).filter((k) => !partial || k !== "packageMaxBytes"),
    at.slice(0, -1),
  );
  const out: Partial<Limits> = {};
  const ranges: Record<keyof Limits, [number, number]> = {
    memoryMb: [8, 8192],
    callTimeoutMs: [10, 600_000],
    shutdownMs: [10, 600_000],
    logLinesPerSec: [1, 1_000_000],
    maxTimers: [1, 1_000_000],
    maxOutputBytes: [1024, 1 << 30],
    maxRestarts: [0, 1000],
    restartBackoffMs: [10, 3_600_000],
    cpuShare: [0.05, 1],
    packageMaxBytes: [1024, 16 * 1024 ** 3],
    maxFetchBytes: [1024, 1 << 30],
    fetchTimeoutMs: [10, 600_000],
    maxConcurrentFetches: [1, 1024],
  };
  for (const k of Object.keys(ranges) as (keyof Limits)[]) {
    if (partial && obj[k] === undefined) continue;
    out[k] = num(obj, k, at, base[k], ranges[k][0], ranges[k][1]);
  }
  return out;
}

function moduleConfig(name: string, v: unknown, base: Limits): ModuleConfig {
  const at = `modules.${name}.`;
  if (!MODULE_NAME.test(name))
    throw new ConfigError(
      `modules.${name}`,
      "module names are lower-case letters, digits and _, starting with a letter",
    );
  if (RESERVED_MODULE_NAMES.includes(name))
    throw new ConfigError(
      `modules.${name}`,
      `${JSON.stringify(name)} is reserved (every JavaScript object has it): rename the module`,
    );
  if (!isObj(v))
    throw new ConfigError(`modules.${name}`, `must be an object such as {"enabled": true}, got ${typeName(v)}`);
  checkKeys(v, ["enabled", "allow", "store", "limits"], `modules.${name}`);
  const allow = section(v, "allow", at);
  checkKeys(allow, ["net", "commands", "data", "remote", "fetch"], at + "allow");
  const net = netList(allow, at + "allow.");
  const store = section(v, "store", at);
  checkKeys(store, ["maxKeys", "maxKeyBytes", "maxValueBytes"], at + "store");
  return {
    enabled: bool(v, "enabled", at, false),
    allow: {
      net,
      commands: strList(allow, "commands", at + "allow.", []),
      data: strList(allow, "data", at + "allow.", ["*"]),
      remote: remoteList(allow, at + "allow."),
      fetch: fetchList(allow, at + "allow."),
    },
    store: {
      maxKeys: num(store, "maxKeys", at + "store.", 1000, 1),
      maxKeyBytes: num(store, "maxKeyBytes", at + "store.", 256, 1, 65536),
      maxValueBytes: num(store, "maxValueBytes", at + "store.", 64 * 1024, 1, 64 * 1024 * 1024),
    },
    limits: limits(section(v, "limits", at), at + "limits.", base, true),
  };
}

/** How the daemon was started, over what mgr.json says. */
export interface ConfigOptions {
  /** the daemon's id (`tsmgr daemon --id ID`), replacing the file's `id`: picks its `daemons.ID` overrides */
  id?: string;
}

/** Builds a full Config from parsed JSON; `file` anchors relative paths (its folder). */
// long: one step per mgr.json section in the file's order, each a line or two; the sections' own checks live in their helpers
export function configFromObject(parsed: unknown, file: string, opts: ConfigOptions = {}): Config {
  if (!isObj(parsed)) throw new ConfigError("", `${file || "config"}: the top level must be a JSON object`);
  const raw: Obj = opts.id === undefined ? parsed : { ...parsed, id: opts.id };
  checkKeys(
    raw,
    [
      "id",
      "modulePath",
      "dataDir",
      "hotReload",
      "cluster",
      "store",
      "election",
      "etcd",
      "http",
      "limits",
      "log",
      "modules",
      "daemons",
      "trust",
      "$schema",
      "//",
    ],
    "",
  );
  const base = file ? dirname(file) : process.cwd();
  const cluster = section(raw, "cluster", "cluster.");
  checkKeys(cluster, ["backend", "sim", "ceph"], "cluster");
  const sim = section(cluster, "sim", "cluster.sim.");
  checkKeys(sim, ["hosts", "osdsPerHost", "seed", "tickMs"], "cluster.sim");
  const ceph = section(cluster, "ceph", "cluster.ceph.");
  checkKeys(ceph, ["conf", "keyring", "name"], "cluster.ceph");
  const store = section(raw, "store", "store.");
  checkKeys(store, ["backend"], "store");
  const election = section(raw, "election", "election.");
  checkKeys(election, ["backend", "leaseMs"], "election");
  const etcd = section(raw, "etcd", "etcd.");
  checkKeys(etcd, ["endpoints", "prefix"], "etcd");
  const http = section(raw, "http", "http.");
  checkKeys(http, ["listen", "metrics"], "http");
  const log = section(raw, "log", "log.");
  checkKeys(log, ["level"], "log");
  const lim = { ...DEFAULT_LIMITS, ...limits(section(raw, "limits", "limits."), "limits.", DEFAULT_LIMITS, false) };
  const mods = section(raw, "modules", "modules.");
  // no prototype: a module named like an Object.prototype key never finds an inherited value
  const modules: Record<string, ModuleConfig> = Object.create(null) as Record<string, ModuleConfig>;
  for (const [name, v] of Object.entries(mods)) modules[name] = moduleConfig(name, v, lim);
  const listen = listenAddress(http, "http.", "127.0.0.1:7000");
  const metrics = str(http, "metrics", "http.", "");
  if (metrics !== "") checkAddress(metrics, "http.metrics", "127.0.0.1:9284");
  const cfg: Config = {
    file,
    id: str(raw, "id", "", "x", ID, "a daemon id (letters, digits, _ . -)"),
    modulePath: resolve(base, str(raw, "modulePath", "", "modules")),
    dataDir: resolve(base, str(raw, "dataDir", "", ".mgr")),
    hotReload: bool(raw, "hotReload", "", true),
    cluster: {
      backend: oneOf(cluster, "backend", "cluster.", "sim", ["sim", "ceph"] as const),
      sim: {
        hosts: num(sim, "hosts", "cluster.sim.", 4, 1, 10_000),
        osdsPerHost: num(sim, "osdsPerHost", "cluster.sim.", 3, 1, 1000),
        seed: num(sim, "seed", "cluster.sim.", 1, 0),
        tickMs: num(sim, "tickMs", "cluster.sim.", 1000, 0, MAX_TIMER_MS),
      },
      ceph: {
        conf: resolve(base, str(ceph, "conf", "cluster.ceph.", "/etc/ceph/ceph.conf")),
        keyring: str(ceph, "keyring", "cluster.ceph.", ""),
        name: str(ceph, "name", "cluster.ceph.", "client.admin"),
      },
    },
    store: { backend: oneOf(store, "backend", "store.", "sqlite", ["sqlite", "etcd"] as const) },
    election: {
      backend: oneOf(election, "backend", "election.", "sqlite", ["sqlite", "etcd"] as const),
      leaseMs: num(election, "leaseMs", "election.", 2000, 200, 600_000),
    },
    etcd: {
      endpoints: strList(etcd, "endpoints", "etcd.", ["http://127.0.0.1:2379"]),
      prefix: str(etcd, "prefix", "etcd.", "tsmgr/"),
    },
    http: { listen, metrics },
    limits: lim,
    log: { level: oneOf(log, "level", "log.", "info", ["debug", "info", "warn", "error"] as const) },
    modules,
    daemons: {},
    trust: trustSection(raw),
  };
  if (cfg.cluster.sim.hosts * cfg.cluster.sim.osdsPerHost > 100_000)
    throw new ConfigError("cluster.sim", "more than 100,000 OSDs: lower hosts or osdsPerHost");
  if (cfg.cluster.ceph.keyring) cfg.cluster.ceph.keyring = resolve(base, cfg.cluster.ceph.keyring);
  applyDaemonOverrides(cfg, section(raw, "daemons", "daemons."));
  return cfg;
}

/** Loads and checks a config file. Throws ConfigError naming the file and field. */
export function loadConfig(file: string, opts: ConfigOptions = {}): Config {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      "",
      `cannot read config ${abs}: ${code === "ENOENT" ? "no such file (pass -c FILE or set TSMGR_CONFIG)" : String((e as Error).message)}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError("", `${abs} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return configFromObject(raw, abs, opts);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError("", `${abs}: ${e.message}`);
    throw e;
  }
}

/** The mgr.json section of one module, looked up as an own property only; undefined when absent. */
export function moduleConfigOf(cfg: Config, name: string): ModuleConfig | undefined {
  return Object.hasOwn(cfg.modules, name) ? cfg.modules[name] : undefined;
}

/** Limits for one module: the daemon's limits with the module's overrides. */
export function moduleLimits(cfg: Config, name: string): Limits {
  return { ...cfg.limits, ...(moduleConfigOf(cfg, name)?.limits ?? {}) };
}

/** The config of a module not mentioned in mgr.json: disabled, no grants beyond reading data. */
export function defaultModuleConfig(): ModuleConfig {
  return {
    enabled: false,
    allow: { net: [], commands: [], data: ["*"], remote: [], fetch: [] },
    store: { maxKeys: 1000, maxKeyBytes: 256, maxValueBytes: 64 * 1024 },
    limits: {},
  };
}

/** `allow.remote`: module names or module.method, each checked (a typo would never match). */
function remoteList(allow: Obj, at: string): string[] {
  const list = strList(allow, "remote", at, []);
  for (const g of list) {
    if (!/^[a-z][a-z0-9_]*(\.[A-Za-z_$][\w$]*)?$/.test(g))
      throw new ConfigError(
        `${at}remote`,
        `${JSON.stringify(g)} is not a module name ("progress") or a module and method ("crash.ls")`,
      );
  }
  return list;
}
