// One evolution step: client io, recovery/backfill/scrub progress, OSDs failing and coming back,
// auto-out, mons dropping out of quorum, disk replacements (the source of OSDs without metadata
// and metadata without OSDs), all driven by the seeded PRNG.
import { clog } from "./clog.ts";
import { FLAG } from "./constants.ts";
import { osdMetadata } from "./factory.ts";
import type { OsdState } from "./model.ts";
import { bootOsd, createOsd, failOsd, markOut, purgeOsd, setMetadata } from "./osd-ops.ts";
import { progressPgs, touchPgStats, PG } from "./pgstate.ts";
import type { SimState } from "./state.ts";

/** Ticks an OSD stays down before the mon marks it out (mon_osd_down_out_interval, compressed). */
export const DOWN_OUT_TICKS = 30;
const SERIES_TICKS = 20;

/** Advances one step; the caller has just read the clock (state.now()). */
export function evolve(state: SimState): void {
  state.lastTickSeconds = Math.max(0.001, (state.nowMs - state.lastTickMs) / 1000);
  state.lastTickMs = state.nowMs;
  state.tick += 1;
  state.tickTimes.push(state.nowMs / 1000);
  if (state.tickTimes.length > SERIES_TICKS) state.tickTimes.shift();
  resetRates(state);
  progressPgs(state);
  landMetadata(state);
  returnOsds(state);
  autoOut(state);
  randomEvents(state);
  advanceReplacements(state);
  returnMons(state);
  clientIo(state);
  state.pgmapDirty = true;
  state.pgmapChanged = true;
}

function resetRates(state: SimState): void {
  const d = state.ioDelta;
  d.rdOps = d.wrOps = d.rdKb = d.wrKb = d.bytes = d.objects = d.recoveredObjects = d.recoveredBytes = 0;
  for (const pool of state.pools.values()) {
    pool.io = { rdOps: 0, wrOps: 0, rdBytes: 0, wrBytes: 0 };
    pool.recovered = { objects: 0, bytes: 0 };
  }
}

/** New OSDs' metadata reaches the mgr; purged OSDs' metadata is finally culled. */
function landMetadata(state: SimState): void {
  for (const o of state.existingOsds()) {
    if (!o.metadata && !o.isNew && o.metadataAtTick <= state.tick) setMetadata(state, o, osdMetadata(state, o));
  }
  for (const [key, l] of state.lingeringMetadata) {
    if (l.untilTick <= state.tick) {
      state.lingeringMetadata.delete(key);
      state.metadataVersion += 1;
      state.touch("osd_metadata");
    }
  }
}

function returnOsds(state: SimState): void {
  if (state.hasFlag(FLAG.noup!)) return;
  for (const o of state.existingOsds()) {
    if (!o.up && o.returnAtTick >= 0 && o.returnAtTick <= state.tick) bootOsd(state, o);
  }
}

function autoOut(state: SimState): void {
  if (state.hasFlag(FLAG.noout!)) return;
  for (const o of state.existingOsds()) {
    if (o.up || !o.in || o.isNew) continue;
    const downTicks = state.tick - o.lastReportTick;
    if (downTicks >= DOWN_OUT_TICKS) {
      const seconds = Math.round((state.nowMs - o.downSinceMs) / 1000);
      markOut(state, o, `Marking osd.${o.id} out (has been down for ${seconds} seconds)`);
    }
  }
}

function upOsds(state: SimState): OsdState[] {
  return [...state.existingOsds()].filter((o) => o.up);
}

function randomEvents(state: SimState): void {
  const chaos = state.opts.chaos;
  if (chaos <= 0) return;
  const r = state.rand;
  const scale = Math.sqrt(Math.max(1, state.maxOsd) / 12);
  if (!state.hasFlag(FLAG.nodown!) && r.chance(Math.min(0.3, 0.02 * chaos * scale))) {
    const up = upOsds(state);
    if (up.length > 1) failOsd(state, r.pick(up), state.tick + r.between(3, 20), "failed");
  }
  if (!state.hasFlag(FLAG.nodown!) && state.hosts.length > 2 && r.chance(0.002 * chaos)) {
    const host = r.pick(state.hosts);
    const back = state.tick + r.between(5, 25);
    for (const id of host.osds) {
      const o = state.osd(id);
      if (o) failOsd(state, o, back, "failed");
    }
  }
  if (r.chance(0.004 * chaos)) startReplacement(state);
  if (state.mons.length > 1 && r.chance(0.002 * chaos)) {
    const mon = r.pick(state.mons.filter((m) => m.inQuorum));
    if (mon && state.mons.filter((m) => m.inQuorum).length > 1)
      setMonInQuorum(state, mon.name, false, state.tick + r.between(3, 10));
  }
}

export function setMonInQuorum(state: SimState, name: string, inQuorum: boolean, returnAtTick = -1): boolean {
  const mon = state.mons.find((m) => m.name === name);
  if (!mon || mon.inQuorum === inQuorum) return false;
  mon.inQuorum = inQuorum;
  state.electionEpoch += 2;
  state.quorumSinceMs = state.nowMs;
  const pending = state.monReturnAt;
  if (!inQuorum && returnAtTick >= 0) pending.set(name, returnAtTick);
  else pending.delete(name);
  const quorum = state.mons
    .filter((m) => m.inQuorum)
    .map((m) => m.name)
    .join(",");
  clog(
    state,
    "cluster",
    "[INF]",
    `mon.${state.mons.find((m) => m.inQuorum)?.name ?? "a"} is new leader, mons ${quorum} in quorum (ranks ${state.mons
      .filter((m) => m.inQuorum)
      .map((m) => m.rank)
      .join(",")})`,
  );
  state.touch("mon_status");
  state.notify("mon_status", "");
  return true;
}

function returnMons(state: SimState): void {
  for (const [name, at] of state.monReturnAt) if (at <= state.tick) setMonInQuorum(state, name, true);
}

/** Starts a disk swap: fail → out → purge (metadata lingers) → recreate (metadata arrives late). */
export function startReplacement(state: SimState, target?: OsdState): void {
  const list = state.replacements;
  const candidates = upOsds(state).filter((o) => !list.some((x) => x.id === o.id));
  if (candidates.length < 2 && !target) return;
  const o = target ?? state.rand.pick(candidates);
  failOsd(state, o, -1, "failed");
  list.push({ id: o.id, host: o.host, stage: "failed", atTick: state.tick + 3 });
}

function advanceReplacements(state: SimState): void {
  const list = state.replacements;
  for (const job of [...list]) {
    if (job.atTick > state.tick) continue;
    const o = state.osd(job.id);
    if (job.stage === "failed") {
      if (o)
        markOut(
          state,
          o,
          `Marking osd.${o.id} out (has been down for ${Math.round((state.nowMs - o.downSinceMs) / 1000)} seconds)`,
        );
      job.stage = "out";
      job.atTick = state.tick + 3;
    } else if (job.stage === "out") {
      if (o) purgeOsd(state, o);
      job.stage = "purged";
      job.atTick = state.tick + 2;
    } else {
      if (state.hosts[job.host]) createOsd(state, job.host);
      list.splice(list.indexOf(job), 1);
    }
  }
}

/** Client reads and writes land on a sample of active PGs. */
function clientIo(state: SimState): void {
  if (state.hasFlag(FLAG.pauserd!) && state.hasFlag(FLAG.pausewr!)) return;
  const r = state.rand;
  const pools = [...state.pools.values()].filter((p) => p.pgs.length && !p.application.mgr_devicehealth);
  const totalPgs = pools.reduce((s, p) => s + p.pgs.length, 0);
  if (!totalPgs) return;
  const samples = Math.min(totalPgs, Math.max(8, Math.ceil(totalPgs * 0.04)));
  for (let i = 0; i < samples; i++) {
    const pool = r.pick(pools);
    const pg = r.pick(pool.pgs);
    if (!(pg.flags & PG.active)) continue;
    const reads = state.hasFlag(FLAG.pauserd!) ? 0 : r.between(5, 120);
    const writes = state.hasFlag(FLAG.pausewr!) ? 0 : r.between(1, 40);
    const readKb = reads * r.between(4, 64);
    const writeKb = writes * r.between(4, 64);
    const newObjects = writes && r.chance(0.3) ? 1 : 0;
    const grown = newObjects * 4 * 2 ** 20;
    pg.numRead += reads;
    pg.numReadKb += readKb;
    pg.numWrite += writes;
    pg.numWriteKb += writeKb;
    pg.numObjects += newObjects;
    pg.numBytes += grown;
    pg.versionEpoch = state.osdmapEpoch;
    pg.versionV += writes;
    pg.logSize = Math.min(3000, pg.logSize + writes);
    touchPgStats(state, pg);
    pool.io.rdOps += reads;
    pool.io.wrOps += writes;
    pool.io.rdBytes += readKb * 1024;
    pool.io.wrBytes += writeKb * 1024;
    const d = state.ioDelta;
    d.rdOps += reads;
    d.wrOps += writes;
    d.rdKb += readKb;
    d.wrKb += writeKb;
    d.objects += newObjects;
    d.bytes += grown;
  }
}
