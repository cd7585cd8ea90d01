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
  sendCommand(cmd: Record<string, unknown>, inbuf: string): Promise<CommandResult>;
  setOption(name: string, value: unknown): Promise<void>;
  setHealthChecks(checks: unknown): void;
  // ---- audit log ----
  /** reports a grant decision to the audit log (denials are logged, hot-path allowances counted) */
  audit?(event: { fn: string; asked: string; allowed: boolean; key: string }): void;
}
