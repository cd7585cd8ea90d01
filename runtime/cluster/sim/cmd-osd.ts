// The `osd ...` mon commands on the simulated cluster: state changes (out/in/down/reweight/flags,
// pool create/delete/set) and the views (dump, tree, df, stat, ls, find, metadata, perf).
import { addrvecObject, osdIp, osdPort } from "./addrs.ts";
import { clog } from "./clog.ts";
import {
  EINVAL,
  ENOENT,
  done,
  fail,
  list,
  osdId,
  reply,
  str,
  type Cmd,
  type CommandContext,
  type CommandSpec,
} from "./cmd-util.ts";
import { FLAG, flagString } from "./constants.ts";
import type { OsdState } from "./model.ts";
import { failOsd, markIn, markOut, reweightOsd, setOsdmapFlags } from "./osd-ops.ts";
import {
  osdDfObject,
  osdDfText,
  osdDumpText,
  osdTreeText,
  poolLsDetail,
  poolLsDetailText,
  stampSeconds,
} from "./osd-views.ts";
import { renderOsdTree } from "./osdmap.ts";
import { osdPoolStatsObject } from "./pgmap-status.ts";
import type { SimState } from "./state.ts";
import {
  POOL_GET_ALL,
  createPool,
  deletePool,
  enableApplication,
  getPoolVar,
  renamePool,
  setPoolVar,
  setQuota,
} from "./pool-ops.ts";

type Verb = "down" | "out" | "in";

/** osd down/out/in: the mon's per-id messages, in id order, concatenated ("marked out osd.3. "). */
function markOsds(ctx: CommandContext, cmd: Cmd, verb: Verb) {
  const { state } = ctx;
  const ids = list(cmd.ids);
  let text = "";
  let err = 0;
  const apply = (o: OsdState, verbose: boolean) => {
    if (verb === "down") {
      if (!o.up) return void (verbose && (text += `osd.${o.id} is already down. `));
      // The daemon is still running: it notices and boots again shortly (unless noup).
      failOsd(state, o, state.tick + 2, "marked");
      clog(state, "cluster", "[WRN]", `Monitor daemon marked osd.${o.id} down, but it is still running`);
      text += `marked down osd.${o.id}. `;
    } else if (verb === "out") {
      if (!o.in) return void (verbose && (text += `osd.${o.id} is already out. `));
      const how = o.up
        ? ", while it was still marked up"
        : `, after it was down for ${Math.round((state.nowMs - o.downSinceMs) / 1000)} seconds`;
      markOut(state, o, `Client mgr.x marked osd.${o.id} out${how}`);
      text += `marked out osd.${o.id}. `;
    } else {
      if (o.in) return void (verbose && (text += `osd.${o.id} is already in. `));
      markIn(state, o);
      text += `marked in osd.${o.id}. `;
    }
  };
  for (let j = 0; j < ids.length; j++) {
    const raw = ids[j]!;
    if (j === 0 && ["any", "all", "*"].includes(raw)) {
      // Wildcards touch every OSD quietly ("osd in" only the out ones) and end the list.
      for (const o of [...state.existingOsds()]) if (verb !== "in" || !o.in) apply(o, false);
      break;
    }
    const id = osdId(raw);
    if (id === undefined) {
      text += "invalid osd id-1";
      err = EINVAL;
      continue;
    }
    const o = state.osd(id);
    if (!o) text += `osd.${id} does not exist. `;
    else apply(o, true);
  }
  return { retval: err, stdout: "", stderr: text };
}

function setFlag(ctx: CommandContext, cmd: Cmd, on: boolean) {
  const key = String(cmd.key);
  const bits = key === "pause" ? FLAG.pauserd! | FLAG.pausewr! : FLAG[key];
  if (bits === undefined) return fail(EINVAL, `unrecognized flag '${key}'`);
  setOsdmapFlags(ctx.state, on ? bits : 0, on ? 0 : bits);
  const name = key === "pause" ? flagString(bits) : key;
  return done(`${name} is ${on ? "set" : "unset"}`);
}

function withPool(
  ctx: CommandContext,
  name: unknown,
  fn: (pool: NonNullable<ReturnType<SimState["poolByName"]>>) => ReturnType<CommandSpec["handler"]>,
) {
  const pool = ctx.state.poolByName(String(name));
  return pool ? fn(pool) : fail(ENOENT, `unrecognized pool '${String(name)}'`);
}

const asResult = (r: { retval: number; message: string }) => ({ retval: r.retval, stdout: "", stderr: r.message });

function poolGet(ctx: CommandContext, cmd: Cmd) {
  return withPool(ctx, cmd.pool, (pool) => {
    const key = String(cmd.var);
    const keys = key === "all" ? POOL_GET_ALL : [key];
    const values: [string, number | string | boolean][] = [];
    for (const k of keys) {
      const v = getPoolVar(pool, k);
      if (v === undefined) {
        if (key !== "all") return fail(ENOENT, `option '${k}' is not set on pool '${pool.name}'`);
        continue;
      }
      values.push([k, v]);
    }
    return reply(cmd, { pool: pool.name, pool_id: pool.id, ...Object.fromEntries(values) }, () =>
      values.map(([k, v]) => `${k}: ${v}\n`).join(""),
    );
  });
}

function osdFind(ctx: CommandContext, cmd: Cmd) {
  const { state } = ctx;
  const id = osdId(cmd.id);
  const o = id === undefined ? undefined : state.osd(id);
  if (!o) return fail(ENOENT, `osd.${String(cmd.id)} does not exist`);
  const host = state.hosts[o.host]!;
  const data = {
    osd: o.id,
    addrs: addrvecObject(osdIp(state, o), osdPort(o, "public"), o.nonce),
    osd_fsid: o.uuid,
    host: host.name,
    crush_location: { host: host.name, root: "default" },
  };
  return reply(cmd, data, () => `${JSON.stringify(data, null, 4)}\n`);
}

function osdMetadataCmd(ctx: CommandContext, cmd: Cmd) {
  const { state } = ctx;
  if (cmd.id === undefined) {
    const all = [...state.existingOsds()].filter((o) => o.metadata).map((o) => ({ id: o.id, ...o.metadata }));
    return reply(cmd, all, () => `${JSON.stringify(all, null, 4)}\n`);
  }
  const id = osdId(cmd.id);
  const o = id === undefined ? undefined : state.osd(id);
  if (!o) return fail(ENOENT, `osd.${String(cmd.id)} does not exist`);
  if (!o.metadata) return fail(ENOENT, `failed to get osd metadata for osd.${o.id}: (2) No such file or directory`);
  const data = { id: o.id, ...o.metadata };
  return reply(cmd, data, () => `${JSON.stringify(data, null, 4)}\n`);
}

function osdStat(ctx: CommandContext, cmd: Cmd) {
  const { state } = ctx;
  const osds = [...state.existingOsds()];
  const up = osds.filter((o) => o.up).length;
  const inn = osds.filter((o) => o.in).length;
  let remapped = 0;
  for (const pool of state.pools.values()) for (const pg of pool.pgs) if (pg.temp) remapped += 1;
  const data = {
    epoch: state.osdmapEpoch,
    num_osds: osds.length,
    num_up_osds: up,
    osd_up_since: stampSeconds(state.lastUpChange),
    num_in_osds: inn,
    osd_in_since: stampSeconds(state.lastInChange),
    num_remapped_pgs: remapped,
  };
  return reply(cmd, data, () => `${osds.length} osds: ${up} up, ${inn} in; epoch: e${state.osdmapEpoch}\n`);
}

export const OSD_COMMANDS: Record<string, CommandSpec> = {
  "osd down": { write: true, handler: (ctx, cmd) => markOsds(ctx, cmd, "down") },
  "osd out": { write: true, handler: (ctx, cmd) => markOsds(ctx, cmd, "out") },
  "osd in": { write: true, handler: (ctx, cmd) => markOsds(ctx, cmd, "in") },
  "osd reweight": {
    write: true,
    handler: (ctx, cmd) => {
      const id = osdId(cmd.id);
      const o = id === undefined ? undefined : ctx.state.osd(id);
      if (!o) return fail(ENOENT, `osd.${String(cmd.id)} does not exist`);
      const w = Number(cmd.weight);
      reweightOsd(ctx.state, o, w);
      return done(`reweighted osd.${o.id} to ${w} (${Math.floor(w * 0x10000).toString(16)})`);
    },
  },
  "osd set": { write: true, handler: (ctx, cmd) => setFlag(ctx, cmd, true) },
  "osd unset": { write: true, handler: (ctx, cmd) => setFlag(ctx, cmd, false) },
  "osd dump": { handler: (ctx, cmd) => reply(cmd, ctx.json("osd_map"), () => osdDumpText(ctx.state)) },
  "osd tree": {
    handler: (ctx, cmd) => {
      const states = list(cmd.states);
      const keep = (o: OsdState) =>
        states.every((s) =>
          s === "up" ? o.up : s === "down" ? !o.up : s === "in" ? o.in : s === "out" ? !o.in : false,
        );
      const json = states.length ? renderOsdTree(ctx.state, keep) : ctx.json("osd_map_tree");
      return reply(cmd, json, () => osdTreeText(ctx.state, keep));
    },
  },
  "osd df": { handler: (ctx, cmd) => reply(cmd, osdDfObject(ctx.state), () => osdDfText(ctx.state)) },
  "osd stat": { handler: osdStat },
  "osd ls": {
    handler: (ctx, cmd) => {
      const ids = [...ctx.state.existingOsds()].map((o) => o.id);
      return reply(cmd, ids, () => ids.map((i) => `${i}\n`).join(""));
    },
  },
  "osd find": { handler: osdFind },
  "osd metadata": { handler: osdMetadataCmd },
  "osd perf": {
    handler: (ctx, cmd) => {
      const infos = [...ctx.state.existingOsds()]
        .filter((o) => !o.isNew)
        .map((o) => {
          const l = o.up ? (o.id * 7 + ctx.state.tick * 13) % 11 : 0;
          return {
            id: o.id,
            perf_stats: {
              commit_latency_ms: l,
              apply_latency_ms: l,
              commit_latency_ns: l * 1e6,
              apply_latency_ns: l * 1e6,
            },
          };
        });
      return reply(
        cmd,
        { pg_ready: true, osdstats: { osd_perf_infos: infos } },
        () =>
          `osd  commit_latency(ms)  apply_latency(ms)\n${infos.map((i) => `${String(i.id).padStart(3)}  ${String(i.perf_stats.commit_latency_ms).padStart(18)}  ${String(i.perf_stats.apply_latency_ms).padStart(17)}\n`).join("")}`,
      );
    },
  },
  "osd crush dump": {
    handler: (ctx, cmd) =>
      reply(
        cmd,
        ctx.json("osd_map_crush"),
        () => `${JSON.stringify(JSON.parse(ctx.json("osd_map_crush")), null, 4)}\n`,
      ),
  },
  "osd crush rule ls": { handler: (_ctx, cmd) => reply(cmd, ["replicated_rule"], () => "replicated_rule\n") },
  "osd erasure-code-profile ls": { handler: (_ctx, cmd) => reply(cmd, ["default"], () => "default\n") },
  "osd blocklist ls": {
    handler: (ctx, cmd) => {
      const entries = [...ctx.state.blocklist].map(([addr, until]) => ({ addr, until }));
      return reply(
        cmd,
        entries,
        () => entries.map((e) => `${e.addr} ${e.until}\n`).join(""),
        `listed ${entries.length} entries`,
      );
    },
  },
  "osd pool ls": {
    handler: (ctx, cmd) => {
      const pools = [...ctx.state.pools.values()];
      if (cmd.detail === "detail") return reply(cmd, poolLsDetail(pools), () => poolLsDetailText(pools));
      return reply(
        cmd,
        pools.map((p) => p.name),
        () => pools.map((p) => `${p.name}\n`).join(""),
      );
    },
  },
  "osd pool create": {
    write: true,
    handler: (ctx, cmd) => {
      const pgNum = typeof cmd.pg_num === "number" && cmd.pg_num > 0 ? cmd.pg_num : 32;
      const size =
        typeof cmd.size === "number" && cmd.size > 0
          ? cmd.size
          : Math.min(3, ctx.state.hosts.length > 1 ? ctx.state.hosts.length : 3);
      const r = createPool(ctx.state, String(cmd.pool), pgNum, size);
      const pool = ctx.state.poolByName(String(cmd.pool));
      if (r.retval === 0 && pool && typeof cmd.autoscale_mode === "string") pool.autoscaleMode = cmd.autoscale_mode;
      return asResult(r);
    },
  },
  "osd pool delete": { write: true, handler: poolDelete },
  "osd pool rm": { write: true, handler: poolDelete },
  "osd pool rename": {
    write: true,
    handler: (ctx, cmd) => asResult(renamePool(ctx.state, String(cmd.srcpool), String(cmd.destpool))),
  },
  "osd pool set": {
    write: true,
    handler: (ctx, cmd) =>
      withPool(ctx, cmd.pool, (pool) => asResult(setPoolVar(ctx.state, pool, String(cmd.var), String(cmd.val ?? "")))),
  },
  "osd pool get": { handler: poolGet },
  "osd pool set-quota": {
    write: true,
    handler: (ctx, cmd) =>
      withPool(ctx, cmd.pool, (pool) => asResult(setQuota(ctx.state, pool, String(cmd.field), String(cmd.val)))),
  },
  "osd pool get-quota": {
    handler: (ctx, cmd) =>
      withPool(ctx, cmd.pool, (pool) => {
        const na = (n: number) => (n ? String(n) : "N/A");
        return reply(
          cmd,
          {
            pool_name: pool.name,
            pool_id: pool.id,
            quota_max_objects: pool.quotaMaxObjects,
            quota_max_bytes: pool.quotaMaxBytes,
          },
          () =>
            `quotas for pool '${pool.name}':\n  max objects: ${na(pool.quotaMaxObjects)}\n  max bytes  : ${na(pool.quotaMaxBytes)}\n`,
        );
      }),
  },
  "osd pool application enable": {
    write: true,
    handler: (ctx, cmd) =>
      withPool(ctx, cmd.pool, (pool) => asResult(enableApplication(ctx.state, pool, String(cmd.app)))),
  },
  "osd pool stats": {
    handler: (ctx, cmd) => {
      const name = str(cmd.pool_name);
      if (name !== undefined && !ctx.state.poolByName(name)) return fail(ENOENT, `unrecognized pool '${name}'`);
      const stats = osdPoolStatsObject(ctx.state).filter((p) => name === undefined || p.pool_name === name);
      return reply(cmd, stats, () =>
        stats
          .map((p) => {
            const io = Object.entries(p.client_io_rate);
            const body = io.length
              ? `  client io ${io.map(([k, v]) => `${v} ${k}`).join(", ")}\n`
              : "  nothing is going on\n";
            return `pool ${p.pool_name} id ${p.pool_id}\n${body}\n`;
          })
          .join(""),
      );
    },
  },
};

function poolDelete(ctx: CommandContext, cmd: Cmd) {
  const sure = cmd.yes_i_really_really_mean_it === true || cmd.yes_i_really_really_mean_it_not_faking === true;
  return asResult(deletePool(ctx.state, String(cmd.pool), str(cmd.pool2), sure));
}
