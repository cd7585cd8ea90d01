// Builds the initial simulated cluster from the options and the real dumps: N hosts × M OSDs,
// 1-3 mons, device_health_metrics plus the data pools, every PG placed, active+clean and settled.
import { DEFAULT_FLAGS, OSD_BYTES } from "./constants.ts";
import { newOsd, newPool, osdMetadata } from "./factory.ts";
import { clone, fixture, mgrGet } from "../_fixtures.ts";
import { refreshHealth } from "./health.ts";
import { stamp } from "../_json.ts";
import type { PoolSpec, SimOptions } from "./model.ts";
import { newHost } from "./osd-ops.ts";
import { refreshPgs, remapAll } from "./pgstate.ts";
import { populatePgs } from "./pool-ops.ts";
import { SimState } from "./state.ts";

const DAY_MS = 86_400_000;

function nearestPowerOfTwo(n: number): number {
  if (n <= 1) return 1;
  const lo = 2 ** Math.floor(Math.log2(n));
  return n - lo < lo * 2 - n ? lo : lo * 2;
}

function buildOsds(state: SimState): void {
  const { hosts, osdsPerHost } = state.opts;
  for (let h = 0; h < hosts; h++) newHost(state);
  let id = 0;
  for (let h = 0; h < hosts; h++) {
    for (let k = 0; k < osdsPerHost; k++, id++) {
      const o = newOsd(state, id, h, state.createdMs + 60_000 + id * 900);
      state.hosts[h]!.osds.push(id);
      state.osds[id] = o;
    }
  }
  state.maxOsd = id;
  // Bring-up history: each OSD was created and booted in its own epochs.
  state.osdmapEpoch = 20 + 2 * id;
  state.crushVersion = 1 + hosts + id;
  for (const o of state.existingOsds()) {
    o.up = true;
    o.in = true;
    o.isNew = false;
    o.weight = 1;
    o.upFrom = 6 + 2 * o.id;
    o.upThru = state.osdmapEpoch - 1 - (o.id % 5);
    o.nonce = 1000 + state.rand.int(4_000_000_000);
    o.metadata = Object.freeze(osdMetadata(state, o));
  }
}

function buildMons(state: SimState): void {
  const count = Math.min(3, state.hosts.length);
  for (let i = 0; i < count; i++)
    state.mons.push({ name: String.fromCharCode(97 + i), rank: i, host: i, inQuorum: true });
  state.quorumSinceMs = state.nowMs - 14 * 60_000;
}

function buildPools(state: SimState): void {
  const osdCount = state.maxOsd;
  const size = Math.max(1, Math.min(3, state.hosts.length > 1 ? state.hosts.length : state.opts.osdsPerHost));
  const specs: PoolSpec[] = state.opts.pools ?? [{ name: "rbdpool", application: "rbd" }];
  const health = newPool(state, 1, { name: "device_health_metrics", application: "mgr_devicehealth" }, size, 1);
  health.createTime = stamp(state.createdMs + 5 * 60_000);
  state.pools.set(1, health);
  populatePgs(state, health, 1, 0, false);
  const rawCapacity = osdCount * OSD_BYTES;
  const fill = 0.22 + 0.16 * state.rand.next();
  specs.forEach((spec, i) => {
    const poolSize = spec.size ?? size;
    const share = (state.opts.pgsPerOsd * osdCount) / poolSize / specs.length;
    const pgNum = spec.pgNum ?? Math.max(8, Math.min(state.opts.maxPgs, nearestPowerOfTwo(share)));
    const pool = newPool(state, i + 2, spec, poolSize, pgNum);
    pool.createTime = stamp(state.createdMs + (6 + i) * 60_000);
    state.pools.set(pool.id, pool);
    populatePgs(state, pool, pgNum, Math.round((fill * rawCapacity) / poolSize / specs.length), false);
  });
  state.poolMax = specs.length + 1;
}

function buildConfig(state: SimState): void {
  state.mgrConfig = clone(mgrGet<Record<string, string>>("config"));
  state.modifiedOptions = new Set(mgrGet<{ options: string[] }>("modified_config_options").options);
  const dump = fixture<{ section: string; name: string; value: string }[]>("cli/config-dump.json");
  // The lab's probe module setting is not part of a fresh cluster.
  state.configDb = dump
    .filter((e) => !e.name.startsWith("mgr/"))
    .map((e) => ({ section: e.section, name: e.name, value: e.value }));
  // The lab cluster the fixtures came from allowed pool deletion (its `config` shows it), as dev
  // clusters do; without it a module could create pools in the sim but never delete them.
  if (!state.configDb.some((e) => e.name === "mon_allow_pool_delete"))
    state.configDb.push({ section: "mon", name: "mon_allow_pool_delete", value: "true" });
}

function buildBlocklist(state: SimState): void {
  const real = mgrGet<{ blocklist: Record<string, string> }>("osd_map").blocklist;
  // Old mgr instances' client addresses stay blocklisted for a day after each restart.
  Object.keys(real).forEach((addr, i) => state.blocklist.set(addr, stamp(state.nowMs + DAY_MS - (i % 3) * 45_000)));
}

/** Places every PG and lets the cluster settle to active+clean before anyone looks. */
function settle(state: SimState): void {
  remapAll(state);
  for (const pool of state.pools.values()) for (const pg of pool.pgs) pg.homes = pg.raw.slice();
  refreshPgs(state);
  for (const pool of state.pools.values()) {
    for (const pg of pool.pgs) {
      pg.peeringTicks = 0;
      pg.waitTicks = 0;
    }
  }
  refreshPgs(state);
  refreshHealth(state);
  state.drainChanges();
  state.pgmapDirty = false;
  state.pgmapChanged = false;
}

export function buildState(opts: SimOptions): SimState {
  const state = new SimState(opts);
  state.now();
  state.createdMs = Math.floor(state.nowMs / 1000) * 1000 - 30 * DAY_MS + 257_570;
  state.createdStamp = stamp(state.createdMs);
  state.fsid = state.rand.uuid();
  state.flags = DEFAULT_FLAGS;
  buildOsds(state);
  buildMons(state);
  buildPools(state);
  buildConfig(state);
  buildBlocklist(state);
  state.osdmapModified = state.nowStamp;
  state.lastUpChange = stamp(state.createdMs + 4 * 60_000);
  state.lastInChange = stamp(state.createdMs + 2 * 60_000);
  state.monmapModified = "";
  state.servicemapEpoch = 2;
  state.servicemapModified = stamp(state.createdMs + 7 * 60_000);
  state.mgrmapEpoch = 20;
  state.pgmapStamp = state.nowStamp;
  state.tickTimes = [state.nowMs / 1000];
  state.lastTickMs = state.nowMs;
  settle(state);
  return state;
}
