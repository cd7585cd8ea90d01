// The in-isolate end of the bridge: the host installs a frozen `__tsmgr` object before the
// module runs. Its members are declared once in runtime/api/surface.ts; test/api/surface.test.ts
// fails when this interface and that declaration differ. Only what mgr.json grants (and what the daemon's role allows) is present on it;
// anything missing throws a PermissionDenied error when used.
import type {
  CephOptionValue,
  HealthCheck,
  HttpRequest,
  HttpResponse,
  PerfCounter,
  ProgressEventOptions,
  SendCommandOptions,
  SendCommandResult,
  ServeHttpOptions,
  ServerInfo,
} from "./types.ts";

export interface HostApi {
  log(level: "debug" | "info" | "warn" | "error", message: string): void;
  stopping(): boolean;
  sleep(ms: number): Promise<void>;
  getMgrId(): string;
  getMgrIp(): string;
  getActiveUri(): string;
  getModuleOption(name: string): unknown;
  setModuleOption(name: string, value: unknown): Promise<void>;
  get(name: string): unknown;
  getServer(hostname: string): ServerInfo;
  listServers(): ServerInfo[];
  getMetadata(svcType: string, svcId: string): Record<string, string> | null;
  getDaemonStatus(svcType: string, svcId: string): Record<string, string> | null;
  getPerfSchema(svcType: string, svcId: string): Record<string, unknown>;
  getCounter(svcType: string, svcId: string, path: string): Record<string, number[][]>;
  getLatestCounter(svcType: string, svcId: string, path: string): Record<string, number[]>;
  haveMonConnection(): boolean;
  sendCommand(cmd: Record<string, unknown>, inbuf: string, options?: SendCommandOptions): Promise<SendCommandResult>;
  getStore(key: string): string | undefined;
  setStore(key: string, value: string | null): Promise<void>;
  getStorePrefix(prefix: string): Record<string, string>;
  setHealthChecks(checks: Record<string, HealthCheck>): void;
  serveHttp(handler: (req: HttpRequest) => HttpResponse | Promise<HttpResponse>, options?: ServeHttpOptions): string;
  // ---- remote calls, progress events, cluster log (issue 15) ----
  remote(module: string, method: string, ...args: unknown[]): Promise<unknown>;
  updateProgressEvent(id: string, message: string, fraction: number, options?: ProgressEventOptions): void;
  completeProgressEvent(id: string): void;
  failProgressEvent(id: string, message: string): void;
  clusterLog(channel: "cluster" | "audit", priority: number, message: string): void;
  // ---- per-daemon settings (localized options and store) ----
  getLocalizedModuleOption(name: string, defaultValue?: unknown): unknown;
  setLocalizedModuleOption(name: string, value: unknown): Promise<void>;
  getLocalizedStore(key: string, defaultValue?: string): string | undefined;
  setLocalizedStore(key: string, value: string | null): Promise<void>;
  // ---- perf counters, daemon commands, Ceph options ----
  getAllPerfCounters(prioLimit?: number, services?: readonly string[]): Record<string, Record<string, PerfCounter>>;
  getCephOption(key: string): CephOptionValue;
  getForeignCephOption(entity: string, key: string): CephOptionValue;
}

export function host(): HostApi {
  const api = (globalThis as { __tsmgr?: HostApi }).__tsmgr;
  if (!api) throw new Error("@tsmgr/sdk: no host API in this context: modules run only inside the tsmgr daemon");
  return api;
}

/** Marks the two base classes so the host can check a module's exports without `instanceof`. */
export const KIND = Symbol.for("tsmgr.kind");
