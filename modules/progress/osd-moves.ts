// Finds the OSDs marked out or in since the last look, and the PGs that move because of it.
// Ceph maps every PG through CRUSH with the old and the new OSDMap; a module here has no CRUSH
// mapper, so the PGs come from the cluster's own reports instead:
//   out: the PGs whose acting set held the OSD at the previous look (an out OSD gets no PGs, so
//        every one of them moves: the same set CRUSH gives);
//   in:  the PGs whose up set holds the OSD once the PGs have reported at or after the epoch that
//        marked it in (or after IN_WAIT_POLLS looks, with what has been reported by then). While
//        it was out CRUSH gave it no PG, so every one of them moved, as Ceph's comparison finds.
import type { ClusterData, MgrModule } from "@tsmgr/sdk";
import { mappingOf, type PgMapping } from "./recovery.ts";

export interface OsdMove {
  osd: number;
  marked: "in" | "out";
  /** the PGs that move; empty when nothing can move (Ceph then makes no event) */
  pgs: string[];
  /** the OSDMap epoch the event starts at */
  epoch: number;
  /** an OSD back in cancels the recovery events of its earlier out: true on the look that saw it */
  cancels: boolean;
}

const IN_WAIT_POLLS = 6;

interface PendingIn {
  osd: number;
  epoch: number;
  polls: number;
}

export class OsdMoves {
  #module: MgrModule;
  #in = new Map<number, number>();
  #epoch: number;
  #acting: PgMapping;
  #pending: PendingIn[] = [];

  constructor(module: MgrModule) {
    this.#module = module;
    const map = module.get("osd_map");
    this.#epoch = map.epoch;
    for (const o of map.osds) this.#in.set(o.osd, o.in);
    this.#acting = mappingOf(module.get("pg_dump"), "acting");
  }

  /** What changed since the last call; call it once per serve() round. */
  poll(): OsdMove[] {
    const map = this.#module.get("osd_map");
    const dump = this.#module.get("pg_dump");
    const moves: OsdMove[] = [];
    if (map.epoch !== this.#epoch) {
      for (const o of map.osds) {
        const old = this.#in.get(o.osd);
        if (old === undefined) continue;
        if (o.in === 0 && old > 0) moves.push(this.#out(o.osd, map.epoch));
        else if (o.in >= 1 && old === 0) {
          this.#module.log.warn(`osd.${o.osd} marked in`);
          this.#pending.push({ osd: o.osd, epoch: map.epoch, polls: 0 });
          moves.push({ osd: o.osd, marked: "in", pgs: [], epoch: map.epoch, cancels: true });
        }
      }
      this.#in = new Map(map.osds.map((o) => [o.osd, o.in]));
      this.#epoch = map.epoch;
    }
    moves.push(...this.#resolveIns(dump));
    this.#acting = mappingOf(dump, "acting");
    return moves;
  }

  #out(osd: number, epoch: number): OsdMove {
    this.#module.log.warn(`osd.${osd} marked out`);
    const pgs = [...this.#acting].filter(([, acting]) => acting.includes(osd)).map(([pgid]) => pgid);
    this.#module.log.warn(`${pgs.length} PGs affected by osd.${osd} being marked out`);
    return { osd, marked: "out", pgs, epoch, cancels: false };
  }

  #resolveIns(dump: ClusterData["pg_dump"] | null): OsdMove[] {
    const stats = dump?.pg_stats ?? [];
    const done: OsdMove[] = [];
    this.#pending = this.#pending.filter((p) => {
      p.polls++;
      const reported = stats.every((pg) => pg.reported_epoch >= p.epoch);
      if (!reported && p.polls < IN_WAIT_POLLS) return true;
      const pgs = stats.filter((pg) => pg.up.includes(p.osd)).map((pg) => pg.pgid);
      this.#module.log.warn(`${pgs.length} PGs affected by osd.${p.osd} being marked in`);
      done.push({ osd: p.osd, marked: "in", pgs, epoch: p.epoch, cancels: false });
      return false;
    });
    return done;
  }
}
