// Daemon metadata and the server inventory built from it (get_metadata, list_servers,
// get_server, get_daemon_status), including metadata that outlives a purged OSD for a while.
import { CEPH_VERSION } from "./constants.ts";
import { mdsMetadata } from "./daemon-ops.ts";
import { deepFreeze, fixture } from "../_fixtures.ts";
import type { SimState } from "./state.ts";

type Metadata = Record<string, string>;

export function monMetadata(state: SimState, name: string): Metadata | null {
  const mon = state.mons.find((m) => m.name === name);
  if (!mon) return null;
  const host = state.hosts[mon.host]!;
  return {
    ...fixture<Metadata>("mgr-get/get_metadata.mon.a.json"),
    hostname: host.name,
    addrs: `[v2:${host.ip}:3300/0,v1:${host.ip}:6789/0]`,
    container_name: "",
  };
}

export function mgrMetadata(state: SimState, name: string): Metadata | null {
  if (name !== "x") return null;
  const host = state.hosts[0]!;
  return {
    ...fixture<Metadata>("mgr-get/get_metadata.mgr.x.json"),
    hostname: host.name,
    addr: host.ip,
    addrs: `${host.ip}:0/21932`,
    container_name: "",
  };
}

/** Metadata the mgr holds for a daemon; null if it never reported (or was culled). */
export function daemonMetadata(state: SimState, type: string, id: string): Metadata | null {
  switch (type) {
    case "osd": {
      if (!/^\d+$/.test(id)) return null;
      const osd = state.osd(Number(id));
      if (osd?.metadata) return osd.metadata;
      return state.lingeringMetadata.get(`osd.${id}`)?.metadata ?? null;
    }
    case "mon":
      return memoized(state, `mon.${id}`, () => monMetadata(state, id));
    case "mgr":
      return memoized(state, `mgr.${id}`, () => mgrMetadata(state, id));
    case "mds":
      return memoized(state, `mds.${id}`, () => mdsMetadata(state, id));
    default: {
      const svc = state.services.get(`${type}.${id}`);
      if (!svc) return null;
      return { hostname: state.hosts[svc.host]!.name, ceph_version: CEPH_VERSION, id };
    }
  }
}

function memoized(state: SimState, key: string, make: () => Metadata | null): Metadata | null {
  const k = `metadata:${key}`;
  const hit = state.memo.get(k);
  if (hit && hit.version === state.metadataVersion) return hit.value as Metadata | null;
  const value = deepFreeze(make());
  state.memo.set(k, { version: state.metadataVersion, value });
  return value;
}

export function daemonStatus(state: SimState, type: string, id: string): Record<string, string> | null {
  const svc = state.services.get(`${type}.${id}`);
  if (svc) return svc.status;
  return daemonMetadata(state, type, id) ? {} : null;
}

interface Service {
  type: string;
  id: string;
  ceph_version: string;
}
interface Server {
  hostname: string;
  services: Service[];
  ceph_version: string;
}

/** Every reporting daemon grouped by host, as list_servers; memoized per metadata version. */
export function servers(state: SimState): Server[] {
  const hit = state.memo.get("servers");
  if (hit && hit.version === state.metadataVersion) return hit.value as Server[];
  const byHost = new Map<string, Service[]>();
  const add = (host: string, type: string, id: string) => {
    let list = byHost.get(host);
    if (!list) byHost.set(host, (list = []));
    list.push({ type, id, ceph_version: CEPH_VERSION });
  };
  add(state.hosts[0]!.name, "mgr", "x");
  for (const m of state.mons) add(state.hosts[m.host]!.name, "mon", m.name);
  for (const o of state.existingOsds()) if (o.metadata) add(o.metadata.hostname!, "osd", String(o.id));
  for (const [key, l] of state.lingeringMetadata) add(l.host, "osd", key.slice(4));
  for (const d of state.mdsDaemons.values()) add(state.hosts[d.host]!.name, "mds", d.name);
  for (const s of state.services.values()) add(state.hosts[s.host]!.name, s.type, s.id);
  const list: Server[] = [];
  for (const host of state.hosts) {
    const services = byHost.get(host.name);
    if (!services) continue;
    // DaemonKey order: by type, then by id as a string ("10" before "2"), as the mgr's map sorts.
    services.sort((a, b) => (a.type === b.type ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.type < b.type ? -1 : 1));
    list.push({ hostname: host.name, services, ceph_version: CEPH_VERSION });
  }
  deepFreeze(list);
  state.memo.set("servers", { version: state.metadataVersion, value: list });
  return list;
}

export function server(state: SimState, hostname: string): Server | null {
  return servers(state).find((s) => s.hostname === hostname) ?? null;
}
