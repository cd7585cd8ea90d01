// What one audit record holds. Records live in the shared store, so every daemon of the group
// reads the same log; they are written by the daemon only (modules cannot write under tsmgr/).

/** A grant decision as the host reports it: what a module asked for and whether it got it. */
export interface GrantDecision {
  /** the module API function ("get", "sendCommand", "serveHttp") or "install" for a trust decision */
  fn: string;
  /** what was asked: a data name, a mon command prefix, an address */
  asked: string;
  allowed: boolean;
  /** where the grant (or its absence) lives, e.g. modules.dash.allow.net, or the signer's key id */
  key: string;
}

export type AuditKind = "grant" | "operator" | "suppressed" | "trust";

export interface AuditRecord {
  seq: number;
  /** ISO 8601, UTC */
  time: string;
  /** the daemon that wrote it */
  daemon: string;
  kind: AuditKind;
  allowed: boolean;
  module?: string;
  fn?: string;
  asked?: string;
  key?: string;
  /** operator actions: the command prefix, its arguments (secrets redacted), caller caps, result */
  command?: string;
  args?: Record<string, unknown>;
  caps?: string;
  retval?: number;
  /** suppressed: how many decisions of this module were counted instead of logged */
  count?: number;
  /** free text: why a package was refused, what was installed */
  detail?: string;
}

/** Allowed/denied/suppressed counts per module and function (hot-path decisions are only counted). */
export type DecisionCounts = Record<string, Record<string, { allowed: number; denied: number; suppressed: number }>>;
