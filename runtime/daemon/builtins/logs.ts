// `log tail`: this daemon's recent log records after a cursor, for `tsmgr logs [-f]`. Each daemon
// answers for itself (a standby's log is its own), so it never needs the active.
import type { LogRing } from "../../log/ring.ts";
import type { Builtin } from "./types.ts";

export function logTailCommands(ring: LogRing): Builtin[] {
  return [
    {
      cmd: "log tail name=since,type=CephInt,range=0,req=false name=module,type=CephString,req=false name=level,type=CephChoices,strings=debug|info|warn|error,req=false",
      desc: "this daemon's recent log records after cursor SINCE (what tsmgr logs shows)",
      perm: "r",
      needsActive: false,
      run: (args) => {
        const tail = ring.tail(typeof args.since === "number" ? args.since : 0, {
          module: typeof args.module === "string" ? args.module : undefined,
          level: typeof args.level === "string" ? args.level : undefined,
        });
        const text = tail.records
          .map((r) => `${String(r.time ?? "")} ${String(r.module ?? r.component ?? "")} ${String(r.msg ?? "")}`)
          .join("\n");
        return { data: tail, text };
      },
    },
  ];
}
