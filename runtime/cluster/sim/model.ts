// The records the simulation is made of: options, hosts, OSDs, pools, PGs, mons, daemons,
// health checks and log entries (the state that holds them is in state.ts).

export interface PoolSpec {
  name: string;
  pgNum?: number;
  size?: number;
  /** application_metadata key ("rbd", "cephfs", "rgw", "mgr_devicehealth"). */
  application?: string;
}

export interface SimOptions {
  hosts: number;
  osdsPerHost: number;
  seed: number;
  /** Evolution period; 0 = evolve only on `tick()`. */
  tickMs: number;
  /** PG replicas per OSD the default pools aim for (mon_target_pg_per_osd is 100). */
  pgsPerOsd: number;
  /** Upper bound on the PGs the default pools get (keeps pg_dump printable at 10k OSDs). */
  maxPgs: number;
  /** Pools to create instead of the defaults (device_health_metrics is always pool 1). */
  pools?: PoolSpec[];
  /** Multiplier on random failures (0 = none; io, scrubs and recovery still move). */
  chaos: number;
  /** Wall clock in ms; injectable for deterministic tests. */
  clock: () => number;
}

export interface HostState {
  index: number;
  name: string;
  ip: string;
  crushId: number;
  shadowId: number;
  osds: number[];
}

export interface OsdState {
  id: number;
  host: number;
  up: boolean;
  in: boolean;
  /** Never booted ("new" in the state list). */
  isNew: boolean;
  weight: number;
  primaryAffinity: number;
  crushWeight: number;
  upFrom: number;
  upThru: number;
  downAt: number;
  lastCleanBegin: number;
  lastCleanEnd: number;
  nonce: number;
  /** First of the 8 ports this OSD binds (public v2/v1, cluster, hb front, hb back). */
  portBase: number;
  uuid: string;
  oldWeight: number;
  deadEpoch: number;
  downStamp: string;
  laggyProbability: number;
  laggyInterval: number;
  lastPurgedSnapsScrub: string;
  createdAt: string;
  device: { id: string; dev: string; path: string };
  /** What get_metadata returns; null until the daemon has reported (a new OSD). */
  metadata: Record<string, string> | null;
  /** The tick at which a pending metadata report lands (new OSDs report late). */
  metadataAtTick: number;
  bootTick: number;
  /** Last tick the daemon reported perf counters (frozen while down). */
  lastReportTick: number;
  /** A randomly failed OSD comes back at this tick; -1 = stays down until told. */
  returnAtTick: number;
  downSinceMs: number;
  /** Device capacity in KiB. */
  kb: number;
  /** Derived each refresh from the PGs it holds. */
  kbUsed: number;
  numPgs: number;
  /** Cached JSON fragments, dropped whenever the OSD changes. */
  mapFrag?: string;
  xinfoFrag?: string;
  treeFrag?: string;
  metaFrag?: string;
}

export interface PoolState {
  id: number;
  name: string;
  size: number;
  minSize: number;
  pgNum: number;
  crushRule: number;
  autoscaleMode: string;
  application: Record<string, Record<string, string>>;
  options: Record<string, number | string>;
  flags: number;
  createTime: string;
  lastChange: number;
  quotaMaxBytes: number;
  quotaMaxObjects: number;
  /** Any other `osd pool set` field, dumped under its own name. */
  extra: Record<string, number | string | boolean>;
  /** Client io of the last tick, for osd_pool_stats / pg_status rates. */
  io: { rdOps: number; wrOps: number; rdBytes: number; wrBytes: number };
  recovered: { objects: number; bytes: number };
  pgs: PgState[];
  frag?: string;
}

export interface PgState {
  pool: number;
  ps: number;
  pgid: string;
  /** CRUSH's answer over the in OSDs (down ones included). */
  raw: number[];
  up: number[];
  acting: number[];
  /** pg_temp while backfilling: the old copies keep serving. */
  temp: number[] | null;
  /** OSDs holding a copy (complete or behind): what backfill and stale detection look at. */
  homes: number[];
  /** OSDs that missed writes while down and must recover when back. */
  behind: number[];
  flags: number;
  state: string;
  peeringTicks: number;
  /** Ticks spent in recovery_wait/backfill_wait before the work starts. */
  waitTicks: number;
  recoveryTicks: number;
  backfillTicks: number;
  scrubTicks: number;
  deepScrub: boolean;
  creating: boolean;
  numBytes: number;
  numObjects: number;
  numRead: number;
  numReadKb: number;
  numWrite: number;
  numWriteKb: number;
  numObjectsRecovered: number;
  numBytesRecovered: number;
  degraded: number;
  misplaced: number;
  logSize: number;
  versionEpoch: number;
  versionV: number;
  reportedSeq: number;
  reportedEpoch: number;
  mappingEpoch: number;
  created: number;
  lastEpochClean: number;
  parentSplitBits: number;
  lastFresh: string;
  lastChange: string;
  lastActive: string;
  lastPeered: string;
  lastClean: string;
  lastBecameActive: string;
  lastBecamePeered: string;
  lastUnstale: string;
  lastUndegraded: string;
  lastFullsized: string;
  lastScrub: string;
  lastScrubStamp: string;
  lastDeepScrub: string;
  lastDeepScrubStamp: string;
  lastCleanScrubStamp: string;
  frag?: string;
}

export interface MonState {
  name: string;
  rank: number;
  host: number;
  inQuorum: boolean;
}

export interface MdsDaemon {
  name: string;
  gid: number;
  host: number;
  nonce: number;
  /** fsmap epoch at which it joined as a standby. */
  epoch: number;
}

export interface ServiceDaemon {
  type: string;
  id: string;
  gid: number;
  host: number;
  startEpoch: number;
  startStamp: string;
  status: Record<string, string>;
}

export interface HealthCheck {
  severity: "HEALTH_WARN" | "HEALTH_ERR";
  summary: string;
  count: number;
  detail: string[];
}

/** A disk swap in progress: fail → out → purge → recreate. */
export interface Replacement {
  id: number;
  host: number;
  stage: "failed" | "out" | "purged";
  atTick: number;
}

export interface ConfigEntry {
  section: string;
  name: string;
  value: string;
}
