// `config set | rm | get | dump`: module options (MODULE_OPTIONS) in Ceph's `mgr` section,
// validated against the module's declaration.
import { Errno } from "../../errors.ts";
import { formatOptionValue, optionKey, parseOptionValue, type OptionDecl } from "../../store/index.ts";
import { flatConfig } from "./daemon-info.ts";
import { knownModule } from "./module.ts";
import { fail, table } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

const CONFIG_PREFIX = "config/";

/** `option` is where it is stored (`ID/OPT` for one daemon's value, Ceph's localized option); `decl` the declared name. */
function configName(who: unknown, name: unknown): { module: string; option: string; decl: string } {
  if (who !== "mgr")
    fail(
      Errno.EINVAL,
      `config: section "${String(who)}" is not supported: tsmgr keeps module options in section "mgr" (e.g. tsmgr config set mgr mgr/hello/greeting hi)`,
    );
  const m = /^mgr\/([a-z][a-z0-9_]*)\/(?:([A-Za-z0-9_][A-Za-z0-9_.-]*)\/)?([A-Za-z0-9_.-]+)$/.exec(String(name));
  if (!m)
    fail(
      Errno.EINVAL,
      `config: "${String(name)}" is not a module option name: use mgr/MODULE/OPTION or, for one daemon, mgr/MODULE/MGR_ID/OPTION (e.g. mgr/hello/greeting)`,
    );
  return { module: m[1]!, option: m[2] ? `${m[2]}/${m[3]!}` : m[3]!, decl: m[3]! };
}

/** A stored option as its declared type (a number for int options), for JSON output. */
function typed(d: OptionDecl | undefined, text: string): unknown {
  if (!d) return text;
  try {
    return parseOptionValue(d, text);
  } catch {
    return text;
  }
}

// long: a table of the config family's command entries, one screen each
export function configCommands({ kv, modules, config }: BuiltinDeps): Builtin[] {
  const decl = (module: string, option: string) => {
    const r = knownModule(modules, module);
    const decls = r.optionDecls();
    if (!r.running)
      fail(
        Errno.EAGAIN,
        `module '${module}' is not running, so its options cannot be checked: enable it first (tsmgr module enable ${module})`,
      );
    return (
      decls.find((d) => d.name === option) ??
      fail(
        Errno.ENOENT,
        `module '${module}' has no option "${option}": its options are ${decls.map((d) => d.name).join(", ") || "none"}`,
      )
    );
  };
  return [
    {
      cmd: "config set name=who,type=CephString name=name,type=CephString name=value,type=CephString",
      desc: "set a module option: config set mgr mgr/MODULE/OPTION VALUE",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const { module, option, decl: declared } = configName(a.who, a.name);
        const d = decl(module, declared);
        let stored: string;
        try {
          stored = formatOptionValue(d, parseOptionValue(d, String(a.value)));
        } catch (e) {
          fail(Errno.EINVAL, (e as Error).message);
        }
        await kv.set(optionKey(module, option), stored);
        modules.runner(module)?.configNotify();
        return { text: "" };
      },
    },
    {
      cmd: "config rm name=who,type=CephString name=name,type=CephString",
      desc: "reset a module option to its default",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const { module, option } = configName(a.who, a.name);
        await kv.set(optionKey(module, option), null);
        modules.runner(module)?.configNotify();
        return { text: "" };
      },
    },
    {
      cmd: "config get name=who,type=CephString name=key,type=CephString,req=false",
      desc: "get a module option (its value or default), every option of the section, or one of the daemon's settings (config get http.listen, as a Ceph daemon's admin socket answers config get FIELD)",
      perm: "r",
      needsActive: true,
      run: (a) => {
        if (a.key === undefined) {
          const own = flatConfig(config);
          const who = String(a.who);
          // one word that is not a section: the daemon's own setting, as `config get` on Ceph's admin socket
          if (who !== "mgr" && Object.hasOwn(own, who))
            return { data: { [who]: own[who] }, text: JSON.stringify({ [who]: own[who] }, null, 4) };
          if (who !== "mgr" && !/^(global|mon|osd|mds|client|mgr\..*)$/.test(who))
            fail(Errno.ENOENT, `error getting '${who}': (2) No such file or directory`);
          if (a.who !== "mgr") fail(Errno.EINVAL, `config get: section "${String(a.who)}" is not supported: use mgr`);
          const out: Record<string, string> = {};
          for (const [k, v] of kv.prefix(`${CONFIG_PREFIX}mgr/`)) out[k.slice(`${CONFIG_PREFIX}mgr/`.length)] = v;
          return {
            data: out,
            text: Object.entries(out)
              .map(([k, v]) => `${k} = ${v}`)
              .join("\n"),
          };
        }
        const { module, option, decl: declared } = configName(a.who, a.key);
        const stored = kv.get(optionKey(module, option));
        const d = modules
          .runner(module)
          ?.optionDecls()
          .find((x) => x.name === declared);
        if (stored !== undefined) return { data: typed(d, stored), text: stored };
        if (!d) fail(Errno.ENOENT, `unrecognized key '${String(a.key)}'`);
        const value = d.default === null || d.default === undefined ? "" : String(d.default);
        return { data: d.default ?? "", text: value };
      },
    },
    {
      cmd: "config dump",
      desc: "every module option that is set",
      perm: "r",
      needsActive: true,
      run: () => {
        const out = kv.prefix(CONFIG_PREFIX).map(([k, v]) => {
          const [section, ...rest] = k.slice(CONFIG_PREFIX.length).split("/");
          return { section, name: rest.join("/"), value: v, level: "advanced", can_update_at_runtime: true, mask: "" };
        });
        return {
          data: out,
          text: table([["WHO", "OPTION", "VALUE"], ...out.map((o) => [o.section!, o.name, o.value])]),
        };
      },
    },
  ];
}
