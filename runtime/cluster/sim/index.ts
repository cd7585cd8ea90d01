// SimCluster: the simulated Pacific cluster behind the ClusterSource interface. It owns the state,
// publishes each data name's JSON once per version, evolves on a timer and applies commands,
// and after every change bumps exactly the affected versions and notifies in Ceph's order.
import type { ClusterSource, CommandResult, ConfigDbEntry, DaemonTarget, NotifyType } from "../types.ts";
import { runDaemonCommand } from "./daemon-commands.ts";
import { buildState } from "./build.ts";
import { runMonCommand } from "./mon-commands.ts";
import { FLAG } from "./constants.ts";
import { addMds, addMon, removeMds, removeMon } from "./daemon-ops.ts";
import { daemonMetadata, daemonStatus, server, servers } from "./daemons.ts";
import { evolve, setMonInQuorum, startReplacement } from "./evolve.ts";
import { refreshHealth } from "./health.ts";
import type { HealthCheck, OsdState, SimOptions } from "./model.ts";
import { CONTENT_KEYS, PGMAP_NAMES, renderDevice, renderers } from "./names.ts";
import { bootOsd, addHost, createOsd, failOsd, markIn, markOut, purgeOsd, setOsdmapFlags } from "./osd-ops.ts";
import { counterSeries, latestCounter, perfSchema } from "./perf.ts";
import { refreshPgs } from "./pgstate.ts";
import { fillPool } from "./pool-ops.ts";
import { inNotifyOrder } from "../_notify-order.ts";
import { Published } from "./published.ts";
import { handleSimCommand, type SimControls } from "./control-commands.ts";
import type { SimState } from "./state.ts";
import { clog, type ClogPriority } from "./clog.ts";

export type SimClusterOptions = Partial<SimOptions>;

export const DEFAULT_SIM_OPTIONS: Readonly<Omit<SimOptions, "clock" | "pools">> = Object.freeze({
  hosts: 4,
  osdsPerHost: 3,
  seed: 1,
  tickMs: 1000,
  pgsPerOsd: 100,
  maxPgs: 16384,
  chaos: 1,
});

/** An injection or lookup that names something the simulated cluster does not have. */
export class SimError extends Error {
  override name = "SimError";
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

function checkInt(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`cluster.sim.${name} must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
}

function validate(o: SimOptions): void {
  checkInt("hosts", o.hosts, 1, 10_000);
  checkInt("osdsPerHost", o.osdsPerHost, 1, 1000);
  checkInt("hosts × osdsPerHost", o.hosts * o.osdsPerHost, 1, 100_000);
  if (typeof o.seed !== "number" || !Number.isFinite(o.seed))
    throw new RangeError(`cluster.sim.seed must be a number, got ${String(o.seed)}`);
  if (typeof o.tickMs !== "number" || !(o.tickMs >= 0 && o.tickMs <= 2 ** 31 - 1)) {
    throw new RangeError(
      `cluster.sim.tickMs must be a number of ms between 0 and ${2 ** 31 - 1}, got ${String(o.tickMs)}`,
    );
  }
  checkInt("pgsPerOsd", o.pgsPerOsd, 1, 1000);
  checkInt("maxPgs", o.maxPgs, 1, 1 << 20);
  if (typeof o.chaos !== "number" || !(o.chaos >= 0))
    throw new RangeError(`cluster.sim.chaos must be a number ≥ 0, got ${String(o.chaos)}`);
  if (typeof o.clock !== "function") throw new TypeError("cluster.sim.clock must be a function returning ms");
  const names = new Set<string>(["device_health_metrics"]);
  (o.pools ?? []).forEach((p, i) => {
    if (typeof p?.name !== "string" || !p.name || names.has(p.name))
      throw new RangeError(`cluster.sim.pools[${i}].name must be a new, non-empty pool name`);
    names.add(p.name);
    if (p.pgNum !== undefined) checkInt(`pools[${i}].pgNum`, p.pgNum, 1, 65536);
    if (p.size !== undefined) checkInt(`pools[${i}].size`, p.size, 1, 10);
  });
}

export class SimCluster implements ClusterSource, SimControls {
  readonly backend = "sim";
  readonly options: Readonly<SimOptions>;
  readonly #state: SimState;
  readonly #published: Published;
  readonly #names: readonly string[];
  readonly #listeners = new Set<(type: NotifyType, id: string | object) => void>();
  readonly #deviceTexts = new Map<string, { version: number; text: string }>();
  readonly #fingerprints = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: SimClusterOptions = {}) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
    const options: SimOptions = { ...DEFAULT_SIM_OPTIONS, clock: Date.now, ...given };
    validate(options);
    this.options = Object.freeze(options);
    this.#state = buildState(options);
    this.#published = new Published(renderers(this.#state));
    this.#names = Object.freeze(this.#published.names());
    for (const [name, key] of CONTENT_KEYS) this.#fingerprints.set(name, key(this.#state));
  }

  async start(): Promise<void> {
    if (this.#timer || this.options.tickMs <= 0) return;
    this.#timer = setInterval(() => this.tick(), this.options.tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  dataNames(): readonly string[] {
    return this.#names;
  }

  generation(): number {
    return this.#published.generation();
  }

  version(name: string): number | undefined {
    const v = this.#published.version(name);
    if (v !== undefined || !name.startsWith("device ")) return v;
    return this.#deviceJson(name.slice(7)) === undefined ? undefined : this.#published.version("devices");
  }

  getJson(name: string): string | undefined {
    const text = this.#published.json(name);
    if (text !== undefined || !name.startsWith("device ")) return text;
    return this.#deviceJson(name.slice(7));
  }

  #deviceJson(devid: string): string | undefined {
    const version = this.#published.version("devices")!;
    const hit = this.#deviceTexts.get(devid);
    if (hit && hit.version === version) return hit.text;
    const text = renderDevice(this.#state, devid);
    if (text === undefined) this.#deviceTexts.delete(devid);
    else this.#deviceTexts.set(devid, { version, text });
    return text;
  }

  getServer(hostname: string): unknown {
    // Pacific answers an unknown host with an empty entry, not None
    return server(this.#state, hostname) ?? { hostname, services: [], ceph_version: "" };
  }

  listServers(): unknown[] {
    return servers(this.#state);
  }

  getMetadata(svcType: string, svcId: string): Record<string, string> | null {
    return daemonMetadata(this.#state, svcType, String(svcId));
  }

  getDaemonStatus(svcType: string, svcId: string): Record<string, string> | null {
    return daemonStatus(this.#state, svcType, String(svcId));
  }

  getPerfSchema(svcType: string, svcId: string): unknown {
    return perfSchema(this.#state, svcType, String(svcId));
  }

  getCounter(svcType: string, svcId: string, path: string): Record<string, [number, number][]> {
    return counterSeries(this.#state, svcType, String(svcId), path);
  }

  getLatestCounter(
    svcType: string,
    svcId: string,
    path: string,
  ): Record<string, [number, number] | [number, number, number]> {
    return latestCounter(this.#state, svcType, String(svcId), path);
  }

  async sendCommand(cmd: { prefix: string; [k: string]: unknown }, _inbuf: string): Promise<CommandResult> {
    // A mon round trip: the answer never arrives in the caller's own turn.
    await Promise.resolve();
    if (cmd.prefix.startsWith("sim ")) return handleSimCommand(this, cmd);
    return this.#mutate((state) => runMonCommand({ state, json: (n) => this.#published.json(n)! }, cmd));
  }

  async sendDaemonCommand(
    target: DaemonTarget,
    cmd: { prefix: string; [k: string]: unknown },
    inbuf: string,
  ): Promise<CommandResult> {
    if (target.type === "mgr" || (target.type === "mon" && target.id === "")) return this.sendCommand(cmd, inbuf);
    // a daemon round trip: never in the caller's own turn
    await Promise.resolve();
    return runDaemonCommand(this.#state, target, cmd, () => this.#published.json("mon_status")!);
  }

  configDb(): readonly ConfigDbEntry[] {
    return this.#state.configDb;
  }

  subscribe(listener: (type: NotifyType, id: string | object) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  haveMonConnection(): boolean {
    return this.#state.mons.some((m) => m.inQuorum);
  }

  /** A module's cluster_log entry, with its channel and priority, as the mon would write it. */
  async clusterLog(channel: "cluster" | "audit", priority: ClogPriority, message: string): Promise<void> {
    await Promise.resolve();
    this.#mutate((state) => void clog(state, channel, priority, message));
  }

  // ---- simulation controls (also reachable through SIM_COMMANDS) ----

  /** Advances the evolution `count` steps now. */
  tick(count = 1): void {
    for (let i = 0; i < count; i++) this.#mutate((state) => evolve(state));
  }

  /** Epochs and versions of the simulated maps. */
  epochs() {
    const s = this.#state;
    return {
      osdmap: s.osdmapEpoch,
      crush: s.crushVersion,
      pgmap: s.pgmapVersion,
      monmap: s.monmapEpoch,
      fsmap: s.fsmapEpoch,
      mgrmap: s.mgrmapEpoch,
      servicemap: s.servicemapEpoch,
      election: s.electionEpoch,
      tick: s.tick,
    };
  }

  /** Counts that summarize the cluster's size and condition. */
  summary() {
    const s = this.#state;
    const osds = [...s.existingOsds()];
    let pgs = 0;
    for (const p of s.pools.values()) pgs += p.pgs.length;
    return {
      hosts: s.hosts.length,
      osds: osds.length,
      up: osds.filter((o) => o.up).length,
      in: osds.filter((o) => o.in).length,
      pools: s.pools.size,
      pgs,
      health: s.healthStatus,
      checks: [...s.healthChecks.keys()],
    };
  }

  osdDown(id: number): boolean {
    return this.#mutate((s) => failOsd(s, this.#osd(id), -1, "failed"));
  }

  osdUp(id: number): boolean {
    return this.#mutate((s) => bootOsd(s, this.#osd(id)));
  }

  osdOut(id: number): boolean {
    return this.#mutate((s) => markOut(s, this.#osd(id), `Client mgr.x marked osd.${id} out`));
  }

  osdIn(id: number): boolean {
    return this.#mutate((s) => markIn(s, this.#osd(id)));
  }

  /** Adds an OSD (boots next tick; its metadata lands 1-3 ticks later). Returns its id. */
  addOsd(hostname?: string): number {
    return this.#mutate((s) => createOsd(s, hostname === undefined ? 0 : this.#hostIndex(hostname)).id);
  }

  /** Purges an OSD from the maps; the mgr keeps its metadata a few more ticks. */
  removeOsd(id: number): void {
    this.#mutate((s) => purgeOsd(s, this.#osd(id)));
  }

  /** Starts a disk swap on an OSD: fail → out → purge → recreate, over ~8 ticks. */
  replaceOsd(id: number): void {
    this.#mutate((s) => startReplacement(s, this.#osd(id)));
  }

  /** Adds a host with `osds` new OSDs; returns the host name. */
  addHost(name?: string, osds = this.options.osdsPerHost): string {
    if (name !== undefined && this.#state.hosts.some((h) => h.name === name))
      throw new SimError(-17, `host '${name}' already exists`);
    return this.#mutate((s) => addHost(s, osds, name).name);
  }

  /** Every OSD of a host goes down (a power cut) or comes back. */
  setHostUp(name: string, up: boolean): number {
    const host = this.#state.hosts[this.#hostIndex(name)]!;
    return this.#mutate((s) => {
      let n = 0;
      for (const id of host.osds) {
        const o = s.osd(id);
        if (o && (up ? bootOsd(s, o) : failOsd(s, o, -1, "failed"))) n += 1;
      }
      return n;
    });
  }

  fillPool(name: string, percent: number): void {
    const pool = this.#state.poolByName(name);
    if (!pool) throw new SimError(-2, `unrecognized pool '${name}'`);
    this.#mutate((s) => fillPool(s, pool, percent));
  }

  setFlag(flag: string, on: boolean): boolean {
    const bit = FLAG[flag];
    if (bit === undefined) throw new SimError(-22, `unrecognized flag '${flag}'`);
    return this.#mutate((s) => setOsdmapFlags(s, on ? bit : 0, on ? 0 : bit));
  }

  setHealthCheck(
    code: string,
    check: { severity: "warning" | "error"; summary: string; count?: number; detail?: string[] },
  ): void {
    const entry: HealthCheck = {
      severity: check.severity === "error" ? "HEALTH_ERR" : "HEALTH_WARN",
      summary: check.summary,
      count: check.count ?? 1,
      detail: check.detail ?? [],
    };
    this.#mutate((s) => {
      s.injectedHealth.set(code, entry);
      s.healthDirty = true;
    });
  }

  /** Clears one injected check, or all of them. */
  clearHealthCheck(code?: string): void {
    this.#mutate((s) => {
      if (code === undefined) s.injectedHealth.clear();
      else s.injectedHealth.delete(code);
      s.healthDirty = true;
    });
  }

  setMonInQuorum(name: string, inQuorum: boolean): boolean {
    if (!this.#state.mons.some((m) => m.name === name)) throw new SimError(-2, `mon.${name} does not exist`);
    return this.#mutate((s) => setMonInQuorum(s, name, inQuorum));
  }

  /** Adds a mon to the monmap (a new election follows). */
  addMon(name: string, hostname?: string): void {
    if (this.#state.mons.some((m) => m.name === name)) throw new SimError(-17, `mon.${name} already exists`);
    const used = new Set(this.#state.mons.map((m) => m.host));
    const free = this.#state.hosts.findIndex((h) => !used.has(h.index));
    const host = hostname === undefined ? Math.max(0, free) : this.#hostIndex(hostname);
    this.#mutate((s) => addMon(s, name, host));
  }

  removeMon(name: string): void {
    if (!this.#state.mons.some((m) => m.name === name)) throw new SimError(-2, `mon.${name} does not exist`);
    if (this.#state.mons.length === 1) throw new SimError(-16, "cannot remove the last mon");
    this.#mutate((s) => removeMon(s, name));
  }

  /** Starts an MDS daemon; it joins the FSMap as a standby. */
  addMds(name: string, hostname?: string): void {
    if (this.#state.mdsDaemons.has(name)) throw new SimError(-17, `mds.${name} already exists`);
    const host = hostname === undefined ? 0 : this.#hostIndex(hostname);
    this.#mutate((s) => addMds(s, name, host));
  }

  removeMds(name: string): void {
    if (!this.#state.mdsDaemons.has(name)) throw new SimError(-2, `mds.${name} does not exist`);
    this.#mutate((s) => removeMds(s, name));
  }

  /** Registers a daemon (rgw, rbd-mirror, ...) in the service map. */
  addService(type: string, id: string, hostname?: string): void {
    const host = hostname === undefined ? 0 : this.#hostIndex(hostname);
    this.#mutate((s) => {
      s.servicemapEpoch += 1;
      s.servicemapModified = s.nowStamp;
      s.services.set(`${type}.${id}`, {
        type,
        id,
        gid: 14000 + s.services.size * 7,
        host,
        startEpoch: s.servicemapEpoch,
        startStamp: s.nowStamp,
        status: {},
      });
      s.metadataVersion += 1;
      s.touch("service_map");
      s.notify("service_map", "");
    });
  }

  removeService(type: string, id: string): void {
    if (!this.#state.services.has(`${type}.${id}`)) throw new SimError(-2, `no service ${type}.${id}`);
    this.#mutate((s) => {
      s.services.delete(`${type}.${id}`);
      s.servicemapEpoch += 1;
      s.servicemapModified = s.nowStamp;
      s.metadataVersion += 1;
      s.touch("service_map");
      s.notify("service_map", "");
    });
  }

  #osd(id: number): OsdState {
    const o = this.#state.osd(id);
    if (!o) throw new SimError(-2, `osd.${id} does not exist`);
    return o;
  }

  #hostIndex(name: string): number {
    const i = this.#state.hosts.findIndex((h) => h.name === name);
    if (i < 0) throw new SimError(-2, `host '${name}' does not exist`);
    return i;
  }

  /** Runs a change against the state, then publishes it: derived views, health, versions, notifies. */
  #mutate<T>(fn: (state: SimState) => T): T {
    const state = this.#state;
    state.now();
    const result = fn(state);
    if (state.hasChanges()) this.#commit();
    return result;
  }

  #commit(): void {
    const s = this.#state;
    let pgChanged = s.pgmapChanged;
    if (s.pgmapDirty || s.placementDirty) pgChanged = refreshPgs(s) || pgChanged;
    if (pgChanged) {
      s.pgmapVersion += 1;
      s.pgmapStamp = s.nowStamp;
      s.touch(...PGMAP_NAMES);
      s.notify("pg_summary", "");
    }
    s.pgmapDirty = s.pgmapChanged = s.healthDirty = false;
    if (refreshHealth(s)) {
      s.touch("health");
      s.notify("health", "");
    }
    const { touched, notifies } = s.drainChanges();
    for (const [name, key] of CONTENT_KEYS) {
      if (!touched.has(name)) continue;
      const fingerprint = key(s);
      if (fingerprint === this.#fingerprints.get(name)) touched.delete(name);
      this.#fingerprints.set(name, fingerprint);
    }
    this.#published.bump(touched);
    for (const n of inNotifyOrder(notifies)) {
      for (const listener of this.#listeners) {
        try {
          listener(n[0], n[1]);
        } catch {
          // One subscriber's failure must not starve the others or stop the simulation.
        }
      }
    }
  }
}

export function createSimCluster(opts: SimClusterOptions = {}): SimCluster {
  return new SimCluster(opts);
}
