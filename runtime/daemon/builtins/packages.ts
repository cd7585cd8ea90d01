// `module install | rollback`: module packages (runtime/packages/). The daemon that answers
// installs into its own module path: the active by default, another daemon with --id.
import { Errno } from "../../errors.ts";
import type { InstallResult } from "../../packages/index.ts";
import { fail } from "./_util.ts";
import type { Builtin, BuiltinAnswer, BuiltinDeps } from "./types.ts";

function installedText(r: InstallResult, enabled: boolean): string {
  const lines = [`installed ${r.name} ${r.version} (${r.files} files, ${r.integrity}, ${r.signature})`];
  if (r.previous)
    lines.push(`the previous version (${r.previous}) is kept: tsmgr module rollback ${r.name} brings it back`);
  if (!enabled) lines.push(`the module is disabled: tsmgr module enable ${r.name} starts it`);
  return lines.join("\n");
}

export function packageCommands({ modules, packages }: BuiltinDeps): Builtin[] {
  /** the module's start error after an install or rollback, as the answer's stderr */
  const started = (name: string, answer: BuiltinAnswer): BuiltinAnswer => {
    const s = modules.status().find((x) => x.name === name);
    if (!s?.error || !s.enabled) return answer;
    return {
      ...answer,
      retval: -Errno.EIO,
      stderr: `module ${name} is installed but did not start: ${s.error.message}`,
    };
  };
  return [
    {
      cmd: "module install name=path,type=CephString name=sha512,type=CephString,req=false name=upgrade,type=CephBool,req=false",
      desc: "install a module package (.tgz, its signature beside it as .tgz.sig, or a module folder) into the module path; --upgrade replaces an existing module (kept for rollback)",
      perm: "rw",
      needsActive: false,
      run: async (a) => {
        const r = await packages.install({
          path: String(a.path),
          sha512: a.sha512 === undefined ? undefined : String(a.sha512),
          upgrade: a.upgrade === true || a.upgrade === "true",
        });
        return started(r.name, { data: r, text: installedText(r, modules.isEnabled(r.name)) });
      },
    },
    {
      cmd: "module rollback name=module,type=CephString",
      desc: "put back the version of a module that the last install --upgrade (or rollback) replaced",
      perm: "rw",
      needsActive: false,
      run: async (a) => {
        const name = String(a.module);
        if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) fail(Errno.EINVAL, `module rollback: "${name}" is not a module name`);
        const r = await packages.rollback(name);
        return started(name, {
          data: r,
          text: `module ${name} rolled back to ${r.version ?? "its previous (unversioned) files"}${r.replaced ? ` (replacing ${r.replaced}, kept: rollback again to return to it)` : ""}`,
        });
      },
    },
  ];
}
