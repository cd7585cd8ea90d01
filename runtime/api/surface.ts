// THE module surface: every host function a module's isolate can reach, declared once. Each
// entry says how it is called (sync, async, event), whether a standby gets it, what it checks
// of its arguments, and what it does with the module's ModuleContext. buildHostTable() is built
// from this table, the prelude's standby list is what the host injected from it, and
// test/api/surface.test.ts fails when sdk/_host.ts or prelude.js drift from it.
//
// Adding a function a module can call: one entry here, its implementation (a ModuleContext
// member if it needs the daemon), its method in sdk/_host.ts + sdk/index.ts, its line in the
// prelude's api object, and a test (see NOTES-surface.md / the README's contributor section).
import { createHash, randomBytes } from "node:crypto";
import { PermissionDenied } from "../errors.ts";
import { urlBundleCode } from "../sandbox/globals/index.ts";
import type { ModuleContext } from "./context.ts";
import { allPerfCounters, cephOption, foreignCephOption, PERF_SERVICES, perfSchema, PRIO } from "../cluster/index.ts";

/** How an argument crosses: every one is a primitive, checked by type (and length) first. */
export type ArgCheck =
  /** a string of at most `max` characters (TypeError / RangeError otherwise) */
  | { type: "string"; what: string; max: number; default?: string }
  /** a string cut to `max` characters instead of refused (log text: never worth an error) */
  | { type: "text"; max: number }
  /** passed as given: the implementation checks it (the store's own messages name the key) */
  | { type: "any" };

export interface SurfaceEntry {
  /** sync: returns a primitive or JSON text; async: a promise of one; event: no answer at all */
  kind: "sync" | "async" | "event";
  /** whether a standby daemon's isolate gets it (all others are not injected there) */
  standby: boolean;
  /** the SDK method a module calls to reach it, when named otherwise (get → dataVersion) */
  api?: string;
  /** a cluster accessor: refused while the module is constructing (ceph-mgr's circular locking) */
  cluster?: boolean;
  /** behind a web-standard global (fetch, crypto, URL), not an SDK method: not in HostApi */
  global?: string;
  args: readonly ArgCheck[];
  /** runs with the checked arguments; returns only primitives (structured data as JSON text) */
  impl(ctx: ModuleContext, ...args: any[]): unknown;
}

/** The methods of the SDK's host API the prelude implements itself (on host timers). */
export const PRELUDE_ONLY = ["stopping", "sleep"] as const;

/** Host functions the sandbox adds for every module (timers): not part of the module surface. */
export const SANDBOX_INTERNAL = ["timerSet", "timerClear", "mirrorDrain"] as const;

/** Entry points a standby isolate dispatches, named in the standby's PermissionDenied message. */
export const STANDBY_LIFECYCLE = ["serve", "shutdown"] as const;

const MAX_ARG = 1024 * 1024;
/** the prelude cuts a log line here, in the isolate, before it crosses (the host cuts just above) */
export const MAX_LOG_CHARS = 16 * 1024;

const s = (what: string, max: number, dflt?: string): ArgCheck => ({ type: "string", what, max, default: dflt });
const name256 = (what: string) => s(what, 256);
const arg = (fn: string, i: number): ArgCheck => s(`${fn}() argument ${i}`, 4096);
const json = (v: unknown): string => (v === undefined ? "null" : JSON.stringify(v));

/** A cluster accessor taking `n` strings of at most 4 KiB, answering JSON text. */
function accessor(fn: string, n: number, f: (ctx: ModuleContext, ...a: string[]) => unknown): SurfaceEntry {
  const args = Array.from({ length: n }, (_, i) => arg(fn, i + 1));
  return { kind: "sync", standby: false, cluster: true, args, impl: (ctx, ...a: string[]) => json(f(ctx, ...a)) };
}

function checkData(ctx: ModuleContext, name: string): void {
  const allowed = ctx.dataGranted(name);
  ctx.audit?.({ fn: "get", asked: name, allowed, key: "allow.data" });
  if (!allowed) {
    throw new PermissionDenied(
      `module "${ctx.name}" requires data access to "${name}": grant it in mgr.json at modules.${ctx.name}.allow.data`,
    );
  }
}

export const SURFACE = {
  // ---- both roles ----------------------------------------------------------------------
  /** [log]: one line at a level; rate-limited per module by the daemon */
  log: {
    kind: "event",
    standby: true,
    args: [
      { type: "text", max: 16 },
      { type: "text", max: MAX_LOG_CHARS + 32 },
    ],
    impl: (ctx, level: string, message: string) => ctx.log(level, message),
  },
  /** [get_mgr_id] */
  getMgrId: { kind: "sync", standby: true, args: [], impl: (ctx) => ctx.mgrId },
  /** [get_mgr_ip]: the host part of http.listen, else "127.0.0.1" */
  getMgrIp: { kind: "sync", standby: true, args: [], impl: (ctx) => ctx.mgrIp },
  /** [get_active_uri] */
  getActiveUri: { kind: "sync", standby: true, args: [], impl: (ctx) => ctx.activeUri() },
  /** [get_module_option] */
  getModuleOption: {
    kind: "sync",
    standby: true,
    args: [name256("getModuleOption(): the option name")],
    impl: (ctx, name: string) => json(ctx.getOption(name)),
  },
  /** binds a granted address ("" = the first) and returns its URI */
  serveHttp: {
    kind: "sync",
    standby: true,
    args: [s("serveHttp(): the address", 256, "")],
    impl: (ctx, address: string) => ctx.serveHttp(address),
  },

  // ---- active only ----------------------------------------------------------------------
  /** [get], first half: the version of one data name (-1: no such name) */
  dataVersion: {
    kind: "sync",
    standby: false,
    api: "get",
    cluster: true,
    args: [name256("get(): the data name")],
    impl: (ctx, name: string) => {
      checkData(ctx, name);
      const v = ctx.cluster.version(name);
      if (v !== undefined) return v;
      ctx.unknownData(name);
      return -1;
    },
  },
  /** [get], second half: the data as JSON text, fetched only when the version moved */
  dataJson: {
    kind: "sync",
    standby: false,
    api: "get",
    cluster: true,
    args: [name256("get(): the data name")],
    impl: (ctx, name: string) => {
      checkData(ctx, name);
      ctx.dataRead?.(name, ctx.cluster.version(name) ?? -1);
      return ctx.cluster.getJson(name) ?? "null";
    },
  },
  /** [get_server] */
  getServer: accessor("getServer", 1, (ctx, host) => ctx.cluster.getServer(host!)),
  /** [list_servers] */
  listServers: accessor("listServers", 0, (ctx) => ctx.cluster.listServers()),
  /** [get_metadata] */
  getMetadata: accessor("getMetadata", 2, (ctx, t, id) => ctx.cluster.getMetadata(t!, id!)),
  /** [get_daemon_status] */
  getDaemonStatus: accessor("getDaemonStatus", 2, (ctx, t, id) => ctx.cluster.getDaemonStatus(t!, id!)),
  /** [get_perf_schema]: an empty type or id is a wildcard, as in Ceph */
  getPerfSchema: accessor("getPerfSchema", 2, (ctx, t, id) => perfSchema(ctx.cluster, t!, id!)),
  /** [get_counter] */
  getCounter: accessor("getCounter", 3, (ctx, t, id, p) => ctx.cluster.getCounter(t!, id!, p!)),
  /** [get_latest_counter] */
  getLatestCounter: accessor("getLatestCounter", 3, (ctx, t, id, p) => ctx.cluster.getLatestCounter(t!, id!, p!)),
  /** [have_mon_connection] */
  haveMonConnection: { kind: "sync", standby: false, args: [], impl: (ctx) => ctx.cluster.haveMonConnection() },
  /** [send_command]: the command as JSON text; the daemon bounds how many run at once */
  sendCommand: {
    kind: "async",
    standby: false,
    cluster: true,
    args: [s("sendCommand(): the command", MAX_ARG), s("sendCommand(): inbuf", MAX_ARG)],
    impl: async (ctx, cmdJson: string, inbuf: string) => {
      const cmd = JSON.parse(cmdJson) as unknown;
      if (typeof cmd !== "object" || cmd === null || Array.isArray(cmd))
        throw new TypeError('sendCommand(): the command must be an object such as {prefix: "osd pool ls"}');
      return json(await ctx.sendCommand(cmd as Record<string, unknown>, inbuf));
    },
  },
  /** [get_store]: the store checks key and value types itself */
  getStore: { kind: "sync", standby: true, args: [{ type: "any" }], impl: (ctx, key: string) => ctx.store.get(key) },
  /** [set_store]: resolves once durable */
  setStore: {
    kind: "async",
    standby: false,
    args: [{ type: "any" }, { type: "any" }],
    impl: async (ctx, key: string, value: string | null) => void (await ctx.store.set(key, value)),
  },
  /** [get_store_prefix] */
  getStorePrefix: {
    kind: "sync",
    standby: false,
    args: [s("getStorePrefix(): the prefix", 4096)],
    impl: (ctx, prefix: string) => json(ctx.store.getPrefix(prefix)),
  },
  /** [set_module_option]: the value as JSON text */
  setModuleOption: {
    kind: "async",
    standby: false,
    args: [name256("setModuleOption(): the option name"), s("setModuleOption(): the value", MAX_ARG)],
    impl: async (ctx, name: string, valueJson: string) =>
      void (await ctx.setOption(name, JSON.parse(valueJson) as unknown)),
  },
  /** [set_health_checks]: the checks as JSON text */
  setHealthChecks: {
    kind: "sync",
    standby: false,
    args: [s("setHealthChecks(): the checks", MAX_ARG)],
    impl: (ctx, checks: string) => void ctx.setHealthChecks(JSON.parse(checks)),
  },

  // ---- remote calls, progress events, cluster log (issue 15 items 1, 2, 9) -------------------
  /** [remote]: calls a method module `target` lists in its static EXPORTS; args/result as JSON text */
  remote: {
    kind: "async",
    standby: false,
    cluster: true,
    args: [
      name256("remote(): the module name"),
      name256("remote(): the method name"),
      s("remote(): the arguments", MAX_ARG),
    ],
    // an error crosses as data ("e" + {name, message}): a rejected host promise loses its name on the way in
    impl: async (ctx, target: string, method: string, argsJson: string) => {
      try {
        return "r" + ((await ctx.remote(target, method, argsJson)) ?? "");
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        return (
          "e" + JSON.stringify({ name: String(err.name).slice(0, 256), message: String(err.message).slice(0, 4096) })
        );
      }
    },
  },
  /** [update_progress_event]: the options ({refs, addToCephS}) as JSON text */
  updateProgressEvent: {
    kind: "sync",
    standby: false,
    cluster: true,
    args: [
      s("updateProgressEvent(): the event id", 4096),
      s("updateProgressEvent(): the message", 64 * 1024),
      { type: "any" },
      s("updateProgressEvent(): the options", MAX_ARG, "{}"),
    ],
    impl: (ctx, id: string, message: string, fraction: unknown, opts: string) =>
      void ctx.progress.update(id, message, fraction, JSON.parse(opts) ?? {}),
  },
  /** [complete_progress_event] */
  completeProgressEvent: {
    kind: "sync",
    standby: false,
    cluster: true,
    args: [s("completeProgressEvent(): the event id", 4096)],
    impl: (ctx, id: string) => void ctx.progress.complete(id),
  },
  /** [fail_progress_event] (Ceph's progress module's `fail`): the event goes, the message is logged */
  failProgressEvent: {
    kind: "sync",
    standby: false,
    cluster: true,
    args: [s("failProgressEvent(): the event id", 4096), s("failProgressEvent(): the message", 64 * 1024)],
    impl: (ctx, id: string, message: string) => void ctx.progress.fail(id, message),
  },
  /** [cluster_log]: channel "cluster" or "audit", priority 0..4 (DEBUG, INFO, SEC, WARN, ERROR) */
  clusterLog: {
    kind: "sync",
    standby: false,
    cluster: true,
    args: [s("clusterLog(): the channel", 64), { type: "any" }, s("clusterLog(): the message", MAX_LOG_CHARS)],
    impl: (ctx, channel: string, priority: unknown, message: string) => void ctx.clusterLog(channel, priority, message),
  },

  // ---- per-daemon settings (localized options and store) ---------------------------------
  /** [get_localized_module_option]: mgr/MODULE/MGR_ID/NAME, else mgr/MODULE/NAME, else the default */
  getLocalizedModuleOption: {
    kind: "sync",
    standby: true,
    args: [name256("getLocalizedModuleOption(): the option name")],
    impl: (ctx, name: string) => json(ctx.getLocalizedOption(name)),
  },
  /** [set_localized_module_option]: the value as JSON text, validated as the option NAME */
  setLocalizedModuleOption: {
    kind: "async",
    standby: false,
    args: [name256("setLocalizedModuleOption(): the option name"), s("setLocalizedModuleOption(): the value", MAX_ARG)],
    impl: async (ctx, name: string, valueJson: string) =>
      void (await ctx.setLocalizedOption(name, JSON.parse(valueJson) as unknown)),
  },
  /** [get_localized_store]: MGR_ID/KEY, else KEY (the prelude adds the default) */
  getLocalizedStore: {
    kind: "sync",
    standby: true,
    args: [{ type: "any" }],
    impl: (ctx, key: unknown) => {
      localKey("getLocalizedStore", key);
      return ctx.store.get(`${ctx.mgrId}/${key}`) ?? ctx.store.get(key);
    },
  },
  /** [set_localized_store]: sets MGR_ID/KEY; resolves once durable */
  setLocalizedStore: {
    kind: "async",
    standby: false,
    args: [{ type: "any" }, { type: "any" }],
    impl: async (ctx, key: unknown, value: string | null) => {
      localKey("setLocalizedStore", key);
      await ctx.store.set(`${ctx.mgrId}/${key}`, value);
    },
  },

  // ---- perf counters, daemon commands, Ceph options (issue 15 items 3-6, 8, 11) ----------
  /** [get_all_perf_counters]: the priority limit and the service types as JSON text */
  getAllPerfCounters: {
    kind: "sync",
    standby: false,
    cluster: true,
    args: [{ type: "any" }, s("getAllPerfCounters(): the service types", 4096)],
    impl: (ctx, prio: unknown, servicesJson: string) =>
      json(allPerfCounters(ctx.cluster, checkPrio(prio), checkServices(servicesJson))),
  },
  /** [send_command] to one daemon: target "osd.0" / "mon.a" / "mds.a" / "mgr" and an optional tag ("" = the daemon's) */
  sendDaemonCommand: {
    kind: "async",
    standby: false,
    api: "sendCommand",
    cluster: true,
    args: [
      s("sendCommand(): the command", MAX_ARG),
      s("sendCommand(): inbuf", MAX_ARG),
      name256("sendCommand(): options.target"),
      s("sendCommand(): options.tag", 256, ""),
    ],
    impl: async (ctx, cmdJson: string, inbuf: string, target: string, tag: string) => {
      const cmd = JSON.parse(cmdJson) as unknown;
      if (typeof cmd !== "object" || cmd === null || Array.isArray(cmd))
        throw new TypeError('sendCommand(): the command must be an object such as {prefix: "perf dump"}');
      return json(
        await ctx.sendCommand(cmd as Record<string, unknown>, inbuf, tag === "" ? { target } : { target, tag }),
      );
    },
  },
  /** [get_ceph_option]: the mgr's value of a Ceph option, typed by its schema (RangeError: no such option) */
  getCephOption: {
    kind: "sync",
    standby: true,
    cluster: true,
    args: [name256("getCephOption(): the option name")],
    impl: (ctx, key: string) => json(cephOption(ctx.cluster, key)),
  },
  /** [get_foreign_ceph_option]: what the config db gives another daemon ("osd.0") */
  getForeignCephOption: {
    kind: "sync",
    standby: false,
    cluster: true,
    args: [name256("getForeignCephOption(): the entity"), name256("getForeignCephOption(): the option name")],
    impl: (ctx, entity: string, key: string) => json(foreignCephOption(ctx.cluster, entity, key)),
  },
  /** [get] on a standby (MgrStandbyModule.get): "mgr_ips" only, as Pacific's standby answers */
  get: {
    kind: "sync",
    standby: true,
    cluster: true,
    args: [name256("get(): the data name")],
    impl: (ctx, name: string) => {
      if (name !== "mgr_ips")
        throw new PermissionDenied(
          `get("${name}") is not available on a standby daemon: a standby reads only get("mgr_ips")`,
        );
      checkData(ctx, name);
      return ctx.cluster.getJson(name) ?? "null";
    },
  },
  // ---- web-standard globals and fetch (issue 18 items 3, 4): runtime/sandbox/globals/web/ ----
  /** crypto.getRandomValues: `n` random bytes (0..65536) as a latin1 string */
  webRandom: {
    kind: "sync",
    standby: true,
    global: "crypto.getRandomValues",
    args: [{ type: "any" }],
    impl: (_ctx, n: unknown) => {
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65536)
        throw new RangeError(`crypto.getRandomValues(): ${String(n)} bytes: the limit is 65536`);
      return randomBytes(n).toString("latin1");
    },
  },
  /** crypto.subtle.digest: the hash of latin1 `data` as a latin1 string */
  webDigest: {
    kind: "async",
    standby: true,
    global: "crypto.subtle.digest",
    args: [s("crypto.subtle.digest(): the algorithm", 16), s("crypto.subtle.digest(): the data", 64 * 1024 * 1024)],
    impl: async (_ctx, alg: string, data: string) => {
      if (!["sha1", "sha256", "sha384", "sha512"].includes(alg))
        throw new TypeError(`crypto.subtle.digest(): ${JSON.stringify(alg)} is not supported`);
      return createHash(alg).update(Buffer.from(data, "latin1")).digest().toString("latin1");
    },
  },
  /** URL, URLSearchParams: the whatwg-url bundle, asked for once, the first time a module uses URL */
  webUrlSource: { kind: "sync", standby: true, global: "URL", args: [], impl: () => urlBundleCode() },
  /** fetch(): the request head as JSON text and the body as latin1; never rejects (errors cross as data) */
  fetch: {
    kind: "async",
    standby: false,
    global: "fetch",
    args: [s("fetch(): the request", 1024 * 1024), s("fetch(): the body", 1 << 30)],
    impl: (ctx, head: string, body: string) => ctx.fetch(head, body),
  },
  /** the module's AbortSignal fired: the host drops request `id` */
  fetchAbort: {
    kind: "sync",
    standby: false,
    global: "fetch",
    args: [{ type: "any" }],
    impl: (ctx, id: unknown) => void ctx.fetchAbort(id),
  },
} satisfies Record<string, SurfaceEntry>;

/** A localized key is prefixed before the store sees it: check it first, as the store would. */
function localKey(fn: string, key: unknown): asserts key is string {
  if (typeof key !== "string")
    throw new TypeError(`${fn}(): key must be a non-empty string, got ${key === null ? "null" : typeof key}`);
  if (key.length === 0) throw new TypeError(`${fn}(""): key must be a non-empty string`);
}

export type SurfaceName = keyof typeof SURFACE;

/** The SDK host API methods (sdk/_host.ts HostApi) a role reaches: surface entries plus the prelude's own. */
export function apiNames(role: "active" | "standby"): string[] {
  const out = new Set<string>();
  for (const [name, e] of Object.entries(SURFACE) as [string, SurfaceEntry][]) {
    if (e.global !== undefined) continue;
    if (role === "active" || e.standby) out.add(e.api ?? name);
  }
  for (const n of PRELUDE_ONLY) out.add(n);
  return [...out];
}

/** Checks one argument against its declaration: the value to pass on, or a TypeError/RangeError. */
export function checkArg(c: ArgCheck, v: unknown): unknown {
  if (c.type === "any") return v;
  if (c.type === "text") {
    const t = typeof v === "string" ? v : String(v);
    return t.length > c.max ? t.slice(0, c.max) + "…(truncated)" : t;
  }
  if (v === undefined && c.default !== undefined) return c.default;
  if (typeof v !== "string") throw new TypeError(`${c.what} must be a string, got ${v === null ? "null" : typeof v}`);
  if (v.length > c.max) throw new RangeError(`${c.what} is ${v.length} characters long: the limit is ${c.max}`);
  return v;
}

// ---- perf counters: argument checks ------------------------------------------------------

/** getAllPerfCounters()'s priority limit: an integer 0..10 (PRIO_DEBUGONLY..PRIO_CRITICAL); undefined → PRIO_USEFUL. */
function checkPrio(v: unknown): number {
  if (v === undefined || v === null) return PRIO.USEFUL;
  if (typeof v !== "number")
    throw new TypeError(
      `getAllPerfCounters(): the priority limit must be a number such as PRIO_USEFUL (5), got ${typeof v}`,
    );
  if (!Number.isInteger(v) || v < 0 || v > 10)
    throw new RangeError(
      `getAllPerfCounters(): the priority limit must be an integer from 0 (PRIO_DEBUGONLY) to 10 (PRIO_CRITICAL), got ${v}`,
    );
  return v;
}

/** The service types as JSON text ("" = Ceph's default list): an array of strings. */
function checkServices(text: string): readonly string[] {
  if (text === "") return PERF_SERVICES;
  const v = JSON.parse(text) as unknown;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
    throw new TypeError(
      `getAllPerfCounters(): the service types must be an array of strings such as ["osd", "mon"], got ${text.slice(0, 100)}`,
    );
  return v as string[];
}
