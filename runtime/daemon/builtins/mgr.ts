// `status`, `mgr services`, `mgr fail`: the mgr map of the group. Then Ceph's `mgr ...` spellings
// in Ceph's shapes: `mgr module ls|enable|disable`, `mgr stat`, `mgr dump`, `mgr metadata`,
// `mgr count-metadata`, `mgr versions` (plain output is indented JSON, as Pacific prints them).
import type { Builtin, BuiltinDeps } from "./types.ts";
import type { MgrMap } from "../../election/index.ts";
import { Errno } from "../../errors.ts";
import { cephMgrMap, daemonMetadata, moduleList } from "./_mgr-map.ts";
import { fail } from "./_util.ts";
import { versionInfo } from "./_version.ts";

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
        return {
          data: { ...m, progress_events: deps.modules.progress.json() },
          text: statusText(m) + (progress ? "\n" + progress : ""),
        };
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
    ...cephMgrCommands(deps),
  ];
}

const pretty = (data: unknown) => ({ data, text: JSON.stringify(data, null, 4) });

/** Ceph's `mgr ...` commands, with Ceph's descriptors, perms, messages and errnos. */
// long: one table of eight short entries of one family
function cephMgrCommands({ modules, mgrMap }: BuiltinDeps): Builtin[] {
  const known = (name: string) => modules.runner(name) !== undefined;
  return [
    {
      cmd: "mgr module ls",
      desc: "list active mgr modules",
      perm: "r",
      needsActive: true,
      run: () => pretty(moduleList(modules)),
    },
    {
      cmd: "mgr module enable name=module,type=CephString name=force,type=CephChoices,strings=--force,req=false",
      desc: "enable mgr module",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const name = String(a.module);
        // --force cannot conjure a module tsmgr has no code for: it would only be remembered
        if (!known(name))
          fail(Errno.ENOENT, `all mgr daemons do not support module '${name}', pass --force to force enablement`);
        if (modules.isEnabled(name)) return { text: "", stderr: `module '${name}' is already enabled` };
        await modules.enable(name, true);
        const s = modules.status().find((x) => x.name === name)!;
        return s.error
          ? { retval: -Errno.EIO, stderr: `module ${name} is enabled but failed to start: ${s.error.message}` }
          : { text: "" };
      },
    },
    {
      cmd: "mgr module disable name=module,type=CephString",
      desc: "disable mgr module",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const name = String(a.module);
        if (!known(name) || !modules.isEnabled(name))
          return { text: "", stderr: `module '${name}' is already disabled` };
        await modules.enable(name, false);
        return { text: "" };
      },
    },
    {
      cmd: "mgr stat",
      desc: "dump basic info about the mgr cluster state",
      perm: "r",
      needsActive: false,
      run: () => {
        const m = mgrMap();
        return pretty({
          epoch: m.epoch,
          available: m.available,
          active_name: m.active_name,
          num_standby: m.standbys.length,
        });
      },
    },
    {
      cmd: "mgr dump name=epoch,type=CephInt,range=0,req=false",
      desc: "dump the latest MgrMap",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const m = mgrMap();
        // tsmgr keeps no history of maps: only the current epoch can be shown
        if (a.epoch !== undefined && Number(a.epoch) !== m.epoch)
          fail(Errno.ENOENT, `there is no map for epoch ${String(a.epoch)}`);
        return pretty(cephMgrMap(m, modules));
      },
    },
    {
      cmd: "mgr metadata name=who,type=CephString,req=false",
      desc: "dump metadata for all daemons or a specific daemon",
      perm: "r",
      needsActive: false,
      run: (a) => {
        const all = daemonMetadata(mgrMap());
        if (a.who === undefined) return pretty(all);
        return pretty(
          all.find((d) => d.name === String(a.who)) ?? fail(Errno.ENOENT, `mgr.${String(a.who)} does not exist`),
        );
      },
    },
    {
      cmd: "mgr count-metadata name=property,type=CephString",
      desc: "count ceph-mgr daemons by metadata field property",
      perm: "r",
      needsActive: false,
      run: (a) => {
        const counts: Record<string, number> = {};
        for (const d of daemonMetadata(mgrMap())) {
          const v = Object.hasOwn(d, String(a.property)) ? d[String(a.property)]! : "unknown";
          counts[v] = (counts[v] ?? 0) + 1;
        }
        return pretty(counts);
      },
    },
    {
      cmd: "mgr versions",
      desc: "check running versions of ceph-mgr daemons (every member of the group is taken to run this daemon's version)",
      perm: "r",
      needsActive: false,
      run: () => {
        const m = mgrMap();
        const n = (m.available ? 1 : 0) + m.standbys.length;
        return pretty(n ? { [versionInfo().long]: n } : {});
      },
    },
  ];
}
