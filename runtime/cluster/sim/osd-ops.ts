// State changes of OSDs and hosts (boot, fail, out, in, add, purge, reweight, flags), shared by
// the evolution, the mon commands and the injection commands. Each one bumps the osdmap epoch,
// drops the cached fragments it invalidates and records what changed.
import { bracketAddr, osdIp, osdPort } from "./addrs.ts";
import { clog } from "./clog.ts";
import { FLAG } from "./constants.ts";
import { newOsd, osdMetadata } from "./factory.ts";
import type { HostState, OsdState } from "./model.ts";
import type { SimState } from "./state.ts";

function invalidate(o: OsdState): void {
  o.mapFrag = o.xinfoFrag = o.treeFrag = undefined;
}

/** Marks a change of up/in state: tree, placement inputs, PGs and the osdmap stamps. */
function osdChanged(state: SimState, o: OsdState): number {
  const epoch = state.bumpOsdmap();
  invalidate(o);
  state.osdmapModified = state.nowStamp;
  // mon_status counts up OSDs in its feature map.
  state.touch("osd_map_tree", "mon_status");
  state.pgmapDirty = true;
  return epoch;
}

export function setMetadata(state: SimState, o: OsdState, metadata: Record<string, string> | null): void {
  // The device list only changes when a daemon's metadata appears or goes, not on a restart.
  if ((o.metadata === null) !== (metadata === null)) state.touch("devices");
  o.metadata = metadata ? Object.freeze(metadata) : null;
  o.metaFrag = undefined;
  state.metadataVersion += 1;
  state.touch("osd_metadata");
  if (metadata) state.notify("perf_schema_update", `osd.${o.id}`);
}

/** The daemon starts and the mon marks it up (a never-booted OSD is also marked in, as mon_osd_auto_mark_new_in does). */
export function bootOsd(state: SimState, o: OsdState): boolean {
  if (o.up) return false;
  const epoch = osdChanged(state, o);
  const firstBoot = o.isNew;
  if (o.upFrom || o.downAt) {
    o.lastCleanBegin = o.upFrom;
    o.lastCleanEnd = o.downAt;
  }
  o.up = true;
  o.isNew = false;
  o.upFrom = epoch;
  o.upThru = epoch;
  o.nonce = 1000 + state.rand.int(4_000_000_000);
  o.bootTick = state.tick;
  o.returnAtTick = -1;
  state.lastUpChange = state.nowStamp;
  if (firstBoot && !o.in && !state.hasFlag(FLAG.noin!)) {
    o.in = true;
    o.weight = 1;
    state.lastInChange = state.nowStamp;
    state.placementDirty = true;
  }
  const ip = osdIp(state, o);
  clog(state, "cluster", "[INF]", `osd.${o.id} ${bracketAddr(ip, osdPort(o, "public"), o.nonce)} boot`);
  if (firstBoot) {
    // A new daemon's metadata reaches the mgr a little after the osdmap shows it.
    o.metadataAtTick = state.tick + state.rand.between(1, 3);
  } else {
    setMetadata(state, o, osdMetadata(state, o));
  }
  return true;
}

/** The mon marks the OSD down; `returnAtTick` -1 keeps it down until booted again. */
export function failOsd(state: SimState, o: OsdState, returnAtTick: number, reason: "failed" | "marked"): boolean {
  if (!o.up) return false;
  const epoch = osdChanged(state, o);
  o.up = false;
  o.downAt = epoch;
  o.deadEpoch = epoch;
  o.downStamp = state.nowStamp;
  o.downSinceMs = state.nowMs;
  o.lastReportTick = state.tick;
  o.returnAtTick = returnAtTick;
  state.lastUpChange = state.nowStamp;
  if (reason === "failed") {
    const where = `root=default,host=${state.hosts[o.host]!.name}`;
    clog(
      state,
      "cluster",
      "[INF]",
      `osd.${o.id} failed (${where}) (2 reporters from different host after 20.000232 >= grace 20.000000)`,
    );
  }
  return true;
}

export function markOut(state: SimState, o: OsdState, why?: string): boolean {
  if (!o.in) return false;
  osdChanged(state, o);
  o.oldWeight = Math.round(o.weight * 0x10000);
  o.weight = 0;
  o.in = false;
  state.lastInChange = state.nowStamp;
  state.remapFor(o.id);
  if (why) clog(state, "cluster", "[INF]", why);
  return true;
}

export function markIn(state: SimState, o: OsdState): boolean {
  if (o.in) return false;
  osdChanged(state, o);
  o.weight = o.oldWeight > 0 ? o.oldWeight / 0x10000 : 1;
  o.oldWeight = 0;
  o.in = true;
  state.lastInChange = state.nowStamp;
  state.placementDirty = true;
  return true;
}

export function reweightOsd(state: SimState, o: OsdState, weight: number): void {
  osdChanged(state, o);
  o.weight = weight;
  o.in = weight > 0;
  state.placementDirty = true;
}

export function setOsdmapFlags(state: SimState, set: number, clear: number): boolean {
  const next = (state.flags | set) & ~clear;
  if (next === state.flags) return false;
  state.flags = next;
  state.bumpOsdmap();
  state.osdmapModified = state.nowStamp;
  // Flags gate recovery and backfill, so PG states may change too.
  state.pgmapDirty = true;
  return true;
}

function crushChanged(state: SimState): void {
  state.crushVersion += 1;
  state.bumpOsdmap();
  state.osdmapModified = state.nowStamp;
  state.touch("osd_map_crush", "osd_map_tree");
  state.placementDirty = true;
  state.pgmapDirty = true;
}

/** `ceph osd new` + crush add: the OSD exists (new, out) and boots on the next tick. */
export function createOsd(state: SimState, hostIndex: number): OsdState {
  let id = state.osds.findIndex((o) => o === undefined);
  if (id < 0 || id >= state.maxOsd) id = state.maxOsd;
  const o = newOsd(state, id, hostIndex, state.nowMs);
  o.in = false;
  o.weight = 0;
  o.returnAtTick = state.tick + 1;
  state.osds[id] = o;
  state.maxOsd = Math.max(state.maxOsd, id + 1);
  const host = state.hosts[hostIndex]!;
  host.osds.push(id);
  host.osds.sort((a, b) => a - b);
  state.lingeringMetadata.delete(`osd.${id}`);
  crushChanged(state);
  return o;
}

/** `ceph osd purge`: gone from the osdmap and crush; the mgr keeps its metadata a few ticks. */
export function purgeOsd(state: SimState, o: OsdState): void {
  if (o.metadata) {
    const hostname = state.hosts[o.host]!.name;
    state.lingeringMetadata.set(`osd.${o.id}`, {
      metadata: o.metadata,
      untilTick: state.tick + state.rand.between(2, 4),
      host: hostname,
    });
  }
  state.osds[o.id] = undefined;
  // Its copies are gone with it: a new disk reusing the id starts empty.
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      if (pg.homes.includes(o.id)) pg.homes = pg.homes.filter((id) => id !== o.id);
      if (pg.behind.includes(o.id)) pg.behind = pg.behind.filter((id) => id !== o.id);
    }
  }
  const host = state.hosts[o.host]!;
  host.osds = host.osds.filter((id) => id !== o.id);
  state.metadataVersion += 1;
  state.touch("devices");
  crushChanged(state);
}

export function hostName(state: SimState, index: number): string {
  const width = Math.max(2, String(Math.max(state.opts.hosts, index + 1)).length);
  return `node${String(index + 1).padStart(width, "0")}`;
}

export function newHost(state: SimState, name?: string): HostState {
  const index = state.hosts.length;
  const host: HostState = {
    index,
    name: name ?? hostName(state, index),
    ip: `10.0.${Math.floor(index / 200)}.${(index % 200) + 11}`,
    crushId: -3 - 2 * index,
    shadowId: -4 - 2 * index,
    osds: [],
  };
  state.hosts.push(host);
  return host;
}

/** A new host with `count` new OSDs (they boot next tick, their metadata lands a bit later). */
export function addHost(state: SimState, count: number, name?: string): HostState {
  const host = newHost(state, name);
  for (let i = 0; i < count; i++) createOsd(state, host.index);
  crushChanged(state);
  return host;
}
