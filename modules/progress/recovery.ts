// How recovery events advance, from the PG states the cluster reports: Ceph's PgRecoveryEvent
// (the PGs an OSD in/out moved) and GlobalRecoveryEvent (active+clean PGs over all PGs).
import type { ClusterData } from "@tsmgr/sdk";
import type { GlobalRecoveryEvent, PgRecoveryEvent } from "./events.ts";

/** pgid → the OSDs serving it, from one `pg_dump`. */
export type PgMapping = Map<string, readonly number[]>;

export function mappingOf(dump: ClusterData["pg_dump"] | null, field: "acting" | "up"): PgMapping {
  const out: PgMapping = new Map();
  for (const pg of dump?.pg_stats ?? []) out.set(pg.pgid, pg[field]);
  return out;
}

const isActiveClean = (state: string) => {
  const states = state.split("+");
  return states.includes("active") && states.includes("clean");
};

/**
 * Advances a PG recovery event: a PG counts done once active+clean (reported at or after the
 * event's epoch); one still recovering counts for the share of its bytes recovered since the
 * event began. PGs that vanished (a deleted pool) count as done.
 */
export function updatePgRecovery(ev: PgRecoveryEvent, progress: ClusterData["pg_progress"]): void {
  const states = progress.pgs;
  if (ev.originalRecovered === null) {
    ev.originalRecovered = new Map();
    for (const pg of [...ev.pgs]) {
      const info = states[pg];
      if (info) ev.originalRecovered.set(pg, info.num_bytes_recovered);
      else if (progress.pg_ready) ev.pgs.delete(pg);
    }
  }
  let partial = 0;
  for (const pg of [...ev.pgs]) {
    const info = states[pg];
    if (!info || (info.reported_epoch >= ev.startEpoch && isActiveClean(info.state))) {
      ev.pgs.delete(pg);
      continue;
    }
    if (info.reported_epoch < ev.startEpoch || info.num_bytes === 0) continue;
    const recovered = info.num_bytes_recovered - (ev.originalRecovered.get(pg) ?? 0);
    partial += Math.min(Math.max(recovered / info.num_bytes, 0), 1);
  }
  const completed = Math.max(ev.originalCount - ev.pgs.size, 0);
  const prog = ev.originalCount === 0 ? 0 : (completed + partial) / ev.originalCount;
  ev.fraction = Math.min(Math.max(prog, 0), 1);
}

/** Advances the global event; false when nothing changed (Ceph then does not republish it). */
export function updateGlobalRecovery(ev: GlobalRecoveryEvent, pgs: ClusterData["active_clean_pgs"]): boolean {
  // Ceph discounts active+clean PGs last reported before the event began
  const skipped = pgs.pg_stats.filter((pg) => pg.reported_epoch < ev.startEpoch).length;
  const activeClean = pgs.pg_stats.length;
  if (activeClean === ev.activeCleanNum) return false;
  const total = pgs.total_num_pgs - skipped;
  ev.fraction = total === 0 ? 0 : activeClean / total;
  return true;
}
