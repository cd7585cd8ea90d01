// Health checks derived from the simulated maps with the mon's and mgr's own wording (OSD_DOWN,
// OSD_HOST_DOWN, PG_DEGRADED, PG_AVAILABILITY, ...), plus injected ones, and the clog lines a
// real mon writes when a check appears, changes or clears.
import { clog } from "./clog.ts";
import { BACKFILLFULL_RATIO, FULL_RATIO, NEARFULL_RATIO, WARN_FLAGS, flagString } from "./constants.ts";
import type { HealthCheck } from "./model.ts";
import { PG } from "./pgstate.ts";
import type { SimState } from "./state.ts";

const MAX_DETAIL = 50;
const HEALTH_LOG_UPDATE_MS = 5000;
const SETTLED = PG.active | PG.clean;
const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(3)}%`;

function warn(summary: string, count: number, detail: string[] = []): HealthCheck {
  return { severity: "HEALTH_WARN", summary, count, detail: detail.slice(0, MAX_DETAIL) };
}

function osdChecks(state: SimState, checks: Map<string, HealthCheck>): void {
  const warnFlags = state.flags & WARN_FLAGS;
  if (warnFlags) {
    const s = flagString(warnFlags);
    // Ceph's own kludge: the count is the length of the flag string.
    checks.set("OSDMAP_FLAGS", warn(`${s} flag(s) set`, s.length));
  }
  const downIn = [...state.existingOsds()].filter((o) => !o.up && o.in && !o.isNew);
  if (downIn.length) {
    checks.set(
      "OSD_DOWN",
      warn(
        `${downIn.length} osds down`,
        downIn.length,
        downIn.map((o) => `osd.${o.id} (root=default,host=${state.hosts[o.host]!.name}) is down`),
      ),
    );
  }
  const downHosts = state.hosts
    .map((h) => ({ h, osds: h.osds.map((id) => state.osds[id]).filter((o) => o && !o.isNew && o.in) }))
    .filter((x) => x.osds.length > 0 && x.osds.every((o) => !o!.up));
  if (downHosts.length && downHosts.length < state.hosts.length) {
    const n = downHosts.reduce((s, x) => s + x.osds.length, 0);
    checks.set(
      "OSD_HOST_DOWN",
      warn(
        `${plural(downHosts.length, "host")} (${n} osds) down`,
        downHosts.length,
        downHosts.map((x) => `host ${x.h.name} (root=default) (${x.osds.length} osds) is down`),
      ),
    );
  } else if (downHosts.length && downHosts.length === state.hosts.length) {
    const n = downHosts.reduce((s, x) => s + x.osds.length, 0);
    checks.set("OSD_ROOT_DOWN", warn(`1 root (${n} osds) down`, 1, [`root default (${n} osds) is down`]));
  }
  const full = { full: [] as number[], backfill: [] as number[], near: [] as number[] };
  for (const o of state.existingOsds()) {
    if (o.isNew || !o.up) continue;
    const ratio = o.kbUsed / o.kb;
    if (ratio >= FULL_RATIO) full.full.push(o.id);
    else if (ratio >= BACKFILLFULL_RATIO) full.backfill.push(o.id);
    else if (ratio >= NEARFULL_RATIO) full.near.push(o.id);
  }
  if (full.full.length) {
    checks.set("OSD_FULL", {
      ...warn(
        `${full.full.length} full osd(s)`,
        full.full.length,
        full.full.map((id) => `osd.${id} is full`),
      ),
      severity: "HEALTH_ERR",
    });
  }
  if (full.backfill.length) {
    checks.set(
      "OSD_BACKFILLFULL",
      warn(
        `${full.backfill.length} backfillfull osd(s)`,
        full.backfill.length,
        full.backfill.map((id) => `osd.${id} is backfill full`),
      ),
    );
  }
  if (full.near.length) {
    checks.set(
      "OSD_NEARFULL",
      warn(
        `${full.near.length} nearfull osd(s)`,
        full.near.length,
        full.near.map((id) => `osd.${id} is near full`),
      ),
    );
  }
  poolFullChecks(state, checks, full);
}

function poolFullChecks(
  state: SimState,
  checks: Map<string, HealthCheck>,
  osds: { full: number[]; backfill: number[]; near: number[] },
): void {
  const level = new Map<number, number>();
  for (const id of osds.near) level.set(id, 1);
  for (const id of osds.backfill) level.set(id, 2);
  for (const id of osds.full) level.set(id, 3);
  const byLevel: string[][] = [[], [], [], []];
  for (const pool of state.pools.values()) {
    let worst = 0;
    if (level.size) for (const pg of pool.pgs) for (const o of pg.acting) worst = Math.max(worst, level.get(o) ?? 0);
    const stored = pool.pgs.reduce((s, pg) => s + pg.numBytes, 0);
    if (pool.quotaMaxBytes > 0 && stored >= pool.quotaMaxBytes) worst = 3;
    byLevel[worst]!.push(pool.name);
  }
  const add = (code: string, names: string[], word: string, what: string) => {
    if (names.length)
      checks.set(
        code,
        warn(
          `${names.length} pool(s) ${word}`,
          names.length,
          names.map((n) => `pool '${n}' is ${what}`),
        ),
      );
  };
  add("POOL_NEARFULL", byLevel[1]!, "nearfull", "nearfull");
  add("POOL_BACKFILLFULL", byLevel[2]!, "backfillfull", "backfillfull");
  add("POOL_FULL", byLevel[3]!, "full", "full (no space)");
}

/** Collects up to MAX_DETAIL detail lines while counting every affected PG. */
class AffectedPgs {
  count = 0;
  readonly lines: string[] = [];
  add(line: () => string): void {
    this.count += 1;
    if (this.lines.length < MAX_DETAIL) this.lines.push(line());
  }
}

function pgChecks(state: SimState, checks: Map<string, HealthCheck>): void {
  let degradedObjects = 0;
  let misplacedObjects = 0;
  let copies = 0;
  let undersized = 0;
  let degradedCount = 0;
  const degradedPgs = new AffectedPgs();
  const inactive = new AffectedPgs();
  const counts = { inactive: 0, peering: 0, stale: 0 };
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      copies += pg.numObjects * pool.size;
      degradedObjects += pg.degraded;
      misplacedObjects += pg.misplaced;
      if (pg.flags === SETTLED) continue;
      const line = () => `pg ${pg.pgid} is ${pg.state}, acting [${pg.acting.join(",")}]`;
      if (pg.flags & (PG.degraded | PG.undersized)) {
        degradedPgs.add(line);
        if (pg.flags & PG.undersized) undersized += 1;
        if (pg.flags & PG.degraded) degradedCount += 1;
      }
      if (!(pg.flags & PG.active) || pg.flags & PG.stale) {
        inactive.add(line);
        if (!(pg.flags & PG.active)) counts.inactive += 1;
        if (pg.flags & PG.peering) counts.peering += 1;
        if (pg.flags & PG.stale) counts.stale += 1;
      }
    }
  }
  if (inactive.count) {
    const parts = [];
    if (counts.inactive) parts.push(`${plural(counts.inactive, "pg")} inactive`);
    if (counts.peering) parts.push(`${plural(counts.peering, "pg")} peering`);
    if (counts.stale) parts.push(`${plural(counts.stale, "pg")} stale`);
    checks.set(
      "PG_AVAILABILITY",
      warn(`Reduced data availability: ${parts.join(", ")}`, inactive.count, inactive.lines),
    );
  }
  if (degradedPgs.count) {
    const parts = [];
    if (degradedObjects) parts.push(`${degradedObjects}/${copies} objects degraded (${pct(degradedObjects, copies)})`);
    if (degradedCount) parts.push(`${plural(degradedCount, "pg")} degraded`);
    if (undersized) parts.push(`${plural(undersized, "pg")} undersized`);
    checks.set(
      "PG_DEGRADED",
      warn(`Degraded data redundancy: ${parts.join(", ")}`, degradedPgs.count, degradedPgs.lines),
    );
  }
  if (misplacedObjects) {
    checks.set(
      "OBJECT_MISPLACED",
      warn(`${misplacedObjects}/${copies} objects misplaced (${pct(misplacedObjects, copies)})`, misplacedObjects),
    );
  }
}

function monChecks(state: SimState, checks: Map<string, HealthCheck>): void {
  const down = state.mons.filter((m) => !m.inQuorum);
  if (!down.length) return;
  const quorum = state.mons
    .filter((m) => m.inQuorum)
    .map((m) => m.name)
    .join(",");
  checks.set(
    "MON_DOWN",
    warn(
      `${down.length}/${state.mons.length} mons down, quorum ${quorum}`,
      down.length,
      down.map((m) => {
        const ip = state.hosts[m.host]!.ip;
        return `mon.${m.name} (rank ${m.rank}) addr [v2:${ip}:3300/0,v1:${ip}:6789/0] is down (out of quorum)`;
      }),
    ),
  );
}

/** Every current health check, sorted by code as the mon's map is. */
export function computeChecks(state: SimState): Map<string, HealthCheck> {
  const checks = new Map<string, HealthCheck>();
  monChecks(state, checks);
  osdChecks(state, checks);
  pgChecks(state, checks);
  for (const [code, check] of state.injectedHealth) checks.set(code, check);
  return new Map([...checks].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

export function overallStatus(checks: Map<string, HealthCheck>): string {
  let status = "HEALTH_OK";
  for (const c of checks.values()) {
    if (c.severity === "HEALTH_ERR") return "HEALTH_ERR";
    status = "HEALTH_WARN";
  }
  return status;
}

/** The health report as `health` (detail) or `status` (no detail) dumps it. */
export function healthObject(checks: Map<string, HealthCheck>, detail: boolean) {
  const out: Record<string, unknown> = {};
  for (const [code, c] of checks) {
    out[code] = detail
      ? {
          severity: c.severity,
          summary: { message: c.summary, count: c.count },
          detail: c.detail.map((message) => ({ message })),
          muted: false,
        }
      : { severity: c.severity, summary: { message: c.summary, count: c.count }, muted: false };
  }
  return { status: overallStatus(checks), checks: out, mutes: [] as unknown[] };
}

/** Recomputes health; logs transitions like the mon does. Returns whether get("health") changed. */
export function refreshHealth(state: SimState): boolean {
  const checks = computeChecks(state);
  const json = JSON.stringify(healthObject(checks, true));
  if (json === state.healthJson) return false;
  const before = state.healthCodes;
  const after = new Map([...checks].map(([code, c]) => [code, c.summary]));
  if (state.healthJson) {
    for (const [code, summary] of after) {
      const prio = checks.get(code)!.severity === "HEALTH_ERR" ? "[ERR]" : "[WRN]";
      if (!before.has(code)) {
        clog(state, "cluster", prio, `Health check failed: ${summary} (${code})`);
        state.healthLoggedAt.set(code, state.nowMs);
      } else if (
        before.get(code) !== summary &&
        state.nowMs - (state.healthLoggedAt.get(code) ?? 0) >= HEALTH_LOG_UPDATE_MS
      ) {
        // mon_health_log_update_period: an ongoing check is re-logged at most every 5 s.
        clog(state, "cluster", prio, `Health check update: ${summary} (${code})`);
        state.healthLoggedAt.set(code, state.nowMs);
      }
    }
    for (const [code, summary] of before) {
      if (!after.has(code)) clog(state, "cluster", "[INF]", `Health check cleared: ${code} (was: ${summary})`);
    }
    if (before.size && !after.size) clog(state, "cluster", "[INF]", "Cluster is now healthy");
  }
  state.healthCodes = after;
  state.healthJson = json;
  state.healthStatus = overallStatus(checks);
  state.healthChecks = checks;
  return true;
}
