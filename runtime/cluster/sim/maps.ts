// Renders the smaller cluster maps: mon_map and mon_status, fs_map, mgr_map, service_map, the
// mgr's config views and devices, each from the real dump with the simulated cluster's values.
import { monAddrvec } from "./addrs.ts";
import { CEPH_VERSION, FEATURES_ALL, FEATURES_HEX } from "./constants.ts";
import { mdsStandby } from "./daemon-ops.ts";
import { fixtureCompact, mgrGet } from "../_fixtures.ts";
import { rawNumber, stampZ, stringifyCeph } from "../_json.ts";
import type { SimState } from "./state.ts";

const MON_FEATURES = [
  "kraken",
  "luminous",
  "mimic",
  "osdmap-prune",
  "nautilus",
  "octopus",
  "pacific",
  "elector-pinging",
];

function monEntries(state: SimState, addrFirst: boolean) {
  return state.mons.map((m) => {
    const ip = state.hosts[m.host]!.ip;
    const av = monAddrvec(ip);
    const addrvec = addrFirst ? av.addrvec.map((a) => ({ type: a.type, addr: a.addr, nonce: a.nonce })) : av.addrvec;
    return {
      rank: m.rank,
      name: m.name,
      public_addrs: { addrvec },
      addr: `${ip}:6789/0`,
      public_addr: `${ip}:6789/0`,
      priority: 0,
      weight: 0,
      crush_location: "{}",
    };
  });
}

/** get("mon_map"), field order as the mgr's. */
export function monMapObject(state: SimState) {
  const created = stampZ(state.createdMs);
  return {
    epoch: state.monmapEpoch,
    min_mon_release: 16,
    min_mon_release_name: "pacific",
    election_strategy: 1,
    stretch_mode: false,
    tiebreaker_mon: "",
    features: { persistent: MON_FEATURES, optional: [] },
    mons: monEntries(state, false).map(
      ({ rank, name, public_addrs, priority, weight, addr, public_addr, crush_location }) => ({
        rank,
        name,
        public_addrs,
        priority,
        weight,
        addr,
        public_addr,
        crush_location,
      }),
    ),
    fsid: state.fsid,
    modified: state.monmapModified || created,
    created,
    "disallowed_leaders: ": "",
    "removed_ranks: ": "",
  };
}

/** The mon's own monmap dump (`mon dump`, mon_status.monmap). */
export function monDumpObject(state: SimState) {
  const created = stampZ(state.createdMs);
  return {
    epoch: state.monmapEpoch,
    fsid: state.fsid,
    modified: state.monmapModified || created,
    created,
    min_mon_release: 16,
    min_mon_release_name: "pacific",
    election_strategy: 1,
    "disallowed_leaders: ": "",
    stretch_mode: false,
    tiebreaker_mon: "",
    "removed_ranks: ": "",
    features: { persistent: MON_FEATURES, optional: [] },
    mons: monEntries(state, true),
  };
}

export function quorum(state: SimState): number[] {
  return state.mons.filter((m) => m.inQuorum).map((m) => m.rank);
}

/** get("mon_status"): the mon's status as a JSON string inside {"json": ...}. */
export function monStatusObject(state: SimState) {
  const leader = state.mons.find((m) => m.inQuorum) ?? state.mons[0]!;
  const upOsds = [...state.existingOsds()].filter((o) => o.up).length;
  const feature = (num: number) => [{ features: FEATURES_HEX, release: "luminous", num }];
  return {
    name: leader.name,
    rank: leader.rank,
    state: leader.inQuorum ? "leader" : "probing",
    election_epoch: state.electionEpoch,
    quorum: quorum(state),
    quorum_age: Math.max(0, Math.floor((state.nowMs - state.quorumSinceMs) / 1000)),
    features: {
      required_con: "2449958747317026820",
      required_mon: MON_FEATURES,
      quorum_con: FEATURES_ALL,
      quorum_mon: MON_FEATURES,
    },
    outside_quorum: [],
    extra_probe_peers: [],
    sync_provider: [],
    monmap: monDumpObject(state),
    feature_map: { mon: feature(1), osd: feature(upOsds), mgr: feature(1) },
    stretch_mode: false,
  };
}

export const renderMonStatus = (state: SimState) => JSON.stringify({ json: JSON.stringify(monStatusObject(state)) });

export function fsMapObject(state: SimState) {
  const standbys = [...state.mdsDaemons.values()].map((d) => mdsStandby(state, d));
  return { ...mgrGet<Record<string, unknown>>("fs_map"), epoch: state.fsmapEpoch, standbys };
}

export function mgrMapObject(state: SimState) {
  return {
    ...mgrGet<Record<string, unknown>>("mgr_map"),
    epoch: state.mgrmapEpoch,
    active_mgr_features: rawNumber(FEATURES_ALL),
  };
}

export const renderMgrMap = (state: SimState) => stringifyCeph(mgrMapObject(state), new Set());

export function serviceMapObject(state: SimState) {
  const services: Record<string, { daemons: Record<string, unknown>; summary: string }> = {};
  for (const d of state.services.values()) {
    const svc = (services[d.type] ??= { daemons: { summary: "" }, summary: "" });
    const host = state.hosts[d.host]!;
    svc.daemons[d.id] = {
      start_epoch: d.startEpoch,
      start_stamp: d.startStamp,
      gid: d.gid,
      addr: `${host.ip}:0/${d.gid}`,
      metadata: { hostname: host.name, id: d.id, ceph_version: CEPH_VERSION },
      task_status: {},
    };
  }
  return { epoch: state.servicemapEpoch, services, modified: state.servicemapModified };
}

/** config_options never changes: the real list, compact. */
export const renderConfigOptions = () => fixtureCompact("mgr-get/get.config_options.json");

export const renderModifiedOptions = (state: SimState) =>
  JSON.stringify({ options: [...state.modifiedOptions].sort() });

export function deviceObject(state: SimState, devid: string) {
  for (const o of state.existingOsds()) {
    if (o.device.id === devid && o.metadata) {
      return {
        devid,
        location: [{ host: state.hosts[o.host]!.name, dev: o.device.dev, path: o.device.path }],
        daemons: [`osd.${o.id}`],
      };
    }
  }
  return undefined;
}

export function devicesObject(state: SimState) {
  const devices = [];
  for (const o of state.existingOsds()) {
    if (!o.metadata) continue;
    devices.push({
      devid: o.device.id,
      location: [{ host: state.hosts[o.host]!.name, dev: o.device.dev, path: o.device.path }],
      daemons: [`osd.${o.id}`],
    });
  }
  return { devices };
}
