// Mon and MDS membership changes: a mon joining or leaving the monmap (mon_map notify, new
// election) and MDS daemons registering as standbys in the FSMap (fs_map notify).
import { clog } from "./clog.ts";
import { FEATURES_ALL } from "./constants.ts";
import { fixture, mgrGet } from "../_fixtures.ts";
import { rawNumber, stampZ } from "../_json.ts";
import type { MdsDaemon } from "./model.ts";
import type { SimState } from "./state.ts";

function election(state: SimState): void {
  state.electionEpoch += 2;
  state.quorumSinceMs = state.nowMs;
  const q = state.mons.filter((m) => m.inQuorum);
  clog(state, "cluster", "[INF]", `mon.${q[0]?.name ?? "a"} calling monitor election`);
  clog(
    state,
    "cluster",
    "[INF]",
    `mon.${q[0]?.name ?? "a"} is new leader, mons ${q.map((m) => m.name).join(",")} in quorum (ranks ${q.map((m) => m.rank).join(",")})`,
  );
}

function monmapChanged(state: SimState): void {
  state.monmapEpoch += 1;
  state.monmapModified = stampZ(state.nowMs);
  state.metadataVersion += 1;
  state.touch("mon_map", "mon_status");
  state.notify("mon_map", "");
  state.notify("mon_status", "");
  election(state);
}

export function addMon(state: SimState, name: string, host: number): void {
  state.mons.push({ name, rank: state.mons.length, host, inQuorum: true });
  monmapChanged(state);
}

export function removeMon(state: SimState, name: string): void {
  state.mons = state.mons.filter((m) => m.name !== name).map((m, rank) => ({ ...m, rank }));
  state.monReturnAt.delete(name);
  monmapChanged(state);
}

function fsmapChanged(state: SimState): void {
  state.fsmapEpoch += 1;
  state.metadataVersion += 1;
  state.touch("fs_map", "mds_metadata");
  state.notify("fs_map", "");
}

export function addMds(state: SimState, name: string, host: number): void {
  state.mdsDaemons.set(name, {
    name,
    gid: 24100 + state.mdsDaemons.size * 13,
    host,
    nonce: 1000 + state.rand.int(4_000_000_000),
    epoch: state.fsmapEpoch + 1,
  });
  fsmapChanged(state);
  clog(state, "cluster", "[INF]", `Standby daemon mds.${name} assigned to filesystem (none) as rank -1`);
}

export function removeMds(state: SimState, name: string): void {
  state.mdsDaemons.delete(name);
  fsmapChanged(state);
}

/** A standby entry of `fs dump` (MDSMap::mds_info_t). */
export function mdsStandby(state: SimState, d: MdsDaemon) {
  const ip = state.hosts[d.host]!.ip;
  const compat = mgrGet<{ compat: unknown }>("fs_map").compat;
  return {
    gid: d.gid,
    name: d.name,
    rank: -1,
    incarnation: 0,
    state: "up:standby",
    state_seq: 1,
    addr: `${ip}:6801/${d.nonce}`,
    addrs: {
      addrvec: [
        { type: "v2", addr: `${ip}:6800`, nonce: d.nonce },
        { type: "v1", addr: `${ip}:6801`, nonce: d.nonce },
      ],
    },
    join_fscid: -1,
    export_targets: [],
    features: rawNumber(FEATURES_ALL),
    flags: 0,
    compat,
    epoch: d.epoch,
  };
}

export function mdsMetadata(state: SimState, name: string): Record<string, string> | null {
  const d = state.mdsDaemons.get(name);
  if (!d) return null;
  const host = state.hosts[d.host]!;
  const { addr: _addr, addrs: _addrs, ...base } = fixture<Record<string, string>>("mgr-get/get_metadata.mgr.x.json");
  return {
    addr: `[v2:${host.ip}:6800/${d.nonce},v1:${host.ip}:6801/${d.nonce}]`,
    ...base,
    hostname: host.name,
    container_name: "",
  };
}
