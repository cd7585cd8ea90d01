// The mon's central config db (`config set/get/rm/dump`), validated against the real option list,
// and its effect on what the mgr reports as its own config (get("config")).
import type { CommandResult } from "../types.ts";
import { EINVAL, ENOENT, done, fail, reply, str, type Cmd } from "./cmd-util.ts";
import { mgrGet } from "../_fixtures.ts";
import type { SimState } from "./state.ts";
import { table } from "./text.ts";

interface ConfigOption {
  name: string;
  type: string;
  level: string;
  default: unknown;
  daemon_default: unknown;
  can_update_at_runtime: boolean;
}

const optionIndexes = new WeakMap<object, Map<string, ConfigOption>>();

/** The real option list, by name (built once per fixture object). */
export function configOption(name: string): ConfigOption | undefined {
  const options = mgrGet<{ options: ConfigOption[] }>("config_options");
  let index = optionIndexes.get(options);
  if (!index) {
    index = new Map(options.options.map((o) => [o.name, o]));
    optionIndexes.set(options, index);
  }
  return index.get(name);
}

const WHO = /^(global|(mon|mgr|osd|mds|client)(\.[\w.-]+)?)(\/.*)?$/;
const INTEGER_TYPES = new Set(["int", "uint", "size", "secs", "millisecs"]);

/** Option values as Ceph prints them: floats with 6 decimals, bools as true/false. */
export function formatValue(opt: ConfigOption | undefined, value: unknown): string {
  if (opt?.type === "float" && value !== "" && !Number.isNaN(Number(value))) return Number(value).toFixed(6);
  if (opt?.type === "bool") return ["true", "1", "yes", "on"].includes(String(value).toLowerCase()) ? "true" : "false";
  return String(value);
}

function parseError(opt: ConfigOption, value: string): string | undefined {
  if (INTEGER_TYPES.has(opt.type) && !/^-?\d+[KMGTkmgt]?i?[Bb]?$/.test(value)) {
    return `error parsing value: strict_strtoll: expected integer, got: '${value}'`;
  }
  if (opt.type === "float" && Number.isNaN(Number(value)))
    return `error parsing value: strict_strtod: expected double, got: '${value}'`;
  if (opt.type === "bool" && !["true", "false", "1", "0", "yes", "no", "on", "off"].includes(value.toLowerCase())) {
    return `error parsing value: Expected option value to be integer, got '${value}'`;
  }
  return undefined;
}

/** Whether a config section applies to the simulated mgr ("mgr.x"). */
const appliesToMgr = (section: string) => section === "global" || section === "mgr" || section === "mgr.x";

function syncMgrConfig(state: SimState, name: string): void {
  if (!(name in mgrGet<Record<string, string>>("config"))) return;
  const entries = state.configDb.filter((e) => e.name === name && appliesToMgr(e.section));
  const rank = (s: string) => (s === "mgr.x" ? 3 : s === "mgr" ? 2 : 1);
  entries.sort((a, b) => rank(b.section) - rank(a.section));
  const value = entries[0]
    ? formatValue(configOption(name), entries[0].value)
    : mgrGet<Record<string, string>>("config")[name]!;
  if (state.mgrConfig[name] === value) return;
  state.mgrConfig[name] = value;
  state.touch("config");
  if (entries[0]) state.modifiedOptions.add(name);
  state.touch("modified_config_options");
}

export function configSet(state: SimState, who: string, name: string, value: string, force: boolean): CommandResult {
  if (!WHO.test(who)) return fail(EINVAL, `unrecognized config target '${who}'`);
  const opt = configOption(name);
  if (!opt && !name.startsWith("mgr/") && !force) return fail(EINVAL, `unrecognized config option '${name}'`);
  if (opt) {
    const error = parseError(opt, value);
    if (error) return fail(EINVAL, error);
  }
  const existing = state.configDb.find((e) => e.section === who && e.name === name);
  if (existing) existing.value = value;
  else state.configDb.push({ section: who, name, value });
  syncMgrConfig(state, name);
  return done();
}

export function configRm(state: SimState, who: string, name: string): CommandResult {
  state.configDb = state.configDb.filter((e) => !(e.section === who && e.name === name));
  syncMgrConfig(state, name);
  return done();
}

/** The value `who` sees: its own section, then its type, then global, then the default. */
export function effectiveValue(state: SimState, who: string, name: string): string | undefined {
  const type = who.split(".")[0]!;
  for (const section of [who, type, "global"]) {
    const e = state.configDb.find((x) => x.section === section && x.name === name);
    if (e) return e.value;
  }
  const opt = configOption(name);
  if (!opt) return undefined;
  const dflt = opt.daemon_default !== "" && opt.daemon_default !== undefined ? opt.daemon_default : opt.default;
  return formatValue(opt, dflt);
}

export function configGet(state: SimState, cmd: Cmd): CommandResult {
  const who = String(cmd.who);
  const key = str(cmd.key);
  if (key !== undefined) {
    const value = name(key) ? effectiveValue(state, who, key) : undefined;
    if (value === undefined) return fail(ENOENT, `unrecognized key '${key}'`);
    return reply(cmd, JSON.stringify(value), () => `${value}\n`);
  }
  const type = who.split(".")[0]!;
  const applying = state.configDb.filter((e) => e.section === who || e.section === type || e.section === "global");
  const data = Object.fromEntries(
    applying.map((e) => [
      e.name,
      {
        value: e.value,
        section: e.section,
        mask: "",
        can_update_at_runtime: configOption(e.name)?.can_update_at_runtime ?? true,
      },
    ]),
  );
  return reply(cmd, data, () =>
    table(
      [
        ["WHO", "left"],
        ["MASK", "left"],
        ["LEVEL", "left"],
        ["OPTION", "left"],
        ["VALUE", "left"],
        ["RO", "left"],
      ],
      applying.map((e) => [
        e.section,
        "",
        configOption(e.name)?.level ?? "advanced",
        e.name,
        e.value,
        configOption(e.name)?.can_update_at_runtime === false ? "*" : "",
      ]),
    ),
  );

  function name(k: string) {
    return configOption(k) !== undefined || k.startsWith("mgr/") || state.configDb.some((e) => e.name === k);
  }
}

export function configDump(state: SimState, cmd: Cmd): CommandResult {
  const entries = state.configDb.map((e) => {
    const opt = configOption(e.name);
    return {
      section: e.section,
      name: e.name,
      value: e.value,
      level: opt?.level ?? "advanced",
      can_update_at_runtime: opt?.can_update_at_runtime ?? true,
      mask: "",
    };
  });
  return reply(cmd, entries, () =>
    table(
      [
        ["WHO", "left"],
        ["MASK", "left"],
        ["LEVEL", "left"],
        ["OPTION", "left"],
        ["VALUE", "left"],
        ["RO", "left"],
      ],
      entries.map((e) => [e.section, e.mask, e.level, e.name, e.value, e.can_update_at_runtime ? "" : "*"]),
    ),
  );
}
