// The daemon's own commands (module, config-key, config, health, status, mgr, auth, help),
// in Ceph's descriptor grammar, with Ceph's output shapes under `-f json`.
import { randomBytes } from "node:crypto";
import { CommandError, Errno } from "../errors.ts";
import { formatOptionValue, optionKey, parseOptionValue, type KvStore } from "../store/index.ts";
import type { Builtin, BuiltinAnswer, CommandRouter } from "./dispatch.ts";
import type { ModuleManager } from "./modules.ts";
import type { MgrMap } from "../election/index.ts";

export interface BuiltinDeps {
  kv: KvStore;
  modules: ModuleManager;
  table: () => CommandRouter;
  mgrMap(): MgrMap;
  fail(who: string | undefined): Promise<string>;
}

const AUTH_PREFIX = "tsmgr/auth/";
const CONFIG_PREFIX = "config/";

function fail(errno: number, message: string): never {
  throw new CommandError(errno, message);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n");
}

export function healthReport(deps: BuiltinDeps, detail: boolean): BuiltinAnswer {
  const checks = deps.modules.healthChecks();
  const codes = Object.keys(checks);
  const status = codes.length === 0 ? "HEALTH_OK" : codes.some((c) => checks[c]!.severity === "HEALTH_ERR") ? "HEALTH_ERR" : "HEALTH_WARN";
  const data = {
    status,
    checks: Object.fromEntries(codes.map((c) => [c, detail ? checks[c] : { severity: checks[c]!.severity, summary: checks[c]!.summary, muted: false }])),
    mutes: [],
  };
  let text = status;
  if (codes.length > 0) text += " " + codes.map((c) => checks[c]!.summary.message).join("; ");
  if (detail) for (const c of codes) text += `\n[${checks[c]!.severity === "HEALTH_ERR" ? "ERR" : "WRN"}] ${c}: ${checks[c]!.summary.message}` + checks[c]!.detail.map((d) => "\n    " + d.message.replace(/\n/g, "\n    ")).join("");
  return { data, text };
}

export function builtinCommands(deps: BuiltinDeps): Builtin[] {
  const { kv, modules } = deps;
  const known = (name: string) => modules.runner(name) ?? fail(Errno.ENOENT, `module '${name}' not found in the module path: known modules are ${modules.runners().map((r) => r.name).join(", ") || "none"}`);

  const configName = (who: unknown, name: unknown): { module: string; option: string } => {
    if (who !== "mgr") fail(Errno.EINVAL, `config: section "${String(who)}" is not supported: tsmgr keeps module options in section "mgr" (e.g. tsmgr config set mgr mgr/hello/greeting hi)`);
    const m = /^mgr\/([a-z][a-z0-9_]*)\/([A-Za-z0-9_.-]+)$/.exec(String(name));
    if (!m) fail(Errno.EINVAL, `config: "${String(name)}" is not a module option name: use mgr/MODULE/OPTION (e.g. mgr/hello/greeting)`);
    return { module: m[1]!, option: m[2]! };
  };
  const decl = (module: string, option: string) => {
    const r = known(module);
    const decls = r.optionDecls();
    if (!r.running) fail(Errno.EAGAIN, `module '${module}' is not running, so its options cannot be checked: enable it first (tsmgr module enable ${module})`);
    return decls.find((d) => d.name === option) ?? fail(Errno.ENOENT, `module '${module}' has no option "${option}": its options are ${decls.map((d) => d.name).join(", ") || "none"}`);
  };

  return [
    // ---- modules --------------------------------------------------------------------------
    {
      cmd: "module ls",
      desc: "list modules with their state, version, errors and grants",
      perm: "r",
      needsActive: false,
      run: () => {
        const st = modules.status();
        const rows = [["NAME", "ENABLED", "STATE", "VERSION", "LOADED", "ERROR"]];
        for (const s of st) rows.push([s.name, s.enabled ? "on" : "off", s.state, s.version ?? "-", s.loaded_at ?? "-", s.error ? s.error.message.split("\n")[0]! : ""]);
        for (const p of modules.problems()) rows.push([p.found, "-", "unloadable", "-", "-", p.message]);
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
      needsActive: false,
      run: (a) => {
        known(String(a.module));
        const s = modules.status().find((x) => x.name === a.module)!;
        return { data: s, text: JSON.stringify(s, null, 2) };
      },
    },
    {
      cmd: "module enable name=module,type=CephString",
      desc: "enable a module (persisted across restarts)",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        known(String(a.module));
        await modules.enable(String(a.module), true);
        const s = modules.status().find((x) => x.name === a.module)!;
        return s.error ? { retval: -Errno.EIO, stderr: `module ${s.name} is enabled but failed to start: ${s.error.message}` } : { text: "" };
      },
    },
    {
      cmd: "module disable name=module,type=CephString",
      desc: "disable a module (persisted across restarts)",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        known(String(a.module));
        await modules.enable(String(a.module), false);
        return { text: "" };
      },
    },
    {
      cmd: "module reload name=module,type=CephString",
      desc: "rebuild and restart a module now (the old version keeps running if the new one fails)",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const r = known(String(a.module));
        if (!modules.isEnabled(r.name)) fail(Errno.EINVAL, `module '${r.name}' is disabled: tsmgr module enable ${r.name}`);
        if (!r.running) await r.start(modules.role === "standby" ? "standby" : "active");
        else await r.reload("tsmgr module reload");
        const s = modules.status().find((x) => x.name === r.name)!;
        if (s.error) return { retval: -Errno.EINVAL, stderr: s.error.message + (s.error.frame ? "\n" + s.error.frame : "") };
        return { text: `module ${r.name} running version ${s.version}` };
      },
    },
    // ---- config-key -------------------------------------------------------------------------
    {
      cmd: "config-key get name=key,type=CephString",
      desc: "get a stored value",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const v = kv.get(String(a.key));
        if (v === undefined) fail(Errno.ENOENT, `error obtaining '${String(a.key)}': (2) No such file or directory`);
        return { text: v, data: v };
      },
    },
    {
      cmd: "config-key set name=key,type=CephString name=val,type=CephString,req=false",
      desc: "store a value (durable when the command returns)",
      perm: "rw",
      needsActive: true,
      run: async (a, req) => {
        const key = String(a.key);
        if (key.startsWith(AUTH_PREFIX)) fail(Errno.EACCES, `keys under ${AUTH_PREFIX} hold credentials: use tsmgr auth`);
        await kv.set(key, a.val === undefined ? (req.inbuf ?? "") : String(a.val));
        return { text: `set ${key}` };
      },
    },
    {
      cmd: "config-key rm name=key,type=CephString",
      desc: "delete a stored value",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const key = String(a.key);
        if (key.startsWith(AUTH_PREFIX)) fail(Errno.EACCES, `keys under ${AUTH_PREFIX} hold credentials: use tsmgr auth rm`);
        if (kv.get(key) === undefined) return { text: `key '${key}' doesn't exist` };
        await kv.set(key, null);
        return { text: "key deleted" };
      },
    },
    {
      cmd: "config-key exists name=key,type=CephString",
      desc: "check whether a key exists",
      perm: "r",
      needsActive: true,
      run: (a) => (kv.get(String(a.key)) === undefined ? fail(Errno.ENOENT, `key '${String(a.key)}' doesn't exist`) : { text: `key '${String(a.key)}' exists` }),
    },
    {
      cmd: "config-key ls",
      desc: "list every key",
      perm: "r",
      needsActive: true,
      run: () => {
        const keys = kv.prefix("").map(([k]) => k).filter((k) => !k.startsWith(AUTH_PREFIX));
        return { data: keys, text: JSON.stringify(keys, null, 4) };
      },
    },
    {
      cmd: "config-key dump name=key,type=CephString,req=false",
      desc: "every key and value (under an optional prefix)",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const out: Record<string, string> = {};
        for (const [k, v] of kv.prefix(a.key === undefined ? "" : String(a.key))) if (!k.startsWith(AUTH_PREFIX)) out[k] = v;
        return { data: out, text: JSON.stringify(out, null, 4) };
      },
    },
    // ---- config (module options) ------------------------------------------------------------
    {
      cmd: "config set name=who,type=CephString name=name,type=CephString name=value,type=CephString",
      desc: "set a module option: config set mgr mgr/MODULE/OPTION VALUE",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const { module, option } = configName(a.who, a.name);
        const d = decl(module, option);
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
      desc: "get a module option (its value or default), or every option of the section",
      perm: "r",
      needsActive: true,
      run: (a) => {
        if (a.key === undefined) {
          if (a.who !== "mgr") fail(Errno.EINVAL, `config get: section "${String(a.who)}" is not supported: use mgr`);
          const out: Record<string, string> = {};
          for (const [k, v] of kv.prefix(`${CONFIG_PREFIX}mgr/`)) out[k.slice(`${CONFIG_PREFIX}mgr/`.length)] = v;
          return { data: out, text: Object.entries(out).map(([k, v]) => `${k} = ${v}`).join("\n") };
        }
        const { module, option } = configName(a.who, a.key);
        const stored = kv.get(optionKey(module, option));
        const r = modules.runner(module);
        const d = r?.optionDecls().find((x) => x.name === option);
        if (stored === undefined && !d) fail(Errno.ENOENT, `unrecognized key '${String(a.key)}'`);
        const value = stored ?? (d!.default === null || d!.default === undefined ? "" : String(d!.default));
        return { data: value, text: value };
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
        return { data: out, text: table([["WHO", "OPTION", "VALUE"], ...out.map((o) => [o.section!, o.name, o.value])]) };
      },
    },
    // ---- health, status, mgr -----------------------------------------------------------------
    {
      cmd: "health name=detail,type=CephChoices,strings=detail,req=false",
      desc: "the manager's health: failed modules and module health checks",
      perm: "r",
      needsActive: true,
      run: (a) => healthReport(deps, a.detail === "detail"),
    },
    {
      cmd: "status",
      desc: "the mgr map: which daemon is active, the standbys, services",
      perm: "r",
      needsActive: false,
      run: () => {
        const m = deps.mgrMap();
        const text = [
          `mgr: ${m.available ? `${m.active_name}(active, since epoch ${m.epoch})` : "no daemons active"}${m.standbys.length ? `, standbys: ${m.standbys.map((s) => s.name).join(", ")}` : ""}`,
          ...Object.entries(m.services).map(([k, v]) => `${k}: ${v}`),
        ].join("\n");
        return { data: m, text };
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
    // ---- auth for HTTP callers ---------------------------------------------------------------
    {
      cmd: "auth add name=entity,type=CephString name=caps,type=CephString,req=false",
      desc: "create a key for HTTP callers with caps r, w, rw, rwx or * (printed once)",
      perm: "rwx",
      needsActive: true,
      run: async (a) => {
        const entity = String(a.entity);
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(entity)) fail(Errno.EINVAL, `auth add: entity name "${entity}" must be letters, digits, _ . -`);
        const caps = a.caps === undefined ? "r" : String(a.caps);
        if (!/^(\*|r?w?x?)$/.test(caps) || caps === "") fail(Errno.EINVAL, `auth add: caps "${caps}" must be r, w, rw, rx, rwx or *`);
        if (kv.get(AUTH_PREFIX + entity)) fail(Errno.EEXIST, `entity ${entity} exists: tsmgr auth rm ${entity} first`);
        const key = randomBytes(24).toString("base64url");
        await kv.set(AUTH_PREFIX + entity, JSON.stringify({ key, caps }));
        return { data: { entity, key, caps }, text: `[${entity}]\n\tkey = ${key}\n\tcaps = "${caps}"` };
      },
    },
    {
      cmd: "auth rm name=entity,type=CephString",
      desc: "delete an HTTP caller's key",
      perm: "rwx",
      needsActive: true,
      run: async (a) => {
        await kv.set(AUTH_PREFIX + String(a.entity), null);
        return { text: "" };
      },
    },
    {
      cmd: "auth ls",
      desc: "list HTTP callers and their caps (not their keys)",
      perm: "rwx",
      needsActive: true,
      run: () => {
        const list = kv.prefix(AUTH_PREFIX).map(([k, v]) => ({ entity: k.slice(AUTH_PREFIX.length), caps: (JSON.parse(v) as { caps: string }).caps }));
        return { data: list, text: list.map((e) => `${e.entity}: ${e.caps}`).join("\n") };
      },
    },
    {
      cmd: "help",
      desc: "every command with its descriptor and description",
      perm: "r",
      needsActive: false,
      run: () => {
        const h = deps.table().help();
        return { data: h, text: h.map((c) => `${c.usage}\n    ${c.desc}${c.module !== "tsmgr" ? ` (module ${c.module})` : ""}`).join("\n") };
      },
    },
  ];
}

/** The key daemons of one group present to each other's HTTP API when forwarding commands. */
const PEER_ENTITY = "mgr.peer";

export function peerKey(kv: KvStore): string | undefined {
  const v = kv.get(AUTH_PREFIX + PEER_ENTITY);
  try {
    return v ? (JSON.parse(v) as { key: string }).key : undefined;
  } catch {
    return undefined;
  }
}

/** Created by the first active daemon of a group; every member reads it from the shared store. */
export async function ensurePeerKey(kv: KvStore): Promise<void> {
  if (peerKey(kv)) return;
  await kv.set(AUTH_PREFIX + PEER_ENTITY, JSON.stringify({ key: randomBytes(24).toString("base64url"), caps: "*" }));
}

/** Caps of an HTTP caller presenting `key`, or undefined. */
export function capsForKey(kv: KvStore, key: string): string | undefined {
  for (const [, v] of kv.prefix(AUTH_PREFIX)) {
    try {
      const e = JSON.parse(v) as { key: string; caps: string };
      if (e.key === key) return e.caps;
    } catch {
      // a hand-edited entry that is not ours: ignore
    }
  }
  return undefined;
}
