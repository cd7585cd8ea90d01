// `status`, `mgr services`, `mgr fail`: the mgr map of the group.
import type { Builtin, BuiltinDeps } from "./types.ts";
import type { MgrMap } from "../../election/index.ts";

function statusText(m: MgrMap): string {
  const active = m.available ? `${m.active_name}(active, since epoch ${m.epoch})` : "no daemons active";
  const standbys = m.standbys.length ? `, standbys: ${m.standbys.map((s) => s.name).join(", ")}` : "";
  return [`mgr: ${active}${standbys}`, ...Object.entries(m.services).map(([k, v]) => `${k}: ${v}`)].join("\n");
}

export function mgrCommands(deps: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "status",
      desc: "the mgr map: which daemon is active, the standbys, services",
      perm: "r",
      needsActive: false,
      run: () => {
        const m = deps.mgrMap();
        // progress events live in the active daemon: a standby's answer lists none
        const progress = deps.modules.progress.text();
        return { data: { ...m, progress_events: deps.modules.progress.json() }, text: statusText(m) + (progress ? "\n" + progress : "") };
      },
    },
    {
      cmd: "mgr services",
      desc: "URIs published by modules",
      perm: "r",
      needsActive: false,
      run: () => ({ data: deps.mgrMap().services, text: JSON.stringify(deps.mgrMap().services, null, 4) }),
    },
    {
      cmd: "mgr fail name=who,type=CephString,req=false",
      desc: "make the active daemon (or WHO) step down so a standby takes over",
      perm: "rw",
      needsActive: false,
      run: async (a) => ({ text: await deps.fail(a.who === undefined ? undefined : String(a.who)) }),
    },
  ];
}
