// Types shared by module authors and the host API. Plain data only: everything that crosses
// the isolate boundary is copied, so none of these carry methods.

/** A command a module exposes, in Ceph's descriptor grammar (see sdk/README.md). */
export interface CommandDescriptor {
  /** e.g. `"hello name=person,type=CephString,req=false"` */
  cmd: string;
  /** one line of help shown by `tsmgr help` */
  desc: string;
  /** what the caller needs: `r` read, `w` write, `rw`, or `x` execute */
  perm: "r" | "w" | "rw" | "x";
}

/** Ceph's option types. */
export type OptionType = "str" | "int" | "uint" | "float" | "bool" | "secs" | "size" | "addr" | "uuid";

/** A module option, as Ceph's `Option` (stored as `mgr/<module>/<name>` in the config). */
export interface ModuleOption {
  name: string;
  type?: OptionType;
  default?: string | number | boolean | null;
  min?: number;
  max?: number;
  enum_allowed?: string[];
  desc?: string;
  long_desc?: string;
  runtime?: boolean;
}

/** The notifications a module can subscribe to through `static NOTIFY_TYPES`. */
export type NotifyType =
  | "osd_map"
  | "pg_summary"
  | "health"
  | "mon_map"
  | "fs_map"
  | "service_map"
  | "mon_status"
  | "perf_schema_update"
  | "clog"
  | "command";

/** What `handleCommand` and `sendCommand` produce: `retval` is 0 or a negative errno. */
export interface HandleCommandResult {
  retval: number;
  stdout: string;
  stderr: string;
}

/** The validated, typed arguments of a command, as Ceph builds its cmdmap. */
export interface CommandArgs {
  prefix: string;
  format?: string;
  [arg: string]: unknown;
}

/** A health check raised by a module with `setHealthChecks`. */
export interface HealthCheck {
  severity: "warning" | "error";
  summary: string;
  count?: number;
  detail?: string[];
}

/** An HTTP request as a module's handler receives it (a plain, copied subset of `Request`). */
export interface HttpRequest {
  method: string;
  /** full URL, e.g. `http://127.0.0.1:8080/status?x=1` */
  url: string;
  /** the path alone, e.g. `/status` (isolates have no `URL` class, so the host parses it) */
  path: string;
  /** query parameters, e.g. `{ x: "1" }` (the last value wins for repeated names) */
  query: Record<string, string>;
  headers: Record<string, string>;
  /** the body as text ("" when there is none) */
  body: string;
}

/** What an HTTP handler returns (a plain subset of `Response`). */
export interface HttpResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** Where `serveHttp` listens. */
export interface ServeHttpOptions {
  /** one of the addresses granted in mgr.json (`modules.NAME.allow.net`); default: the first */
  address?: string;
}

/** One server's inventory, as `get_server`/`list_servers` return it. */
export interface ServerInfo {
  hostname: string;
  ceph_version?: string;
  services: { type: string; id: string; ceph_version?: string; name?: string }[];
}

/** Logger handed to every module; each record carries the module name and Ceph severity. */
export interface Logger {
  /** Ceph severity 20 */
  debug(...args: unknown[]): void;
  /** Ceph severity 4 */
  info(...args: unknown[]): void;
  /** Ceph severity 1 */
  warn(...args: unknown[]): void;
  /** Ceph severity 0 */
  error(...args: unknown[]): void;
}

// ---- remote calls, progress events, cluster log (issue 15) ----

/** The options of `updateProgressEvent` (Ceph's `refs` and `add_to_ceph_s`). */
export interface ProgressEventOptions {
  /** what the event is about, e.g. `[["osd", "2"], ["pool", "rbd"]]` (plain data) */
  refs?: unknown[];
  /** shown in `tsmgr status` (default true); `-f json` lists it either way */
  addToCephS?: boolean;
}
// ---- perf counters, daemon commands, Ceph options ---------------------------------------

/** One counter of getAllPerfCounters(): its schema plus its newest value (`count` for averages). */
export interface PerfCounter {
  description: string;
  nick?: string;
  /** PERFCOUNTER_* bits */
  type: number;
  /** PRIO_* */
  priority: number;
  /** 0 = bytes, 1 = none */
  units: number;
  value: number;
  count?: number;
}

/** Where sendCommand() goes and which tag its notify("command", tag) carries. */
export interface SendCommandOptions {
  /** "mon" (default: the mon cluster), "mon.ID", "mgr", "osd.ID" or "mds.ID" (Ceph's `tell` names) */
  target?: string;
  /** the tag notify("command") delivers (default: one the daemon makes up, returned in the result) */
  tag?: string;
}

/** sendCommand()'s answer: Ceph's (retval, stdout, stderr) and the tag notify("command") carries. */
export interface SendCommandResult extends HandleCommandResult {
  tag: string;
}

/** A Ceph option typed by its schema: int, uint, size → number; float, secs, millisecs → number; bool; the rest text. */
export type CephOptionValue = string | number | boolean;

// ---- typed commands (issue 18) ----

/**
 * What a module's `static COMMANDS` may hold as written, without `as const`: the daemon checks
 * `perm` (and the descriptor) when it loads the module.
 */
export interface CommandDeclaration {
  cmd: string;
  desc: string;
  /** `r`, `w`, `rw` or `x` */
  perm: string;
}

/** What `static MODULE_OPTIONS` may hold as written, without `as const` on `type`. */
export type OptionDeclaration = Omit<ModuleOption, "type"> & { type?: string };

type Words<S extends string> = S extends `${infer A} ${infer B}`
  ? A extends ""
    ? Words<B>
    : [A, ...Words<B>]
  : S extends ""
    ? []
    : [S];
type Fields<W extends string> = W extends `${infer A},${infer B}` ? Field<A> & Fields<B> : Field<W>;
type Field<F extends string> = F extends `${infer K}=${infer V}` ? { [P in K]: V } : unknown;
type Alternatives<S extends string> = S extends `${infer A}|${infer B}` ? A | Alternatives<B> : S;
type ArgType<F> = F extends { type: "CephInt" | "CephFloat" }
  ? number
  : F extends { type: "CephBool" }
    ? boolean
    : F extends { type: "CephChoices"; strings: infer S extends string }
      ? Alternatives<S>
      : string;
type ArgValue<F> = F extends { n: string } ? ArgType<F>[] : ArgType<F>;
type ArgOf<F> = F extends { name: infer N extends string }
  ? F extends { req: "false" }
    ? { [P in N]?: ArgValue<F> }
    : { [P in N]: ArgValue<F> }
  : unknown;
type PrefixOf<W extends string[]> = W extends [infer A extends string, ...infer R extends string[]]
  ? A extends `${string}=${string}`
    ? PrefixOf<R>
    : R extends []
      ? A
      : PrefixOf<R> extends ""
        ? A
        : `${A} ${PrefixOf<R>}`
  : "";
type ArgsOfWords<W extends string[]> = W extends [infer A extends string, ...infer R extends string[]]
  ? (A extends `${string}=${string}` ? ArgOf<Fields<A>> : unknown) & ArgsOfWords<R>
  : unknown;
type Flatten<T> = { [K in keyof T]: T[K] } & {};

/**
 * The validated arguments of a command, computed from its descriptor: CephInt/CephFloat are
 * numbers, CephBool booleans, CephChoices the union of its strings, `n=N` an array, `req=false`
 * optional, anything else a string.
 *
 * ```ts
 * type A = CommandArgsOf<"pool set name=pool,type=CephString name=size,type=CephInt,req=false">;
 * // { prefix: "pool set"; format?: string; pool: string; size?: number }
 * ```
 */
export type CommandArgsOf<D extends string> = Flatten<
  { prefix: PrefixOf<Words<D>>; format?: string } & ArgsOfWords<Words<D>>
>;

/** One command of `defineCommands`: its help, permission and the method that answers it. */
export interface TypedCommand<D extends string, M> {
  desc: string;
  perm: "r" | "w" | "rw" | "x";
  /** returns stdout (retval 0) or a full result; a throw answers -EINVAL with the message */
  run(
    module: M,
    args: CommandArgsOf<D>,
    inbuf: string,
  ): string | HandleCommandResult | Promise<string | HandleCommandResult>;
}
