// `module ls | info | enable | disable | reload`: the modules of the group, as the active sees them.
import { Errno } from "../../errors.ts";
import type { ModuleManager } from "../modules.ts";
import { fail, oneLine, table } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

export function knownModule(modules: ModuleManager, name: string) {
  return (
    modules.runner(name) ??
    fail(
      Errno.ENOENT,
      `module '${name}' not found in the module path: known modules are ${
        modules
          .runners()
          .map((r) => r.name)
          .join(", ") || "none"
      }`,
    )
  );
}

// long: a table of five command entries, one screen each; splitting it would scatter one family
export function moduleCommands({ modules, reloadConfig }: BuiltinDeps): Builtin[] {
  const statusOf = (name: string) => modules.status().find((x) => x.name === name)!;
  return [
    {
      cmd: "module ls",
      desc: "list modules with their state, version, errors and grants",
      perm: "r",
      // a standby runs almost nothing: the group's modules are the active's
      needsActive: true,
      run: () => {
        const st = modules.status();
        const rows = [["NAME", "ENABLED", "STATE", "VERSION", "LOADED", "ERROR"]];
        for (const s of st)
          rows.push([
            s.name,
            s.enabled ? "on" : "off",
            s.state,
            s.version ?? "-",
            s.loaded_at ?? "-",
            s.error ? oneLine(s.error.message.split("\n")[0]!) : "",
          ]);
        for (const p of modules.problems()) rows.push([p.found, "-", "unloadable", "-", "-", oneLine(p.message)]);
        return {
          data: {
            enabled_modules: st.filter((s) => s.enabled).map((s) => s.name),
            disabled_modules: st.filter((s) => !s.enabled).map((s) => s.name),
            modules: st,
            problems: modules.problems(),
          },
          text: table(rows),
        };
      },
    },
    {
      cmd: "module info name=module,type=CephString",
      desc: "one module's state, version, error, commands and grants",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const r = knownModule(modules, String(a.module));
        // issue 19: what it asks for (static PERMISSIONS; null: declares nothing) beside what is granted
        const permissions = {
          requested: r.requested.permissions ?? null,
          granted: modules.granted(r.name),
          granted_by_operator: modules.storeGrants.get(r.name),
          missing: modules.permissionGap(r.name) ?? null,
        };
        const s = { ...statusOf(r.name), permissions };
        return { data: s, text: JSON.stringify(s, null, 2) };
      },
    },
    {
      cmd: "module enable name=module,type=CephString",
      desc: "enable a module (persisted across restarts)",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        knownModule(modules, String(a.module));
        // issue 19: a module asking for more than it was granted is not enabled
        const gap = modules.permissionGap(String(a.module));
        if (gap !== undefined && !modules.isEnabled(String(a.module))) fail(Errno.EACCES, gap);
        await modules.enable(String(a.module), true);
        const refused = modules.permissionGap(String(a.module));
        if (refused !== undefined) {
          await modules.enable(String(a.module), false);
          fail(Errno.EACCES, refused);
        }
        const s = statusOf(String(a.module));
        return s.error
          ? { retval: -Errno.EIO, stderr: `module ${s.name} is enabled but failed to start: ${s.error.message}` }
          : { text: "" };
      },
    },
    {
      cmd: "module disable name=module,type=CephString",
      desc: "disable a module (persisted across restarts)",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        knownModule(modules, String(a.module));
        await modules.enable(String(a.module), false);
        return { text: "" };
      },
    },
    {
      cmd: "module reload name=module,type=CephString",
      desc: "re-read the module's mgr.json section, rebuild it and restart it now (the old version keeps running if the new one fails)",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const r = knownModule(modules, String(a.module));
        if (!modules.isEnabled(r.name))
          fail(Errno.EINVAL, `module '${r.name}' is disabled: tsmgr module enable ${r.name}`);
        let changed: string[];
        try {
          changed = await reloadConfig(r.name);
        } catch (e) {
          fail(Errno.EINVAL, `mgr.json was not applied: ${(e as Error).message}`);
        }
        if (!changed.includes(r.name)) await modules.reloadModule(r.name);
        const s = statusOf(r.name);
        if (s.error)
          return { retval: -Errno.EINVAL, stderr: s.error.message + (s.error.frame ? "\n" + s.error.frame : "") };
        return { text: `module ${r.name} running version ${s.version}` };
      },
    },
  ];
}
