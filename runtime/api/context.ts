// What the host table needs from the daemon for one module: its identity, grants and the
// services it may use, already bound to that module. Built by the daemon, read by host-table.ts.
import type { ClusterSource, CommandResult } from "../cluster/index.ts";
import type { ModuleStore } from "../store/index.ts";

export type ModulePhase = "constructing" | "running" | "stopping";

export interface ModuleContext {
  readonly name: string;
  readonly role: "active" | "standby";
  readonly mgrId: string;
  /** the daemon's IP: the host part of http.listen, else "127.0.0.1" */
  readonly mgrIp: string;
  phase(): ModulePhase;
  /** a log line from the module (rate-limited by the daemon) */
  log(level: string, message: string): void;
  activeUri(): string;
  getOption(name: string): unknown;
  /** binds a granted address ("" = the first); returns its URI (PermissionDenied otherwise) */
  serveHttp(address: string): string;
  // ---- active only (never called for a standby: host-table.ts does not inject them) ----
  readonly cluster: ClusterSource;
  readonly store: ModuleStore;
  dataGranted(name: string): boolean;
  unknownData(name: string): void;
  /** to the mon cluster, or to `opts.target`; the result carries the tag notify("command") delivers */
  sendCommand(
    cmd: Record<string, unknown>,
    inbuf: string,
    opts?: { target?: string; tag?: string },
  ): Promise<CommandResult & { tag?: string }>;
  setOption(name: string, value: unknown): Promise<void>;
  setHealthChecks(checks: unknown): void;
  // ---- remote calls, progress events, cluster log (issue 15) ----
  /** calls `target.method` with JSON-text arguments; the result as JSON text (undefined: none) */
  remote(target: string, method: string, argsJson: string): Promise<string | undefined>;
  readonly progress: {
    update(id: string, message: string, fraction: unknown, opts: { refs?: unknown; addToCephS?: unknown }): void;
    complete(id: string): void;
    fail(id: string, message: string): void;
  };
  /** checks the channel and priority, then writes the entry without waiting for the cluster */
  clusterLog(channel: string, priority: unknown, message: string): void;
  // ---- per-daemon settings and data pushed ahead ----
  /** [get_localized_module_option] (both roles) */
  getLocalizedOption(name: string): unknown;
  setLocalizedOption(name: string, value: unknown): Promise<void>;
  /** the module fetched `name` at `version` through get(): the daemon pushes its next versions ahead */
  dataRead?(name: string, version: number): void;
  // ---- audit log ----
  /** reports a grant decision to the audit log (denials are logged, hot-path allowances counted) */
  audit?(event: { fn: string; asked: string; allowed: boolean; key: string }): void;
  // ---- web-standard globals and fetch (issue 18) ----
  /** one fetch() under modules.NAME.allow.fetch: "r" + head JSON + "\n" + latin1 body, or "e" + error JSON */
  fetch(headJson: string, body: string): Promise<string>;
  /** the module aborted fetch request `id` */
  fetchAbort(id: unknown): void;
}
