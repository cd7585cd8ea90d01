// Active/standby election: one daemon of a group is active, the others standby. Backends
// (a lease in SQLite on one machine, later etcd) implement this interface.

/** The group's view, with Ceph's MgrMap field names. */
export interface MgrMap {
  epoch: number;
  active_name: string;
  active_gid: number;
  /** the active daemon's HTTP address ("" when HTTP is off) */
  active_addr: string;
  /** the active daemon's admin socket (same machine only) */
  active_asok: string;
  available: boolean;
  standbys: { name: string; gid: number; addr: string; asok: string }[];
  /** module name → URI published by the active daemon */
  services: Record<string, string>;
}

export interface Member {
  name: string;
  gid: number;
  addr: string;
  asok: string;
}

export type Role = "active" | "standby";

export interface Election {
  /**
   * Joins the group. `onRole` is called (and awaited) on every role change; while it runs for
   * "standby" after losing the lease, the daemon must stop its active modules.
   */
  start(onRole: (role: Role) => Promise<void>): Promise<void>;
  map(): MgrMap;
  isActive(): boolean;
  /** the active publishes its modules' URIs */
  publishServices(services: Record<string, string>): void;
  /** asks the active (or the member named `who`) to step down; resolves with a message */
  fail(who?: string): Promise<string>;
  /** leaves the group, handing the lease over at once if active */
  stop(): Promise<void>;
  /** another live member already uses this name (a second daemon with the same id) */
  nameTaken(): boolean;
}
