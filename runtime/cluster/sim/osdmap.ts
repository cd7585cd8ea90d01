// Renders osd_map, osd_map_tree and osd_map_crush. Per-OSD and per-pool JSON fragments are cached
// on the records and only rebuilt when that record changes, so a new epoch costs a join, not a dump.
import { addrvecJson, legacyAddr, osdIp, osdPort } from "./addrs.ts";
import {
  BACKFILLFULL_RATIO,
  FEATURES_ALL,
  FULL_RATIO,
  NEARFULL_RATIO,
  flagSet,
  flagString,
  poolFlagNames,
} from "./constants.ts";
import { mgrGet } from "../_fixtures.ts";
import { fl, flat, q, stringifyCeph } from "../_json.ts";
import type { OsdState, PoolState } from "./model.ts";
import type { SimState } from "./state.ts";

interface OsdMapFixture {
  pools: Record<string, unknown>[];
  erasure_code_profiles: unknown;
  stretch_mode: unknown;
}

function osdStateList(o: OsdState): string {
  if (o.up) return `["exists","up"]`;
  return o.isNew ? `["exists","new"]` : `["exists"]`;
}

/** One `osds[]` entry of the osdmap dump. */
export function osdMapFragment(state: SimState, o: OsdState): string {
  if (o.mapFrag) return o.mapFrag;
  const ip = osdIp(state, o);
  const booted = !o.isNew;
  const av = (port: number) => (booted ? addrvecJson(ip, port, o.nonce) : `{"addrvec":[]}`);
  const legacy = (port: number) => (booted ? q(legacyAddr(ip, port, o.nonce)) : `"-"`);
  const pub = osdPort(o, "public");
  const clu = osdPort(o, "cluster");
  const hbb = osdPort(o, "hbBack");
  const hbf = osdPort(o, "hbFront");
  o.mapFrag = flat(
    `{"osd":${o.id},"up":${o.up ? 1 : 0},"in":${o.in ? 1 : 0},"weight":${fl(o.weight)},` +
      `"primary_affinity":${fl(o.primaryAffinity)},"last_clean_begin":${o.lastCleanBegin},` +
      `"last_clean_end":${o.lastCleanEnd},"up_from":${o.upFrom},"up_thru":${o.upThru},"down_at":${o.downAt},` +
      `"lost_at":0,"public_addrs":${av(pub)},"cluster_addrs":${av(clu)},"heartbeat_back_addrs":${av(hbb)},` +
      `"heartbeat_front_addrs":${av(hbf)},"state":${osdStateList(o)},"uuid":"${o.uuid}",` +
      `"public_addr":${legacy(pub)},"cluster_addr":${legacy(clu)},"heartbeat_back_addr":${legacy(hbb)},` +
      `"heartbeat_front_addr":${legacy(hbf)}}`,
  );
  return o.mapFrag;
}

function xinfoFragment(o: OsdState): string {
  if (o.xinfoFrag) return o.xinfoFrag;
  o.xinfoFrag = flat(
    `{"osd":${o.id},"laggy_probability":${fl(o.laggyProbability)},"laggy_interval":${o.laggyInterval},` +
      `"features":${o.isNew ? 0 : FEATURES_ALL},"old_weight":${o.oldWeight},"dead_epoch":${o.deadEpoch},` +
      `"down_stamp":"${o.downStamp}","last_purged_snaps_scrub":"${o.lastPurgedSnapsScrub}"}`,
  );
  return o.xinfoFrag;
}

/** The pool as the osdmap dumps it: the real pool's fields, this pool's values. */
export function poolObject(pool: PoolState): Record<string, unknown> {
  const template = mgrGet<OsdMapFixture>("osd_map").pools[1]!;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pool.extra)) if (k in template) extra[k] = v;
  return {
    ...template,
    ...extra,
    pool: pool.id,
    pool_name: pool.name,
    flags: pool.flags,
    flags_names: poolFlagNames(pool.flags),
    size: pool.size,
    min_size: pool.minSize,
    crush_rule: pool.crushRule,
    pg_autoscale_mode: pool.autoscaleMode,
    pg_num: pool.pgNum,
    pg_placement_num: pool.pgNum,
    pg_placement_num_target: pool.pgNum,
    pg_num_target: pool.pgNum,
    pg_num_pending: pool.pgNum,
    quota_max_bytes: pool.quotaMaxBytes,
    quota_max_objects: pool.quotaMaxObjects,
    options: pool.options,
    application_metadata: pool.application,
    create_time: pool.createTime,
    last_change: String(pool.lastChange),
    last_force_op_resend_preluminous: "0",
  };
}

function poolFragment(pool: PoolState): string {
  pool.frag ??= stringifyCeph(poolObject(pool));
  return pool.frag;
}

function pgTempJson(state: SimState): string {
  const parts: string[] = [];
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) if (pg.temp) parts.push(`{"pgid":"${pg.pgid}","osds":[${pg.temp.join(",")}]}`);
  }
  return `[${parts.join(",")}]`;
}

/** get("osd_map"), field order as the real mgr's. */
export function renderOsdMap(state: SimState): string {
  const fx = mgrGet<OsdMapFixture>("osd_map");
  const osds: string[] = [];
  const xinfo: string[] = [];
  for (const o of state.existingOsds()) {
    osds.push(osdMapFragment(state, o));
    xinfo.push(xinfoFragment(o));
  }
  const pools = [...state.pools.values()].map(poolFragment).join(",");
  const blocklist = JSON.stringify(Object.fromEntries(state.blocklist));
  return (
    `{"epoch":${state.osdmapEpoch},"flags":${q(flagString(state.flags))},"flags_num":${state.flags},` +
    `"flags_set":${JSON.stringify(flagSet(state.flags))},"crush_version":${state.crushVersion},` +
    `"full_ratio":${FULL_RATIO},"backfillfull_ratio":${BACKFILLFULL_RATIO},"nearfull_ratio":${NEARFULL_RATIO},` +
    `"cluster_snapshot":"","pool_max":${state.poolMax},"max_osd":${state.maxOsd},` +
    `"require_min_compat_client":"luminous","min_compat_client":"jewel","require_osd_release":"pacific",` +
    `"pools":[${pools}],"osds":[${osds.join(",")}],"osd_xinfo":[${xinfo.join(",")}],` +
    `"pg_upmap":[],"pg_upmap_items":[],"pg_temp":${pgTempJson(state)},"primary_temp":[],` +
    `"blocklist":${blocklist},"range_blocklist":{},` +
    `"erasure_code_profiles":${JSON.stringify(fx.erasure_code_profiles)},"removed_snaps_queue":[],` +
    `"new_removed_snaps":[],"new_purged_snaps":[],"crush_node_flags":{},"device_class_flags":{},` +
    `"stretch_mode":${JSON.stringify(fx.stretch_mode)},"fsid":"${state.fsid}","created":"${state.createdStamp}",` +
    `"modified":"${state.osdmapModified}","last_up_change":"${state.lastUpChange}",` +
    `"last_in_change":"${state.lastInChange}"}`
  );
}

function treeOsdFragment(o: OsdState): string {
  o.treeFrag ??= flat(
    `{"id":${o.id},"device_class":"hdd","type":"osd","type_id":0,"crush_weight":${fl(o.crushWeight)},` +
      `"depth":2,"pool_weights":{},"exists":1,"status":"${o.up ? "up" : "down"}","reweight":${fl(o.weight)},` +
      `"primary_affinity":${fl(o.primaryAffinity)},"name":"osd.${o.id}"}`,
  );
  return o.treeFrag;
}

/** get("osd_map_tree"): depth-first, children listed in reverse as CrushTreeDumper does. */
export function renderOsdTree(state: SimState, keep: (o: OsdState) => boolean = () => true): string {
  const nodes: string[] = [];
  const hostIds = state.hosts.map((h) => h.crushId).reverse();
  nodes.push(`{"id":-1,"name":"default","type":"root","type_id":11,"children":[${hostIds.join(",")}]}`);
  for (const host of state.hosts) {
    const members = host.osds.filter((id) => state.osds[id]);
    nodes.push(
      `{"id":${host.crushId},"name":${q(host.name)},"type":"host","type_id":1,"pool_weights":{},` +
        `"children":[${[...members].reverse().join(",")}]}`,
    );
    for (const id of members) {
      const o = state.osds[id]!;
      if (keep(o)) nodes.push(treeOsdFragment(o));
    }
  }
  return `{"nodes":[${nodes.join(",")}],"stray":[]}`;
}

/** get("osd_map_crush"): the crush map with a host bucket (and its ~hdd shadow) per host. */
export function renderCrush(state: SimState): string {
  const fx = mgrGet<{ types: unknown; rules: { steps: unknown[] }[]; tunables: unknown }>("osd_map_crush");
  const devices = [...state.existingOsds()].map((o) => ({ id: o.id, name: `osd.${o.id}`, class: "hdd" }));
  const hostBuckets = state.hosts.map((h) => {
    const items = h.osds
      .filter((id) => state.osds[id])
      .map((id, pos) => ({ id, weight: Math.round(state.osds[id]!.crushWeight * 0x10000), pos }));
    return { host: h, items, weight: items.reduce((s, i) => s + i.weight, 0) };
  });
  const total = hostBuckets.reduce((s, b) => s + b.weight, 0);
  const bucket = (id: number, name: string, typeId: number, weight: number, items: unknown[]) => ({
    id,
    name,
    type_id: typeId,
    type_name: typeId === 11 ? "root" : "host",
    weight,
    alg: "straw2",
    hash: "rjenkins1",
    items,
  });
  const rootItems = (shadow: boolean) =>
    hostBuckets.map((b, pos) => ({ id: shadow ? b.host.shadowId : b.host.crushId, weight: b.weight, pos }));
  const buckets = [
    bucket(-1, "default", 11, total, rootItems(false)),
    bucket(-2, "default~hdd", 11, total, rootItems(true)),
  ];
  for (const b of hostBuckets) {
    buckets.push(bucket(b.host.crushId, b.host.name, 1, b.weight, b.items));
    buckets.push(bucket(b.host.shadowId, `${b.host.name}~hdd`, 1, b.weight, b.items));
  }
  const rule = structuredClone(fx.rules[0]!) as { steps: unknown[] };
  if (state.hosts.length > 1) {
    rule.steps = [
      { op: "take", item: -1, item_name: "default" },
      { op: "chooseleaf_firstn", num: 0, type: "host" },
      { op: "emit" },
    ];
  }
  return JSON.stringify({ devices, types: fx.types, buckets, rules: [rule], tunables: fx.tunables, choose_args: {} });
}
