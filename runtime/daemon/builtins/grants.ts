// `module grant | revoke`: the operator's consent to what a module declares in static
// PERMISSIONS, kept in the store at tsmgr/grants/NAME (it survives restarts and failover).
// Grants are read on every call, so a revoke stops the next call that needs it.
import { Errno } from "../../errors.ts";
import { didYouMean } from "../../suggest.ts";
import { effective, GRANT_KEYS, grantWords, isEmpty, union, type GrantKey, type GrantLists } from "../grants.ts";
import type { ModuleManager } from "../modules.ts";
import { knownModule } from "./module.ts";
import { fail } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

/** `KEY=VALUE` words (`data=osd_map`, `commands=osd pool ls`) as lists. */
export function parseGrantWords(words: readonly string[]): GrantLists {
  const out: GrantLists = {};
  const known: readonly string[] = GRANT_KEYS;
  for (const w of words) {
    const eq = w.indexOf("=");
    const key = eq < 0 ? w : w.slice(0, eq);
    if (!known.includes(key))
      fail(
        Errno.EINVAL,
        `${JSON.stringify(w)} is not KEY=VALUE with KEY one of ${known.join(", ")}${didYouMean(key, known)} (or give --all)`,
      );
    const value = w.slice(eq + 1);
    if (eq < 0 || value === "" || value.length > 256)
      fail(
        Errno.EINVAL,
        `${JSON.stringify(w)}: give a value of 1 to 256 characters after "${key}=", e.g. ${key}=${key === "commands" ? '"osd pool ls"' : "NAME"}`,
      );
    (out[key as GrantKey] ??= []).push(value);
  }
  return out;
}

/** Every value must be something the module asked for: a grant it never declared would never be used. */
function checkDeclared(modules: ModuleManager, name: string, asked: GrantLists): void {
  const req = modules.runner(name)!.requested;
  if (!req.known || req.permissions === undefined) return;
  for (const k of GRANT_KEYS) {
    for (const v of asked[k] ?? []) {
      if ((effective(req.permissions, { [k]: [v] })[k] ?? []).length > 0) continue;
      const declared = req.permissions[k] ?? [];
      fail(
        Errno.EINVAL,
        `module ${name} does not ask for ${k} ${JSON.stringify(v)}: its static PERMISSIONS.${k} is [${declared.map((d) => JSON.stringify(d)).join(", ")}], and a grant it did not declare would never be used`,
      );
    }
  }
}

function shown(l: GrantLists): string {
  return isEmpty(l) ? "nothing" : grantWords(l);
}

export function grantCommands({ modules }: BuiltinDeps): Builtin[] {
  const answer = (name: string, verb: string) => {
    const stored = modules.storeGrants.get(name);
    const allow = modules.moduleConfig(name).allow as GrantLists;
    const usable = Object.fromEntries(GRANT_KEYS.map((k) => [k, allow[k] ?? []])) as GrantLists;
    return {
      data: { module: name, granted_by_operator: stored, effective: usable },
      text: `${verb}; module ${name} may now use: ${shown(usable)}`,
    };
  };
  return [
    {
      cmd: "module grant name=module,type=CephString name=all,type=CephBool,req=false name=grants,type=CephString,n=N,req=false",
      desc: "grant a module what its static PERMISSIONS ask for: --all, or KEY=VALUE (commands=, data=, net=, fetch=, remote=); kept in the store",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const r = knownModule(modules, String(a.module));
        const words = Array.isArray(a.grants) ? a.grants.map(String) : [];
        if (a.all === true && words.length > 0) fail(Errno.EINVAL, "give --all or KEY=VALUE grants, not both");
        let more: GrantLists;
        if (a.all === true) {
          const req = r.requested;
          if (!req.known)
            fail(
              Errno.EAGAIN,
              `module ${r.name} has not been built yet, so what it asks for is not known: run tsmgr module enable ${r.name} (refused with the list while grants are missing), then grant again`,
            );
          if (req.permissions === undefined)
            fail(
              Errno.EINVAL,
              `module ${r.name} declares no static PERMISSIONS: name what to grant as KEY=VALUE (e.g. data=osd_map)`,
            );
          more = req.permissions;
        } else {
          if (words.length === 0)
            fail(
              Errno.EINVAL,
              `say what to grant: tsmgr module grant ${r.name} --all, or KEY=VALUE words such as data=osd_map`,
            );
          more = parseGrantWords(words);
          checkDeclared(modules, r.name, more);
        }
        await modules.storeGrants.add(r.name, more);
        // a module refused for want of these grants starts now
        if (modules.isEnabled(r.name) && !r.running && modules.role !== "none") await modules.reloadModule(r.name);
        return answer(r.name, `granted ${shown(more)}`);
      },
    },
    {
      cmd: "module revoke name=module,type=CephString name=all,type=CephBool,req=false name=grants,type=CephString,n=N,req=false",
      desc: "take back grants given with module grant (--all or none named: every one); calls that need them fail from now on",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const r = knownModule(modules, String(a.module));
        const words = Array.isArray(a.grants) ? a.grants.map(String) : [];
        if (a.all === true && words.length > 0) fail(Errno.EINVAL, "give --all or KEY=VALUE grants, not both");
        const less = words.length > 0 ? parseGrantWords(words) : undefined;
        await modules.storeGrants.remove(r.name, less);
        const out = answer(r.name, `revoked ${less ? shown(less) : "every grant given with module grant"}`);
        // mgr.json's grants are the file's to change: say which of these it still grants
        const still = union(modules.granted(r.name), {});
        const kept = less
          ? GRANT_KEYS.flatMap((k) =>
              (less[k] ?? []).filter((v) => (still[k] ?? []).includes(v)).map((v) => `${k}=${v}`),
            )
          : [];
        if (kept.length > 0) out.text += ` (still granted by mgr.json at modules.${r.name}.allow: ${kept.join(" ")})`;
        return out;
      },
    },
  ];
}
