// The audit log: what modules were allowed and refused, what operators did; shared by the group.
export { AuditLog, AUDIT_PREFIX, type AuditOptions, type AuditQuery } from "./audit-log.ts";
export { parseSince, SINCE_FORMATS } from "./parse-since.ts";
export type { AuditKind, AuditRecord, DecisionCounts, GrantDecision } from "./record.ts";
