// Per-daemon overrides, so that two daemons (an active and a standby on one machine) can share one
// mgr.json: `daemons.ID.http.listen` and `daemons.ID.modules.NAME.allow.net` replace the top-level
// values for the daemon whose `id` is ID. Two daemons of the file that would bind one address are
// refused here, with the field to change, instead of failing at listen() on whichever starts second.
import { ConfigError } from "../errors.ts";
import { checkKeys, ID, isObj, listenAddress, netList, section, typeName, type Obj } from "./_fields.ts";
import type { Config, DaemonOverrides } from "./types.ts";

function overridesOf(id: string, v: unknown, cfg: Config): DaemonOverrides {
  const at = `daemons.${id}`;
  if (!ID.test(id)) throw new ConfigError(at, "daemon ids are letters, digits, _ . and - (as the top-level id)");
  if (!isObj(v))
    throw new ConfigError(at, `must be an object such as {"http": {"listen": "127.0.0.1:7001"}}, got ${typeName(v)}`);
  checkKeys(v, ["http", "modules"], at);
  const out: DaemonOverrides = { modules: Object.create(null) as DaemonOverrides["modules"] };
  const http = section(v, "http", `${at}.`);
  checkKeys(http, ["listen"], `${at}.http`);
  if (http.listen !== undefined) out.http = { listen: listenAddress(http, `${at}.http.`, "") };
  const mods = section(v, "modules", `${at}.`);
  for (const [name, m] of Object.entries(mods)) {
    const mat = `${at}.modules.${name}`;
    if (!Object.hasOwn(cfg.modules, name)) {
      throw new ConfigError(
        mat,
        `there is no modules.${name} entry to override: add it under "modules" first (overrides change only allow.net)`,
      );
    }
    if (!isObj(m))
      throw new ConfigError(
        mat,
        `must be an object such as {"allow": {"net": ["127.0.0.1:8081"]}}, got ${typeName(m)}`,
      );
    checkKeys(m, ["allow"], mat);
    const allow = section(m, "allow", `${mat}.`);
    checkKeys(allow, ["net"], `${mat}.allow`);
    if (allow.net !== undefined) out.modules[name] = { allow: { net: netList(allow, `${mat}.allow.`) } };
  }
  return out;
}

/** Every address one daemon of the file binds, with the field that sets it. */
function bindings(cfg: Config, id: string, o: DaemonOverrides | undefined): [addr: string, field: string][] {
  const out: [string, string][] = [];
  const listen = o?.http?.listen ?? cfg.http.listen;
  out.push([listen, o?.http ? `daemons.${id}.http.listen` : "http.listen"]);
  for (const [name, m] of Object.entries(cfg.modules)) {
    const own = o?.modules[name];
    const net = own?.allow.net ?? m.allow.net;
    for (const a of net) out.push([a, own ? `daemons.${id}.modules.${name}.allow.net` : `modules.${name}.allow.net`]);
  }
  // "" is no HTTP and port 0 is any free port: neither can clash
  return out.filter(([a]) => a !== "" && !a.endsWith(":0"));
}

function refuseSharedAddresses(cfg: Config, all: Record<string, DaemonOverrides>): void {
  const seen = new Map<string, { id: string; field: string }>();
  for (const id of Object.keys(all)) {
    for (const [addr, field] of new Map(bindings(cfg, id, all[id]))) {
      const other = seen.get(addr);
      if (other && other.id !== id) {
        throw new ConfigError(
          "daemons",
          `daemons ${JSON.stringify(other.id)} and ${JSON.stringify(id)} would both bind ${JSON.stringify(addr)} ` +
            `(${other.field} and ${field}): give each daemon its own address, e.g. daemons.${id}.http.listen or ` +
            `daemons.${id}.modules.NAME.allow.net`,
        );
      }
      seen.set(addr, { id, field });
    }
  }
}

/** Checks the `daemons` section, refuses shared addresses, and applies this daemon's overrides to `cfg`. */
export function applyDaemonOverrides(cfg: Config, raw: Obj): void {
  const all: Record<string, DaemonOverrides> = Object.create(null) as Record<string, DaemonOverrides>;
  for (const [id, v] of Object.entries(raw)) all[id] = overridesOf(id, v, cfg);
  cfg.daemons = all;
  if (Object.keys(all).length > 1) refuseSharedAddresses(cfg, all);
  const mine = Object.hasOwn(all, cfg.id) ? all[cfg.id] : undefined;
  if (!mine) return;
  if (mine.http) cfg.http = { ...cfg.http, listen: mine.http.listen };
  for (const [name, m] of Object.entries(mine.modules)) {
    const base = cfg.modules[name]!;
    cfg.modules[name] = { ...base, allow: { ...base.allow, net: m.allow.net } };
  }
}
