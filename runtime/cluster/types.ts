// The cluster-data contract between the daemon and a cluster backend (the simulator in sim/, a real
// Ceph cluster in ceph/). Shapes and semantics follow what Pacific's ceph-mgr hands its modules.

/** Notification types a backend emits; the daemon forwards them to modules' `notify(type, id)`. */
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
  | "mgr_map"
  | "command";

/** A cluster log entry, as the id of notify("clog", entry) (the mgr's LogEntry dict). */
export interface LogEntry {
  addrs: { addrvec: { type: string; nonce: number; addr: string }[] };
  seq: number;
  channel: string;
  message: string;
  name: string;
  rank: string;
  stamp: string;
  priority: string;
}

/** A mon command's result, as Ceph returns it: `retval` is 0 or a NEGATIVE errno. */
export interface CommandResult {
  retval: number;
  stdout: string;
  stderr: string;
}

/** A daemon a command is sent to, as `ceph tell TYPE.ID` names it; id "" = any mon / the active mgr. */
export interface DaemonTarget {
  type: "osd" | "mon" | "mds" | "mgr";
  id: string;
}

/** One entry of the mon's central config db (`config dump`). */
export interface ConfigDbEntry {
  section: string;
  name: string;
  value: string;
}

export interface ClusterSource {
  /** Which backend this is ("sim"). */
  readonly backend: string;
  /** Begins evolving / connecting; timers are unref'd so they never hold the process open. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every fixed name `get()` serves (the "device <devid>" family is served too, see `version`). */
  dataNames(): readonly string[];
  /** Changes whenever `get(name)` would change; undefined for an unknown name. O(1). */
  version(name: string): number | undefined;
  /**
   * Optional: a number that changes whenever any name's version changes. While it stands still,
   * every snapshot a module holds is current, so repeated get() calls need no per-name check.
   */
  generation?(): number;
  /** JSON text of `get(name)`: the same string while `version(name)` is unchanged; undefined for an unknown name. */
  getJson(name: string): string | undefined;
  /** `{hostname, ceph_version, services: [{type, id, ceph_version}]}`; for an unknown host Pacific's `{hostname, services: [], ceph_version: ""}`. */
  getServer(hostname: string): unknown;
  listServers(): unknown[];
  /** Daemon metadata; null for an unknown type/id (never throws). */
  getMetadata(svcType: string, svcId: string): Record<string, string> | null;
  getDaemonStatus(svcType: string, svcId: string): Record<string, string> | null;
  /** `{"osd.0": {path: {description, nick?, type, priority, units}}}`; `{}` for an unknown daemon. */
  getPerfSchema(svcType: string, svcId: string): unknown;
  /** `{path: [[t, v], ...]}` or `{path: [[t, sum, count], ...]}` for averages; `{path: []}` when unknown. */
  getCounter(svcType: string, svcId: string, path: string): Record<string, [number, number][]>;
  /** `{path: [t, v]}` or `{path: [t, sum, count]}`; `{path: []}` when unknown (as Ceph's empty tuple). */
  getLatestCounter(
    svcType: string,
    svcId: string,
    path: string,
  ): Record<string, [number, number] | [number, number, number]>;
  /** A mon command; `cmd` is already validated and typed by the caller (numbers as numbers). */
  sendCommand(cmd: { prefix: string; [k: string]: unknown }, inbuf: string): Promise<CommandResult>;
  /**
   * A command to one daemon (`ceph tell`, the mgr's send_command with a service type), already
   * validated against that daemon type's descriptors. A daemon that does not exist answers ENOENT.
   */
  sendDaemonCommand(
    target: DaemonTarget,
    cmd: { prefix: string; [k: string]: unknown },
    inbuf: string,
  ): Promise<CommandResult>;
  /** The mon's central config db as last seen (`config dump`), in its order. */
  configDb(): readonly ConfigDbEntry[];
  /** Notifications, in order. Returns the unsubscribe function. */
  subscribe(listener: (type: NotifyType, id: string | object) => void): () => void;
  haveMonConnection(): boolean;
  /** Optional: writes a cluster log entry with its channel and priority (the simulator); without it the daemon sends the mon command `log`. */
  clusterLog?(
    channel: "cluster" | "audit",
    priority: "[DBG]" | "[INF]" | "[SEC]" | "[WRN]" | "[ERR]",
    message: string,
  ): Promise<void>;
}
