// `audit ls`: the group's audit log (grant decisions, package trust decisions, operator actions).
import { parseSince, type AuditRecord } from "../../audit/index.ts";
import { Errno } from "../../errors.ts";
import { fail, oneLine, table } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

const DEFAULT_LIMIT = 1000;

function what(r: AuditRecord): string {
  if (r.kind === "grant") return `${r.fn} ${r.asked ?? ""}`;
  if (r.kind === "operator")
    return [
      r.command,
      ...Object.entries(r.args ?? {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`),
    ].join(" ");
  return r.detail ?? "";
}

function result(r: AuditRecord): string {
  if (r.kind === "suppressed") return `${r.count} counted`;
  if (r.kind === "operator") return r.retval === 0 ? "ok" : `errno ${-(r.retval ?? 0)}`;
  if (r.kind === "trust") return r.allowed ? "trusted" : "refused";
  return r.allowed ? "allowed" : "denied";
}

function row(r: AuditRecord): string[] {
  const key = r.kind === "operator" ? `caps ${r.caps ?? ""}` : (r.key ?? "");
  return [String(r.seq), r.time, r.daemon, r.kind, r.module ?? "-", oneLine(what(r)), result(r), oneLine(key)];
}

export function auditCommands({ audit }: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "audit ls name=module,type=CephString,req=false name=denied,type=CephBool,req=false name=since,type=CephString,req=false name=limit,type=CephInt,range=1|100000,req=false",
      desc: "the audit log: grant decisions (denials always), package trust decisions and operator actions, oldest first",
      perm: "r",
      needsActive: true,
      run: async (a) => {
        // counted-but-not-yet-logged refusals become their "suppressed" records first
        await audit.flush();
        let since: number | undefined;
        if (a.since !== undefined) {
          try {
            since = parseSince(String(a.since));
          } catch (e) {
            fail(Errno.EINVAL, `audit ls --since: ${(e as Error).message}`);
          }
        }
        const denied = a.denied === true || a.denied === "true";
        const module = a.module === undefined ? undefined : String(a.module);
        const records = audit.records({
          module,
          denied,
          since,
          limit: a.limit === undefined ? DEFAULT_LIMIT : Number(a.limit),
        });
        const dropped = audit.dropped();
        const rows = [["SEQ", "TIME", "DAEMON", "KIND", "MODULE", "WHAT", "RESULT", "KEY"], ...records.map(row)];
        const footer = dropped > 0 ? `\n(${dropped} older records were dropped to keep the log bounded)` : "";
        return { data: { records, dropped, counts: audit.counts() }, text: table(rows) + footer };
      },
    },
  ];
}
