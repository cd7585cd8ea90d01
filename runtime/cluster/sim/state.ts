// The simulated cluster's mutable state shared by the mutation, evolution and rendering code,
// plus the change set each mutation fills in so exactly the right versions bump, notified once.
import type { LogEntry, NotifyType } from "../types.ts";
import { stamp } from "../_json.ts";
import type {
  ConfigEntry,
  HealthCheck,
  HostState,
  MdsDaemon,
  MonState,
  OsdState,
  PoolState,
  Replacement,
  ServiceDaemon,
  SimOptions,
} from "./model.ts";
import { Random } from "./random.ts";

/** Everything the simulation knows, shared by the mutation, evolution and rendering code. */
export class SimState {
  readonly rand: Random;
  readonly opts: SimOptions;
  fsid = "";
  createdMs = 0;
  createdStamp = "";
  tick = 0;
  osdmapEpoch = 1;
  crushVersion = 1;
  pgmapVersion = 1;
  monmapEpoch = 1;
  fsmapEpoch = 1;
  mgrmapEpoch = 1;
  servicemapEpoch = 1;
  electionEpoch = 3;
  quorumSinceMs = 0;
  osdmapModified = "";
  monmapModified = "";
  /** Bumped whenever any daemon's metadata appears, changes or goes. */
  metadataVersion = 1;
  lastUpChange = "";
  lastInChange = "";
  servicemapModified = "";
  flags = 0;
  /** addr → expiry stamp, as the osdmap's blocklist. */
  blocklist = new Map<string, string>();
  hosts: HostState[] = [];
  osds: (OsdState | undefined)[] = [];
  maxOsd = 0;
  pools = new Map<number, PoolState>();
  poolMax = 0;
  mons: MonState[] = [];
  services = new Map<string, ServiceDaemon>();
  mdsDaemons = new Map<string, MdsDaemon>();
  /** Metadata of daemons gone from the maps but not yet culled by the mgr, keyed "osd.N". */
  lingeringMetadata = new Map<string, { metadata: Record<string, string>; untilTick: number; host: string }>();
  configDb: ConfigEntry[] = [];
  mgrConfig: Record<string, string> = {};
  modifiedOptions = new Set<string>();
  injectedHealth = new Map<string, HealthCheck>();
  healthJson = "";
  healthStatus = "HEALTH_OK";
  healthCodes = new Map<string, string>();
  healthChecks = new Map<string, HealthCheck>();
  /** When each check's last "Health check failed/update" line was logged. */
  healthLoggedAt = new Map<string, number>();
  clogSeq = 1200;
  recentLog: LogEntry[] = [];
  /** Wall-clock seconds of the last ticks (perf counter sample times), newest last. */
  tickTimes: number[] = [];
  ioDelta = { rdOps: 0, wrOps: 0, rdKb: 0, wrKb: 0, bytes: 0, objects: 0, recoveredObjects: 0, recoveredBytes: 0 };
  lastTickSeconds = 1;
  lastTickMs = 0;
  nowStamp = "";
  nowMs = 0;
  /** Stamp of the last pgmap change. */
  pgmapStamp = "";

  replacements: Replacement[] = [];
  /** Mons out of quorum that rejoin at a tick. */
  monReturnAt = new Map<string, number>();
  /** Derived values cached per version (e.g. pgmap aggregates). */
  memo = new Map<string, { version: number; value: unknown }>();

  // Change set of the mutation in progress.
  touched = new Set<string>();
  notifies: [NotifyType, string | object][] = [];
  #osdmapBumped = false;
  /** Placement (CRUSH over in OSDs) must be recomputed for every PG before PG states... */
  placementDirty = false;
  /** ...or only for the PGs that held these OSDs (an OSD going out moves nothing else). */
  remapOsds = new Set<number>();
  pgmapDirty = false;
  /** Something in the pgmap definitely changed (io, pool set): bump even if states did not. */
  pgmapChanged = false;
  /** Health inputs changed outside the maps (an injected check). */
  healthDirty = false;

  constructor(opts: SimOptions) {
    this.opts = opts;
    this.rand = new Random(opts.seed);
  }

  /** Refreshes the wall clock used for every stamp written during this mutation. */
  now(): number {
    this.nowMs = this.opts.clock();
    this.nowStamp = stamp(this.nowMs);
    return this.nowMs;
  }

  /** The epoch an osdmap change in this batch lands in: bumped once per batch. */
  bumpOsdmap(): number {
    if (!this.#osdmapBumped) {
      this.#osdmapBumped = true;
      this.osdmapEpoch += 1;
      this.touch("osd_map");
      this.notify("osd_map", "");
    }
    return this.osdmapEpoch;
  }

  /** Whether the mutation in progress changed anything at all. */
  hasChanges(): boolean {
    return (
      this.touched.size > 0 ||
      this.notifies.length > 0 ||
      this.pgmapDirty ||
      this.pgmapChanged ||
      this.placementDirty ||
      this.remapOsds.size > 0 ||
      this.healthDirty
    );
  }

  touch(...names: string[]): void {
    for (const n of names) this.touched.add(n);
  }

  notify(type: NotifyType, id: string | object): void {
    if (typeof id === "string" && this.notifies.some(([t, i]) => t === type && i === id)) return;
    this.notifies.push([type, id]);
  }

  /** Takes the pending changes, leaving an empty change set. */
  drainChanges(): { touched: Set<string>; notifies: [NotifyType, string | object][] } {
    const out = { touched: this.touched, notifies: this.notifies };
    this.touched = new Set();
    this.notifies = [];
    this.#osdmapBumped = false;
    return out;
  }

  /** Asks for the PGs placed on `osd` to be re-placed (it left the in set). */
  remapFor(osd: number): void {
    this.remapOsds.add(osd);
    this.pgmapDirty = true;
  }

  osd(id: number): OsdState | undefined {
    return id >= 0 ? this.osds[id] : undefined;
  }

  /** Existing OSDs in id order. */
  *existingOsds(): Generator<OsdState> {
    for (const o of this.osds) if (o) yield o;
  }

  poolByName(name: string): PoolState | undefined {
    for (const p of this.pools.values()) if (p.name === name) return p;
    return undefined;
  }

  hasFlag(bit: number): boolean {
    return (this.flags & bit) !== 0;
  }
}
