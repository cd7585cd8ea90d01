// Command views of the osdmap: `osd df`, `osd pool ls detail`, and the plain-text forms of
// `osd tree` and `osd dump`, shaped like the mon's output in the cli fixtures.
import { bracketAddr, osdIp, osdPort } from "./addrs.ts";
import { BACKFILLFULL_RATIO, FULL_RATIO, NEARFULL_RATIO, flagString, poolFlagNames } from "./constants.ts";
import type { OsdState, PoolState } from "./model.ts";
import { poolObject } from "./osdmap.ts";
import type { SimState } from "./state.ts";
import { bytes, table } from "./text.ts";

/** Seconds since the epoch of a Ceph stamp ("2026-11-26T04:18:00.931910+0000"). */
export function stampSeconds(s: string): number {
  return Math.floor(Date.parse(`${s.slice(0, 23)}Z`) / 1000);
}

const weight5 = (n: number) => n.toFixed(5);

export function osdDfObject(state: SimState) {
  const osds = [...state.existingOsds()].filter((o) => !o.isNew);
  const util = (o: OsdState) => (o.kb ? (o.kbUsed / o.kb) * 100 : 0);
  const totalKb = osds.reduce((s, o) => s + o.kb, 0);
  const totalUsed = osds.reduce((s, o) => s + o.kbUsed, 0);
  const avg = totalKb ? (totalUsed / totalKb) * 100 : 0;
  const nodes = osds.map((o) => {
    const overhead = Math.min(o.kbUsed, 1048576);
    return {
      id: o.id,
      device_class: "hdd",
      name: `osd.${o.id}`,
      type: "osd",
      type_id: 0,
      crush_weight: o.crushWeight,
      depth: 2,
      pool_weights: {},
      reweight: o.weight,
      kb: o.kb,
      kb_used: o.kbUsed,
      kb_used_data: o.kbUsed - overhead,
      kb_used_omap: 0,
      kb_used_meta: overhead,
      kb_avail: o.kb - o.kbUsed,
      utilization: util(o),
      var: avg ? util(o) / avg : 0,
      pgs: o.numPgs,
      status: o.up ? "up" : "down",
    };
  });
  const vars = nodes.map((n) => n.var);
  const dev = Math.sqrt(nodes.reduce((s, n) => s + (n.utilization - avg) ** 2, 0) / Math.max(1, nodes.length));
  return {
    nodes,
    stray: [],
    summary: {
      total_kb: totalKb,
      total_kb_used: totalUsed,
      total_kb_used_data: nodes.reduce((s, n) => s + n.kb_used_data, 0),
      total_kb_used_omap: 0,
      total_kb_used_meta: nodes.reduce((s, n) => s + n.kb_used_meta, 0),
      total_kb_avail: totalKb - totalUsed,
      average_utilization: avg,
      min_var: vars.length ? Math.min(...vars) : 0,
      max_var: vars.length ? Math.max(...vars) : 0,
      dev,
    },
  };
}

export function osdDfText(state: SimState): string {
  const df = osdDfObject(state);
  const kib = (kb: number) => bytes(kb * 1024);
  const rows = df.nodes.map((n) => [
    n.id,
    n.device_class,
    weight5(n.crush_weight),
    weight5(n.reweight),
    kib(n.kb),
    kib(n.kb_used),
    kib(n.kb_used_data),
    kib(0),
    kib(n.kb_used_meta),
    kib(n.kb_avail),
    n.utilization.toFixed(2),
    n.var.toFixed(2),
    n.pgs,
    n.status,
  ]);
  const s = df.summary;
  rows.push([
    "",
    "",
    "",
    "TOTAL",
    kib(s.total_kb),
    kib(s.total_kb_used),
    kib(s.total_kb_used_data),
    kib(0),
    kib(s.total_kb_used_meta),
    kib(s.total_kb_avail),
    s.average_utilization.toFixed(2),
    "",
    "",
    "",
  ]);
  const r = "right" as const;
  return (
    table(
      [
        ["ID", r],
        ["CLASS", r],
        ["WEIGHT", r],
        ["REWEIGHT", r],
        ["SIZE", r],
        ["RAW USE", r],
        ["DATA", r],
        ["OMAP", r],
        ["META", r],
        ["AVAIL", r],
        ["%USE", r],
        ["VAR", r],
        ["PGS", r],
        ["STATUS", r],
      ],
      rows,
    ) + `MIN/MAX VAR: ${s.min_var.toFixed(2)}/${s.max_var.toFixed(2)}  STDDEV: ${s.dev.toFixed(2)}\n`
  );
}

/** `osd pool ls detail -f json`: the mon's field order (pool_id, pool_name, create_time, ...). */
export function poolLsDetail(pools: PoolState[]) {
  return pools.map((pool) => {
    const { pool: id, pool_name, create_time, ...rest } = poolObject(pool);
    return { pool_id: id, pool_name, create_time, ...rest };
  });
}

function poolLine(pool: PoolState): string {
  const opts = Object.entries(pool.options)
    .map(([k, v]) => ` ${k} ${v}`)
    .join("");
  const apps = Object.keys(pool.application);
  return (
    `pool ${pool.id} '${pool.name}' replicated size ${pool.size} min_size ${pool.minSize} crush_rule ${pool.crushRule} ` +
    `object_hash rjenkins pg_num ${pool.pgNum} pgp_num ${pool.pgNum} autoscale_mode ${pool.autoscaleMode} ` +
    `last_change ${pool.lastChange} flags ${poolFlagNames(pool.flags)} stripe_width 0${opts}` +
    (apps.length ? ` application ${apps.join(",")}` : "")
  );
}

export const poolLsDetailText = (pools: PoolState[]) => pools.map((p) => `${poolLine(p)}\n\n`).join("");

export function osdTreeText(state: SimState, keep: (o: OsdState) => boolean = () => true): string {
  const rows: (string | number)[][] = [];
  const hostWeight = (ids: number[]) => ids.reduce((s, id) => s + (state.osds[id]?.crushWeight ?? 0), 0);
  const all = state.hosts.flatMap((h) => h.osds);
  rows.push([-1, "", weight5(hostWeight(all)), "root default", "", "", ""]);
  for (const host of state.hosts) {
    rows.push([host.crushId, "", weight5(hostWeight(host.osds)), `    host ${host.name}`, "", "", ""]);
    for (const id of host.osds) {
      const o = state.osds[id];
      if (!o || !keep(o)) continue;
      rows.push([
        o.id,
        "hdd",
        weight5(o.crushWeight),
        `        osd.${o.id}`,
        o.up ? "up" : "down",
        weight5(o.weight),
        weight5(o.primaryAffinity),
      ]);
    }
  }
  const r = "right" as const;
  return table(
    [
      ["ID", r],
      ["CLASS", r],
      ["WEIGHT", r],
      ["TYPE NAME", "left"],
      ["STATUS", r],
      ["REWEIGHT", r],
      ["PRI-AFF", r],
    ],
    rows,
  );
}

function osdLine(state: SimState, o: OsdState): string {
  const ip = osdIp(state, o);
  const addr = (kind: "public" | "cluster" | "hbBack" | "hbFront") =>
    o.isNew ? "[]" : bracketAddr(ip, osdPort(o, kind), o.nonce);
  const states = ["exists", ...(o.up ? ["up"] : []), ...(o.isNew ? ["new"] : [])].join(",");
  return (
    `osd.${o.id} ${o.up ? "up  " : "down"} ${o.in ? "in " : "out"} weight ${o.weight} up_from ${o.upFrom} up_thru ${o.upThru} ` +
    `down_at ${o.downAt} last_clean_interval [${o.lastCleanBegin},${o.lastCleanEnd}) ${addr("public")} ${addr("cluster")} ` +
    `${addr("hbBack")} ${addr("hbFront")} ${states} ${o.uuid}`
  );
}

export function osdDumpText(state: SimState): string {
  const lines = [
    `epoch ${state.osdmapEpoch}`,
    `fsid ${state.fsid}`,
    `created ${state.createdStamp}`,
    `modified ${state.osdmapModified}`,
    `flags ${flagString(state.flags)}`,
    `crush_version ${state.crushVersion}`,
    `full_ratio ${FULL_RATIO.toFixed(2)}`,
    `backfillfull_ratio ${BACKFILLFULL_RATIO.toFixed(1)}`,
    `nearfull_ratio ${NEARFULL_RATIO.toFixed(2)}`,
    "require_min_compat_client luminous",
    "min_compat_client jewel",
    "require_osd_release pacific",
    "stretch_mode_enabled false",
    "",
    ...[...state.pools.values()].flatMap((p) => [poolLine(p), ""]),
    `max_osd ${state.maxOsd}`,
    ...[...state.existingOsds()].map((o) => osdLine(state, o)),
    ...[...state.pools.values()].flatMap((p) =>
      p.pgs.filter((pg) => pg.temp).map((pg) => `pg_temp ${pg.pgid} [${pg.temp!.join(",")}]`),
    ),
    ...[...state.blocklist].map(([addr, until]) => `blocklist ${addr} expires ${until}`),
  ];
  return `${lines.join("\n")}\n`;
}
