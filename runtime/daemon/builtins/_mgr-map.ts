// The mgr map and module list in Ceph's shapes (MgrMap::dump, `mgr module ls`, `mgr metadata`),
// built from the election's map, the modules and this host. Fields tsmgr has no counterpart
// for get the value a fresh Ceph map has (0, "", [], "0.000000").
import { arch, cpus, hostname, release, totalmem, type, version as osVersion } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import type { MgrMap } from "../../election/index.ts";
import type { OptionDecl } from "../../store/index.ts";
import type { ModuleManager } from "../modules.ts";
import { CEPH_RELEASE, versionInfo } from "./_version.ts";

/** A Python str() of an option value, as Ceph's module_options carry them ("False", "60", ""). */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

function optionJson(d: OptionDecl): Record<string, unknown> {
  return {
    name: d.name,
    type: d.type,
    level: d.level,
    flags: 1, // Ceph's FLAG_RUNTIME, set on every module option (tsmgr's all change at run time too)
    default_value: pyStr(d.default),
    min: pyStr(d.min),
    max: pyStr(d.max),
    enum_allowed: [...(d.enum_allowed ?? [])],
    desc: d.desc,
    long_desc: d.long_desc,
    tags: [...d.tags],
    see_also: [...d.see_also],
  };
}

export interface CephModuleInfo {
  name: string;
  can_run: boolean;
  error_string: string;
  module_options: Record<string, Record<string, unknown>>;
}

/**
 * Every module as Ceph's ModuleInfo: a module that cannot load has can_run false and its error.
 * A module's options are those of its running version, else of its last run in this daemon
 * (none for a module that has not run since the daemon started).
 */
export function moduleInfos(modules: ModuleManager): CephModuleInfo[] {
  const out: CephModuleInfo[] = modules.status().map((s) => ({
    name: s.name,
    can_run: !(s.state === "failed" && s.error?.during === "load"),
    error_string: s.state === "failed" && s.error ? s.error.message.split("\n")[0]! : "",
    module_options: Object.fromEntries(modules.optionDecls(s.name).map((d) => [d.name, optionJson(d)])),
  }));
  for (const p of modules.problems()) {
    if (p.found !== "mgr.json")
      out.push({ name: p.found, can_run: false, error_string: p.message, module_options: {} });
  }
  return out;
}

/** `mgr module ls`: Ceph's three lists (tsmgr has no always-on modules). */
export function moduleList(modules: ModuleManager): Record<string, unknown> {
  const infos = moduleInfos(modules);
  const enabled = new Set(
    modules
      .status()
      .filter((s) => s.enabled)
      .map((s) => s.name),
  );
  return {
    always_on_modules: [],
    enabled_modules: infos.filter((m) => enabled.has(m.name)).map((m) => m.name),
    disabled_modules: infos.filter((m) => !enabled.has(m.name)),
  };
}

/** An address as Ceph's entity_addrvec_t dumps it; tsmgr's is its HTTP API (none when off). */
function addrvec(addr: string): { addrvec: { type: string; addr: string; nonce: number }[] } {
  return { addrvec: addr ? [{ type: "any", addr, nonce: 0 }] : [] };
}

/** MgrMap::dump, from the election's map. */
export function cephMgrMap(m: MgrMap, modules: ModuleManager): Record<string, unknown> {
  const available = moduleInfos(modules);
  return {
    epoch: m.epoch,
    active_gid: m.active_gid,
    active_name: m.active_name,
    active_addrs: addrvec(m.active_addr),
    active_addr: m.active_addr ? `${m.active_addr}/0` : "",
    active_change: "0.000000",
    active_mgr_features: 0,
    available: m.available,
    standbys: m.standbys.map((s) => ({ gid: s.gid, name: s.name, mgr_features: 0, available_modules: available })),
    modules: modules
      .status()
      .filter((s) => s.enabled)
      .map((s) => s.name),
    available_modules: available,
    services: { ...m.services },
    // Ceph lists each release it knows; tsmgr runs no module whatever the operator says
    always_on_modules: { nautilus: [], octopus: [], [CEPH_RELEASE]: [] },
    last_failure_osd_epoch: 0,
    active_clients: [],
  };
}

function osRelease(): Record<string, string> {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    return Object.fromEntries(
      text.split("\n").flatMap((l) => {
        const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(l);
        return m ? [[m[1]!, m[3]!]] : [];
      }),
    );
  } catch {
    return {};
  }
}

function memKb(field: string): string {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/meminfo", "utf8"));
    if (m) return m[1]!;
  } catch {
    // not Linux
  }
  return field === "MemTotal" ? String(Math.floor(totalmem() / 1024)) : "0";
}

/** This host's facts in `mgr metadata`'s keys (Ceph's names and string values). */
export function hostMetadata(): Record<string, string> {
  const v = versionInfo();
  const osr = osRelease();
  return {
    arch: arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch(),
    ceph_release: CEPH_RELEASE,
    ceph_version: v.long,
    ceph_version_short: v.version,
    container_name: "",
    cpu: cpus()[0]?.model ?? "",
    distro: osr.ID ?? "",
    distro_description: osr.PRETTY_NAME ?? "",
    distro_version: osr.VERSION_ID ?? "",
    hostname: hostname(),
    kernel_description: osVersion(),
    kernel_version: release(),
    mem_swap_kb: memKb("SwapTotal"),
    mem_total_kb: memKb("MemTotal"),
    os: type(),
  };
}

/**
 * `mgr metadata` of each daemon of the group. Members that share this daemon's data dir (the
 * SQLite group: one machine) share its host facts; a member on another machine (etcd) is shown
 * with what the map says of it, its name and address.
 */
export function daemonMetadata(m: MgrMap): Record<string, string>[] {
  const host = hostMetadata();
  const members = [
    ...(m.available ? [{ name: m.active_name, addr: m.active_addr, asok: m.active_asok }] : []),
    ...m.standbys,
  ];
  // its admin socket is on this machine: the same host
  const here = (asok: string) => asok !== "" && existsSync(asok);
  return members.map((d) => {
    const addr = d.addr.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
    const base = { name: d.name, addr, addrs: d.addr ? `${d.addr}/0` : "" };
    return here(d.asok) ? { ...base, ...host } : base;
  });
}
