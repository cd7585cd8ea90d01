// `ceph status`, `health`, `df` and `pg stat` views of the simulated cluster, as JSON objects and
// in the mon's plain-text layout.
import { healthObject } from "./health.ts";
import { fsMapObject, mgrMapObject, quorum } from "./maps.ts";
import { stampSeconds } from "./osd-views.ts";
import { capacity, dfObject, pgStatusObject, serviceMapView } from "./pgmap-status.ts";
import type { SimState } from "./state.ts";
import { age, bytes, count, rate, table } from "./text.ts";

export function osdmapSummary(state: SimState) {
  const osds = [...state.existingOsds()];
  let remapped = 0;
  for (const pool of state.pools.values()) for (const pg of pool.pgs) if (pg.temp) remapped += 1;
  return {
    epoch: state.osdmapEpoch,
    num_osds: osds.length,
    num_up_osds: osds.filter((o) => o.up).length,
    osd_up_since: stampSeconds(state.lastUpChange),
    num_in_osds: osds.filter((o) => o.in).length,
    osd_in_since: stampSeconds(state.lastInChange),
    num_remapped_pgs: remapped,
  };
}

export function statusObject(state: SimState) {
  const q = state.mons.filter((m) => m.inQuorum);
  const modules = (mgrMapObject(state) as Record<string, unknown>).modules as string[];
  return {
    fsid: state.fsid,
    health: healthObject(state.healthChecks, false),
    election_epoch: state.electionEpoch,
    quorum: quorum(state),
    quorum_names: q.map((m) => m.name),
    quorum_age: Math.floor((state.nowMs - state.quorumSinceMs) / 1000),
    monmap: { epoch: state.monmapEpoch, min_mon_release_name: "pacific", num_mons: state.mons.length },
    osdmap: osdmapSummary(state),
    pgmap: pgStatusObject(state),
    fsmap: { epoch: (fsMapObject(state) as { epoch: number }).epoch, by_rank: [], "up:standby": state.mdsDaemons.size },
    mgrmap: { available: true, num_standbys: 0, modules, services: {} },
    servicemap: serviceMapView(state),
    progress_events: {},
  };
}

export function healthText(state: SimState, detail: boolean): string {
  const checks = [...state.healthChecks];
  if (!checks.length) return "HEALTH_OK\n";
  let out = `${state.healthStatus} ${checks.map(([, c]) => c.summary).join("; ")}\n`;
  if (detail) {
    for (const [code, c] of checks) {
      out += `[${c.severity === "HEALTH_ERR" ? "ERR" : "WRN"}] ${code}: ${c.summary}\n`;
      for (const line of c.detail) out += `    ${line}\n`;
    }
  }
  return out;
}

export function statusText(state: SimState): string {
  const s = statusObject(state);
  const pg = s.pgmap as Record<string, number> & { pgs_by_state: { state_name: string; count: number }[] };
  const since = (stampSec: number) => age(state.nowMs / 1000 - stampSec);
  const healthLines = [...state.healthChecks.values()].map((c) => `            ${c.summary}`);
  const cap = capacity(state);
  const io: string[] = [];
  if (pg.read_bytes_sec !== undefined) {
    io.push(
      `    client:   ${rate(pg.read_bytes_sec)} rd, ${rate(pg.write_bytes_sec ?? 0)} wr, ${pg.read_op_per_sec ?? 0} op/s rd, ${pg.write_op_per_sec ?? 0} op/s wr`,
    );
  }
  if (pg.recovering_bytes_per_sec !== undefined) {
    io.push(`    recovery: ${rate(pg.recovering_bytes_per_sec)}, ${pg.recovering_objects_per_sec ?? 0} objects/s`);
  }
  const lines = [
    "  cluster:",
    `    id:     ${s.fsid}`,
    `    health: ${state.healthStatus}`,
    ...healthLines,
    " ",
    "  services:",
    `    mon: ${state.mons.length} daemons, quorum ${s.quorum_names.join(",")} (age ${age(s.quorum_age)})`,
    `    mgr: x(active, since ${age(state.tick)})`,
    `    osd: ${s.osdmap.num_osds} osds: ${s.osdmap.num_up_osds} up (since ${since(s.osdmap.osd_up_since)}), ${s.osdmap.num_in_osds} in (since ${since(s.osdmap.osd_in_since)})${s.osdmap.num_remapped_pgs ? `; ${s.osdmap.num_remapped_pgs} remapped pgs` : ""}`,
    " ",
    "  data:",
    `    pools:   ${pg.num_pools} pools, ${pg.num_pgs} pgs`,
    `    objects: ${count(pg.num_objects ?? 0)} objects, ${bytes(pg.data_bytes ?? 0)}`,
    `    usage:   ${bytes(cap.used)} used, ${bytes(cap.avail)} / ${bytes(cap.total)} avail`,
    `    pgs:     ${pg.pgs_by_state.map((x, i) => `${i ? "             " : ""}${x.count} ${x.state_name}`).join("\n")}`,
    ...(io.length ? [" ", "  io:", ...io] : []),
  ];
  return `${lines.join("\n")}\n \n`;
}

export function dfText(state: SimState, detail: boolean): string {
  const df = dfObject(state, true);
  const r = "right" as const;
  const raw = table(
    [
      ["CLASS", "left"],
      ["SIZE", r],
      ["AVAIL", r],
      ["USED", r],
      ["RAW USED", r],
      ["%RAW USED", r],
    ],
    [
      ["hdd", "TOTAL"].map((label) => [
        label,
        bytes(df.stats.total_bytes),
        bytes(df.stats.total_avail_bytes),
        bytes(df.stats.total_used_bytes),
        bytes(df.stats.total_used_raw_bytes),
        (df.stats.total_used_raw_ratio * 100).toFixed(2),
      ]),
    ].flat(),
  );
  const poolHeaders: [string, "left" | "right"][] = [
    ["POOL", "left"],
    ["ID", r],
    ["PGS", r],
    ["STORED", r],
    ["OBJECTS", r],
    ["USED", r],
    ["%USED", r],
    ["MAX AVAIL", r],
  ];
  if (detail)
    poolHeaders.push(["QUOTA OBJECTS", r], ["QUOTA BYTES", r], ["DIRTY", r], ["USED COMPR", r], ["UNDER COMPR", r]);
  const pools = table(
    poolHeaders,
    df.pools.map((p) => {
      const st = p.stats as Record<string, number>;
      const row: (string | number)[] = [
        p.name,
        p.id,
        state.pools.get(p.id)?.pgNum ?? 0,
        bytes(st.stored!),
        count(st.objects!),
        bytes(st.bytes_used!),
        (st.percent_used! * 100).toFixed(2),
        bytes(st.max_avail!),
      ];
      if (detail)
        row.push(
          st.quota_objects ? count(st.quota_objects) : "N/A",
          st.quota_bytes ? bytes(st.quota_bytes) : "N/A",
          count(st.dirty ?? 0),
          "0 B",
          "0 B",
        );
      return row;
    }),
  );
  return `--- RAW STORAGE ---\n${raw} \n--- POOLS ---\n${pools}`;
}

export function pgStatObject(state: SimState) {
  const pg = pgStatusObject(state) as Record<string, unknown> & {
    pgs_by_state: { state_name: string; count: number }[];
  };
  const cap = capacity(state);
  return {
    pg_ready: true,
    pg_summary: {
      num_pg_by_state: pg.pgs_by_state.map((x) => ({ name: x.state_name, num: x.count })),
      num_pgs: pg.num_pgs,
      num_bytes: pg.data_bytes,
      total_bytes: cap.total,
      total_avail_bytes: cap.avail,
      total_used_bytes: cap.used,
      total_used_raw_bytes: cap.used,
    },
  };
}

export function pgStatText(state: SimState): string {
  const pg = pgStatusObject(state) as Record<string, number> & {
    pgs_by_state: { state_name: string; count: number }[];
  };
  const cap = capacity(state);
  const states = pg.pgs_by_state.map((x) => `${x.count} ${x.state_name}`).join(", ");
  const io =
    pg.read_bytes_sec !== undefined
      ? `; ${rate(pg.read_bytes_sec)} rd, ${rate(pg.write_bytes_sec ?? 0)} wr, ${(pg.read_op_per_sec ?? 0) + (pg.write_op_per_sec ?? 0)} op/s`
      : "";
  return `${pg.num_pgs} pgs: ${states}; ${bytes(pg.data_bytes ?? 0)} data, ${bytes(cap.used)} used, ${bytes(cap.avail)} / ${bytes(cap.total)} avail${io}\n`;
}

const FS_COMPAT =
  "compat={},rocompat={},incompat={1=base v0.20,2=client writeable ranges,3=default file layouts on dirs," +
  "4=dir inode in separate object,5=mds uses versioned encoding,6=dirfrag is stored in omap,8=no anchor table," +
  "9=file layout v2,10=snaprealm v2}";

export function fsDumpText(state: SimState): string {
  const lines = [
    `e${state.fsmapEpoch}`,
    "enable_multiple, ever_enabled_multiple: 1,1",
    `default compat: ${FS_COMPAT}`,
    "legacy client fscid: -1",
    " ",
    "No filesystems configured",
  ];
  if (state.mdsDaemons.size) {
    lines.push(" ", " ", "Standby daemons:", " ");
    for (const d of state.mdsDaemons.values()) {
      const ip = state.hosts[d.host]!.ip;
      lines.push(
        `[mds.${d.name}{-1:${d.gid}} state up:standby seq 1 addr [v2:${ip}:6800/${d.nonce},v1:${ip}:6801/${d.nonce}] compat {c=[1],r=[1],i=[7ff]}]`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
