// THE capability surface of a module: every function the host injects into a module's isolate
// is built here, so a reviewer can read all of it at once.
//
// Rules every entry follows (issue: no ambient authority):
//  1. It is bound to one module's identity when the table is built; nothing a module passes
//     can change whose data it reads or writes, or which grants apply.
//  2. It takes only primitives (strings, numbers, booleans, null) and checks their types
//     first: the prelude JSON-encodes structured arguments, and the host parses them here.
//  3. It returns only primitives; structured results travel as JSON text, so no host object
//     or Reference ever reaches module code.
//  4. A standby gets only the standby surface: the rest is not injected at all, so code that
//     goes around the sdk classes finds nothing to call.
import { PermissionDenied } from "../errors.ts";
import type { HostTable } from "../sandbox/isolate.ts";
import type { ModuleContext } from "./context.ts";

const MAX_ARG = 1024 * 1024;

function str(v: unknown, what: string, max = MAX_ARG): string {
  if (typeof v !== "string") throw new TypeError(`${what} must be a string, got ${v === null ? "null" : typeof v}`);
  if (v.length > max) throw new RangeError(`${what} is ${v.length} characters long: the limit is ${max}`);
  return v;
}

function json(v: unknown): string {
  return v === undefined ? "null" : JSON.stringify(v);
}

/** The circular-locking rule of ceph-mgr: cluster state is off-limits while constructing. */
function notInConstructor(ctx: ModuleContext, fn: string): void {
  if (ctx.phase() === "constructing") {
    throw new Error(`${fn}() called from the constructor of module ${ctx.name}: cluster accessors cannot be used until the module is constructed (ceph-mgr's "circular locking" rule); move this call to serve() or notify()`);
  }
}

export function buildHostTable(ctx: ModuleContext): HostTable {
  const standbySurface: HostTable = {
    log: {
      kind: "event",
      fn: (level: unknown, message: unknown) => ctx.log(String(level), typeof message === "string" ? message : String(message)),
    },
    getMgrId: { kind: "sync", fn: () => ctx.mgrId },
    getActiveUri: { kind: "sync", fn: () => ctx.activeUri() },
    getModuleOption: { kind: "sync", fn: (name: unknown) => json(ctx.getOption(str(name, "getModuleOption(): the option name", 256))) },
    serveHttp: { kind: "sync", fn: (address: unknown) => ctx.serveHttp(str(address ?? "", "serveHttp(): the address", 256)) },
  };
  if (ctx.role === "standby") return standbySurface;

  const cluster = ctx.cluster;
  const data = (name: string): void => {
    notInConstructor(ctx, "get");
    if (!ctx.dataGranted(name)) {
      throw new PermissionDenied(`module "${ctx.name}" requires data access to "${name}": grant it in mgr.json at modules.${ctx.name}.allow.data`);
    }
  };
  const accessor = (fn: string, f: (...a: string[]) => unknown) => ({
    kind: "sync" as const,
    fn: (...args: unknown[]) => {
      notInConstructor(ctx, fn);
      return json(f(...args.map((a, i) => str(a, `${fn}() argument ${i + 1}`, 4096))));
    },
  });

  return {
    ...standbySurface,
    dataVersion: {
      kind: "sync",
      fn: (name: unknown) => {
        const n = str(name, "get(): the data name", 256);
        data(n);
        const v = cluster.version(n);
        if (v === undefined) {
          ctx.unknownData(n);
          return -1;
        }
        return v;
      },
    },
    dataJson: {
      kind: "sync",
      fn: (name: unknown) => {
        const n = str(name, "get(): the data name", 256);
        data(n);
        return cluster.getJson(n) ?? "null";
      },
    },
    getServer: accessor("getServer", (host) => cluster.getServer(host)),
    listServers: accessor("listServers", () => cluster.listServers()),
    getMetadata: accessor("getMetadata", (t, id) => cluster.getMetadata(t, id)),
    getDaemonStatus: accessor("getDaemonStatus", (t, id) => cluster.getDaemonStatus(t, id)),
    getPerfSchema: accessor("getPerfSchema", (t, id) => cluster.getPerfSchema(t, id)),
    getCounter: accessor("getCounter", (t, id, p) => cluster.getCounter(t, id, p)),
    getLatestCounter: accessor("getLatestCounter", (t, id, p) => cluster.getLatestCounter(t, id, p)),
    haveMonConnection: { kind: "sync", fn: () => cluster.haveMonConnection() },
    sendCommand: {
      kind: "async",
      fn: async (cmdJson: unknown, inbuf: unknown) => {
        notInConstructor(ctx, "sendCommand");
        const cmd = JSON.parse(str(cmdJson, "sendCommand(): the command")) as unknown;
        if (typeof cmd !== "object" || cmd === null || Array.isArray(cmd)) throw new TypeError("sendCommand(): the command must be an object such as {prefix: \"osd pool ls\"}");
        return json(await ctx.sendCommand(cmd as Record<string, unknown>, str(inbuf, "sendCommand(): inbuf")));
      },
    },
    getStore: { kind: "sync", fn: (key: unknown) => ctx.store.get(key as string) },
    setStore: { kind: "async", fn: async (key: unknown, value: unknown) => void (await ctx.store.set(key as string, value as string | null)) },
    getStorePrefix: { kind: "sync", fn: (prefix: unknown) => json(ctx.store.getPrefix(str(prefix, "getStorePrefix(): the prefix", 4096))) },
    setModuleOption: {
      kind: "async",
      fn: async (name: unknown, valueJson: unknown) => {
        const value = JSON.parse(str(valueJson, "setModuleOption(): the value")) as unknown;
        await ctx.setOption(str(name, "setModuleOption(): the option name", 256), value);
      },
    },
    setHealthChecks: { kind: "sync", fn: (checks: unknown) => void ctx.setHealthChecks(JSON.parse(str(checks, "setHealthChecks(): the checks"))) },
  };
}
