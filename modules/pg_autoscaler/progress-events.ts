// The autoscaler's progress events, one per pool whose pg_num it changed, published through the
// progress module as Ceph's do (remote("progress", "update"/"complete", ...)) and completed once
// the pool's pg_num reaches its target.
import type { ClusterData, MgrModule } from "@tsmgr/sdk";

interface Adjustment {
  evId: string;
  poolId: number;
  from: number;
  to: number;
}

const newId = (): string => `pg_autoscaler-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export class PgAdjustments {
  #module: MgrModule;
  #byPool = new Map<number, Adjustment>();

  constructor(module: MgrModule) {
    this.#module = module;
  }

  /** A pool's pg_num is going from `from` to `to`: a new event, or the pool's event reset. */
  async start(poolId: number, from: number, to: number): Promise<void> {
    const ev = this.#byPool.get(poolId) ?? { evId: newId(), poolId, from, to };
    Object.assign(ev, { from, to });
    this.#byPool.set(poolId, ev);
    await this.#update(ev, 0);
  }

  /** Advances each event by how far pg_num has moved; completes those done or whose pool is gone. */
  async refresh(osdMap: ClusterData["osd_map"], noautoscale: boolean): Promise<void> {
    if (noautoscale) return;
    for (const ev of [...this.#byPool.values()]) {
      const pool = osdMap.pools.find((p) => p.pool === ev.poolId);
      if (!pool || pool.pg_num === pool.pg_num_target || ev.from === ev.to) {
        await this.#complete(ev);
        continue;
      }
      await this.#update(ev, Math.min(Math.max((ev.from - pool.pg_num) / (ev.from - ev.to), 0), 1));
    }
  }

  async completeAll(): Promise<void> {
    for (const ev of [...this.#byPool.values()]) await this.#complete(ev);
  }

  async #update(ev: Adjustment, progress: number): Promise<void> {
    const desc = ev.from < ev.to ? "increasing" : "decreasing";
    const msg = `PG autoscaler ${desc} pool ${ev.poolId} PGs from ${ev.from} to ${ev.to}`;
    await this.#call("update", ev.evId, msg, progress, [["pool", ev.poolId]]);
  }

  async #complete(ev: Adjustment): Promise<void> {
    this.#byPool.delete(ev.poolId);
    await this.#call("complete", ev.evId);
  }

  /** The progress module may be disabled or away: the pg_num change goes ahead without it. */
  async #call(method: string, ...args: unknown[]): Promise<void> {
    try {
      await this.#module.remote("progress", method, ...args);
    } catch (e) {
      this.#module.log.warn(`progress ${method} failed: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
}
