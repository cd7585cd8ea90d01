// Cluster-wide mon commands on the simulated cluster: health, status, df, mon/fs/mgr dumps,
// versions, pg dump/stat/ls, config set/get/rm/dump and `log last`.
import { clog } from "./clog.ts";
import {
  EINVAL,
  ENOENT,
  done,
  fail,
  list,
  reply,
  str,
  type Cmd,
  type CommandContext,
  type CommandSpec,
} from "./cmd-util.ts";
import { configDump, configGet, configRm, configSet } from "./config.ts";
import { CEPH_VERSION } from "./constants.ts";
import { daemonMetadata } from "./daemons.ts";
import { healthObject } from "./health.ts";
import { stringifyCeph } from "../_json.ts";
import { fsMapObject, mgrMapObject, monDumpObject, quorum } from "./maps.ts";
import { dfObject } from "./pgmap-status.ts";
import { pgStatsArray, renderIoRate, renderOsdStats, renderPgDump, renderPoolStats } from "./pgmap.ts";
import { dfText, fsDumpText, healthText, pgStatObject, pgStatText, statusObject, statusText } from "./status.ts";

function pgDump(ctx: CommandContext, cmd: Cmd) {
  const what = list(cmd.dumpcontents)[0] ?? "all";
  const { state } = ctx;
  const wrap = (key: string, inner: string) => `{"pg_ready":true,"${key}":${inner}}`;
  let json: string;
  switch (what) {
    case "pgs":
      json = wrap("pg_stats", pgStatsArray(state));
      break;
    case "pgs_brief": {
      const brief = [...state.pools.values()].flatMap((p) =>
        p.pgs.map((pg) => ({
          pgid: pg.pgid,
          state: pg.state,
          up: pg.up,
          acting: pg.acting,
          up_primary: pg.up[0] ?? -1,
          acting_primary: pg.acting[0] ?? -1,
        })),
      );
      json = JSON.stringify({ pg_ready: true, pg_stats: brief });
      break;
    }
    case "pools":
      json = wrap("pool_stats", JSON.stringify(JSON.parse(renderPoolStats(state)).pool_stats));
      break;
    case "osds":
      json = wrap("osd_stats", JSON.stringify(JSON.parse(renderOsdStats(state)).osd_stats));
      break;
    case "delta":
      json = wrap("pg_stats_delta", JSON.stringify(JSON.parse(renderIoRate(state)).pg_stats_delta));
      break;
    default:
      // The mon's dump also lists each OSD's ping times, which get("pg_dump") leaves out.
      json = wrap("pg_map", renderPgDump(state, true));
  }
  const plain = () => {
    const rows = [...state.pools.values()].flatMap((p) =>
      p.pgs.map(
        (pg) =>
          `${pg.pgid}\t${pg.numObjects}\t${pg.numBytes}\t${pg.state}\t[${pg.up.join(",")}]\t${pg.up[0] ?? -1}\t[${pg.acting.join(",")}]\t${pg.acting[0] ?? -1}\n`,
      ),
    );
    return `version ${state.pgmapVersion}\nstamp ${state.pgmapStamp}\nlast_osdmap_epoch 0\nlast_pg_scan 0\nPG_STAT\tOBJECTS\tBYTES\tSTATE\tUP\tUP_PRIMARY\tACTING\tACTING_PRIMARY\n${rows.join("")}`;
  };
  return reply(cmd, json, plain, `dumped ${what}`);
}

function pgLs(ctx: CommandContext, cmd: Cmd) {
  const states = list(cmd.states);
  const poolId = typeof cmd.pool === "number" ? cmd.pool : undefined;
  const parts: string[] = [];
  const brief: string[] = [];
  const all = JSON.parse(pgStatsArray(ctx.state)) as { pgid: string; state: string }[];
  for (const pg of all) {
    if (poolId !== undefined && !pg.pgid.startsWith(`${poolId}.`)) continue;
    const names = pg.state.split("+");
    if (states.length && !states.some((s) => names.includes(s))) continue;
    parts.push(JSON.stringify(pg));
    brief.push(`${pg.pgid}  ${pg.state}\n`);
  }
  return reply(cmd, `{"pg_ready":true,"pg_stats":[${parts.join(",")}]}`, () => `PG  STATE\n${brief.join("")}`);
}

function versions(ctx: CommandContext, cmd: Cmd) {
  const osds = [...ctx.state.existingOsds()].filter((o) => o.metadata).length;
  const mons = ctx.state.mons.length;
  const data = {
    mon: { [CEPH_VERSION]: mons },
    mgr: { [CEPH_VERSION]: 1 },
    osd: osds ? { [CEPH_VERSION]: osds } : {},
    mds: {},
    overall: { [CEPH_VERSION]: mons + 1 + osds },
  };
  return reply(cmd, data, () => `${JSON.stringify(data, null, 4)}\n`);
}

function logLast(ctx: CommandContext, cmd: Cmd) {
  const num = typeof cmd.num === "number" ? cmd.num : 20;
  const channel = str(cmd.channel) ?? "cluster";
  const entries = ctx.state.recentLog.filter((e) => channel === "*" || e.channel === channel).slice(-num);
  return reply(cmd, entries, () =>
    entries
      .map((e) => `${e.stamp} ${e.name} (${e.rank}) ${e.seq} : ${e.channel} ${e.priority} ${e.message}\n`)
      .join(""),
  );
}

function monMetadataCmd(ctx: CommandContext, cmd: Cmd) {
  const id = str(cmd.id);
  const names = id === undefined ? ctx.state.mons.map((m) => m.name) : [id];
  const out = [];
  for (const name of names) {
    const md = daemonMetadata(ctx.state, "mon", name);
    if (!md) return fail(ENOENT, `mon.${name} does not exist`);
    out.push({ name, ...md });
  }
  const data = id === undefined ? out : out[0];
  return reply(cmd, data, () => `${JSON.stringify(data, null, 4)}\n`);
}

export const CLUSTER_COMMANDS: Record<string, CommandSpec> = {
  health: {
    handler: (ctx, cmd) => {
      const detail = cmd.detail === "detail";
      return reply(cmd, healthObject(ctx.state.healthChecks, detail), () => healthText(ctx.state, detail));
    },
  },
  status: { handler: (ctx, cmd) => reply(cmd, statusObject(ctx.state), () => statusText(ctx.state)) },
  df: {
    handler: (ctx, cmd) => {
      const detail = cmd.detail === "detail";
      return reply(cmd, dfObject(ctx.state, detail), () => dfText(ctx.state, detail));
    },
  },
  "mon dump": {
    handler: (ctx, cmd) => {
      const { state } = ctx;
      const data = { ...monDumpObject(state), quorum: quorum(state) };
      const plain = () =>
        `epoch ${state.monmapEpoch}\nfsid ${state.fsid}\nlast_changed ${data.modified}\ncreated ${data.created}\n` +
        `min_mon_release 16 (pacific)\nelection_strategy: 1\n` +
        data.mons
          .map(
            (m) => `${m.rank}: [v2:${m.public_addr.replace(":6789/0", ":3300/0")},v1:${m.public_addr}] mon.${m.name}\n`,
          )
          .join("");
      return reply(cmd, data, plain, `dumped monmap epoch ${state.monmapEpoch}`);
    },
  },
  "mon stat": {
    handler: (ctx, cmd) => {
      const { state } = ctx;
      const q = state.mons.filter((m) => m.inQuorum);
      const data = {
        epoch: state.monmapEpoch,
        min_mon_release_name: "pacific",
        num_mons: state.mons.length,
        leader: q[0]?.name ?? "",
        quorum: q.map((m) => ({ rank: m.rank, name: m.name })),
      };
      const addrs = state.mons
        .map((m) => `${m.name}=[v2:${state.hosts[m.host]!.ip}:3300/0,v1:${state.hosts[m.host]!.ip}:6789/0]`)
        .join(",");
      return reply(
        cmd,
        data,
        () =>
          `e${state.monmapEpoch}: ${state.mons.length} mons at {${addrs}}, election epoch ${state.electionEpoch}, leader ${q[0]?.rank ?? -1} ${q[0]?.name ?? ""}, quorum ${q.map((m) => m.rank).join(",")} ${q.map((m) => m.name).join(",")}\n`,
      );
    },
  },
  quorum_status: {
    handler: (ctx, cmd) => {
      const { state } = ctx;
      const q = state.mons.filter((m) => m.inQuorum);
      const data = {
        election_epoch: state.electionEpoch,
        quorum: q.map((m) => m.rank),
        quorum_names: q.map((m) => m.name),
        quorum_leader_name: q[0]?.name ?? "",
        quorum_age: Math.floor((state.nowMs - state.quorumSinceMs) / 1000),
        features: { quorum_con: "4540138314316775423", quorum_mon: monDumpObject(state).features.persistent },
        monmap: monDumpObject(state),
      };
      return reply(cmd, data, () => `${JSON.stringify(data, null, 4)}\n`);
    },
  },
  "mon metadata": { handler: monMetadataCmd },
  versions: { handler: versions },
  "fs dump": {
    handler: (ctx, cmd) =>
      reply(
        cmd,
        stringifyCeph(fsMapObject(ctx.state), new Set()),
        () => fsDumpText(ctx.state),
        `dumped fsmap epoch ${ctx.state.fsmapEpoch}`,
      ),
  },
  "mgr dump": {
    handler: (ctx, cmd) => {
      const text = stringifyCeph(mgrMapObject(ctx.state), new Set());
      return reply(cmd, text, () => `${JSON.stringify(JSON.parse(text), null, 4)}\n`);
    },
  },
  "pg dump": { handler: pgDump },
  "pg stat": { handler: (ctx, cmd) => reply(cmd, pgStatObject(ctx.state), () => pgStatText(ctx.state)) },
  "pg ls": { handler: pgLs },
  "config set": {
    write: true,
    handler: (ctx, cmd) =>
      configSet(ctx.state, String(cmd.who), String(cmd.name), String(cmd.value ?? ""), cmd.force === true),
  },
  "config rm": { write: true, handler: (ctx, cmd) => configRm(ctx.state, String(cmd.who), String(cmd.name)) },
  "config get": { handler: (ctx, cmd) => configGet(ctx.state, cmd) },
  "config dump": { handler: (ctx, cmd) => configDump(ctx.state, cmd) },
  "log last": { handler: logLast },
  log: {
    write: true,
    handler: (ctx, cmd) => {
      const text = list(cmd.logtext).join(" ");
      if (!text) return fail(EINVAL, "no log text");
      clog(ctx.state, "cluster", "[INF]", text);
      return done();
    },
  },
};
