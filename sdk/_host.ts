// The in-isolate end of the bridge: the host installs a frozen `__tsmgr` object before the
// module runs. Its members are declared once in runtime/api/surface.ts; test/api/surface.test.ts
// fails when this interface and that declaration differ. Only what mgr.json grants (and what the daemon's role allows) is present on it;
// anything missing throws a PermissionDenied error when used.
import type { CephOptionValue, HealthCheck, HttpRequest, HttpResponse, PerfCounter, SendCommandOptions, SendCommandResult, ServeHttpOptions, ServerInfo } from "./types.ts";

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
