// Builders for one OSD, pool or PG record, each starting from the real dump's values so a new
// entity carries exactly the fields a Pacific cluster reports.
import { bracketAddr, osdIp, osdPort } from "./addrs.ts";
import { CEPH_VERSION, OSD_BYTES, OSD_CRUSH_WEIGHT, POOL_FLAG } from "./constants.ts";
import { fixture } from "../_fixtures.ts";
import { stamp, stampZ } from "../_json.ts";
import type { OsdState, PgState, PoolSpec, PoolState } from "./model.ts";
import { hash32 } from "./random.ts";
import type { SimState } from "./state.ts";

/** CRUSH weights are 16.16 fixed point: keep the float a real map would show. */
export const CRUSH_WEIGHT = Math.round(OSD_CRUSH_WEIGHT * 0x10000) / 0x10000;
export const OSD_KB = OSD_BYTES / 1024;

/** A new OSD record; it has never booted until `bootOsd` runs. */
export function newOsd(state: SimState, id: number, hostIndex: number, createdMs: number): OsdState {
  const host = state.hosts[hostIndex]!;
  const local = host.osds.length;
  const devLetter = String.fromCharCode(98 + (local % 24));
  const serial = hash32(state.opts.seed, 0xd15c, id).toString(16).toUpperCase().padStart(8, "0");
  return {
    id,
    host: hostIndex,
    up: false,
    in: true,
    isNew: true,
    weight: 1,
    primaryAffinity: 1,
    crushWeight: CRUSH_WEIGHT,
    upFrom: 0,
    upThru: 0,
    downAt: 0,
    lastCleanBegin: 0,
    lastCleanEnd: 0,
    nonce: 0,
    portBase: 6800 + local * 8,
    uuid: state.rand.uuid(),
    oldWeight: 0,
    deadEpoch: 0,
    downStamp: "0.000000",
    laggyProbability: 0,
    laggyInterval: 0,
    lastPurgedSnapsScrub: stamp(createdMs + 500),
    createdAt: stampZ(createdMs),
    device: {
      id: `SEAGATE_ST4000NM0035-1V4107_ZC1${serial}`,
      dev: `sd${devLetter}`,
      path: `/dev/disk/by-path/pci-0000:00:17.0-ata-${local + 2}`,
    },
    metadata: null,
    metadataAtTick: 0,
    bootTick: 0,
    lastReportTick: 0,
    returnAtTick: -1,
    downSinceMs: 0,
    kb: OSD_KB,
    kbUsed: 0,
    numPgs: 0,
  };
}

/** The metadata an OSD reports to the mgr when it boots (the fixture's keys, this OSD's values). */
export function osdMetadata(state: SimState, osd: OsdState): Record<string, string> {
  const template = fixture<Record<string, string>>("mgr-get/get_metadata.osd.0.json");
  const ip = osdIp(state, osd);
  return {
    ...template,
    hostname: state.hosts[osd.host]!.name,
    back_addr: bracketAddr(ip, osdPort(osd, "cluster"), osd.nonce),
    ceph_version: CEPH_VERSION,
    ceph_version_when_created: CEPH_VERSION,
    container_name: "",
    created_at: osd.createdAt,
    device_ids: `${osd.device.dev}=${osd.device.id}`,
    device_paths: `${osd.device.dev}=${osd.device.path}`,
    devices: osd.device.dev,
    front_addr: bracketAddr(ip, osdPort(osd, "public"), osd.nonce),
    hb_back_addr: bracketAddr(ip, osdPort(osd, "hbBack"), osd.nonce),
    hb_front_addr: bracketAddr(ip, osdPort(osd, "hbFront"), osd.nonce),
    osd_data: `/var/lib/ceph/osd/ceph-${osd.id}`,
    osd_objectstore: "bluestore",
  };
}

/** A pool record from the fixture's pool template (pool 1 is always device_health_metrics). */
export function newPool(state: SimState, id: number, spec: PoolSpec, size: number, pgNum: number): PoolState {
  const app = spec.application ?? (id === 1 ? "mgr_devicehealth" : "rbd");
  return {
    id,
    name: spec.name,
    size,
    minSize: size - Math.floor(size / 2),
    pgNum,
    crushRule: 0,
    autoscaleMode: "on",
    application: { [app]: {} },
    options: app === "mgr_devicehealth" ? { pg_num_max: 32, pg_num_min: 1 } : {},
    flags: POOL_FLAG.hashpspool!,
    createTime: state.nowStamp,
    lastChange: state.osdmapEpoch,
    quotaMaxBytes: 0,
    quotaMaxObjects: 0,
    extra: {},
    io: { rdOps: 0, wrOps: 0, rdBytes: 0, wrBytes: 0 },
    recovered: { objects: 0, bytes: 0 },
    pgs: [],
  };
}

/** A PG record; `bytes`/`objects` seed its data, `ageMs` how long ago it was last scrubbed. */
export function newPg(
  state: SimState,
  pool: PoolState,
  ps: number,
  init: { bytes: number; objects: number; creating: boolean; scrubAgeMs: number },
): PgState {
  const epoch = state.osdmapEpoch;
  const now = state.nowStamp;
  const scrubStamp = stamp(state.nowMs - init.scrubAgeMs);
  const deepStamp = stamp(state.nowMs - init.scrubAgeMs * 3);
  const log = Math.min(3000, Math.max(0, Math.round(init.objects * 1.1)));
  const version = init.creating ? "0'0" : `${epoch}'${log}`;
  const bits = pool.pgNum > 1 ? Math.ceil(Math.log2(pool.pgNum)) : 0;
  return {
    pool: pool.id,
    ps,
    pgid: `${pool.id}.${ps.toString(16)}`,
    raw: [],
    up: [],
    acting: [],
    temp: null,
    homes: [],
    behind: [],
    flags: 0,
    state: "unknown",
    peeringTicks: 0,
    waitTicks: 0,
    recoveryTicks: 0,
    backfillTicks: 0,
    scrubTicks: 0,
    deepScrub: false,
    creating: init.creating,
    numBytes: init.bytes,
    numObjects: init.objects,
    numRead: init.objects * 27,
    numReadKb: Math.round((init.bytes / 1024) * 19),
    numWrite: Math.round(init.objects * 0.46),
    numWriteKb: Math.round((init.bytes / 1024) * 0.47),
    numObjectsRecovered: 0,
    numBytesRecovered: 0,
    degraded: 0,
    misplaced: 0,
    logSize: log,
    versionEpoch: init.creating ? 0 : epoch,
    versionV: init.creating ? 0 : log,
    reportedSeq: init.creating ? 0 : 30000 + (ps % 997),
    reportedEpoch: epoch,
    mappingEpoch: epoch,
    created: epoch,
    lastEpochClean: epoch,
    parentSplitBits: bits,
    lastFresh: now,
    lastChange: now,
    lastActive: now,
    lastPeered: now,
    lastClean: now,
    lastBecameActive: now,
    lastBecamePeered: now,
    lastUnstale: now,
    lastUndegraded: now,
    lastFullsized: now,
    lastScrub: version,
    lastScrubStamp: scrubStamp,
    lastDeepScrub: version,
    lastDeepScrubStamp: deepStamp,
    lastCleanScrubStamp: scrubStamp,
  };
}
