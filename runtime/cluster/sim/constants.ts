// Fixed facts of a Pacific cluster the simulation reproduces: osdmap flag bits and names,
// version strings, feature masks, capacity figures.

export const CEPH_VERSION = "ceph version 16.2.15 (618f440892089921c3e944a991122ddc44e60516) pacific (stable)";
export const CEPH_VERSION_SHORT = "16.2.15";
/** CEPH_FEATURES_ALL of 16.2.x: too big for a double, so it is kept as digits. */
export const FEATURES_ALL = "4540138314316775423";
export const FEATURES_HEX = "0x3f01cfbdfffdffff";

/** OSDMap flag bits (CEPH_OSDMAP_*), in the order OSDMap::get_flag_string prints them. */
export const OSDMAP_FLAGS: readonly (readonly [string, number])[] = [
  ["nearfull", 1 << 0],
  ["full", 1 << 1],
  ["pauserd", 1 << 2],
  ["pausewr", 1 << 3],
  ["pauserec", 1 << 4],
  ["noup", 1 << 5],
  ["nodown", 1 << 6],
  ["noout", 1 << 7],
  ["noin", 1 << 8],
  ["nobackfill", 1 << 9],
  ["norebalance", 1 << 14],
  ["norecover", 1 << 10],
  ["noscrub", 1 << 11],
  ["nodeep-scrub", 1 << 12],
  ["notieragent", 1 << 13],
  ["nosnaptrim", 1 << 21],
  ["sortbitwise", 1 << 15],
  ["require_jewel_osds", 1 << 16],
  ["require_kraken_osds", 1 << 17],
  ["require_luminous_osds", 1 << 18],
  ["recovery_deletes", 1 << 19],
  ["purged_snapdirs", 1 << 20],
  ["pglog_hardlimit", 1 << 22],
];

export const FLAG = Object.fromEntries(OSDMAP_FLAGS.map(([name, bit]) => [name, bit])) as Record<string, number>;

/** A fresh Pacific cluster's flags: sortbitwise,recovery_deletes,purged_snapdirs,pglog_hardlimit. */
export const DEFAULT_FLAGS = FLAG.sortbitwise! | FLAG.recovery_deletes! | FLAG.purged_snapdirs! | FLAG.pglog_hardlimit!;

/** Flags that raise OSDMAP_FLAGS (OSDMap::check_health). */
export const WARN_FLAGS =
  FLAG.pauserd! |
  FLAG.pausewr! |
  FLAG.pauserec! |
  FLAG.noup! |
  FLAG.nodown! |
  FLAG.noin! |
  FLAG.noout! |
  FLAG.nobackfill! |
  FLAG.norecover! |
  FLAG.noscrub! |
  FLAG["nodeep-scrub"]! |
  FLAG.notieragent! |
  FLAG.nosnaptrim! |
  FLAG.norebalance!;

export function flagString(flags: number): string {
  return OSDMAP_FLAGS.filter(([, bit]) => flags & bit)
    .map(([name]) => name)
    .join(",");
}

export function flagSet(flags: number): string[] {
  return OSDMAP_FLAGS.filter(([, bit]) => flags & bit)
    .map(([name]) => name)
    .sort();
}

/** Pool flag bits (pg_pool_t::FLAG_*). */
export const POOL_FLAG: Record<string, number> = {
  hashpspool: 1 << 0,
  full: 1 << 1,
  ec_overwrites: 1 << 2,
  incomplete_clones: 1 << 3,
  nodelete: 1 << 4,
  nopgchange: 1 << 5,
  nosizechange: 1 << 6,
  write_fadvise_dontneed: 1 << 7,
  noscrub: 1 << 8,
  "nodeep-scrub": 1 << 9,
  full_quota: 1 << 10,
  nearfull: 1 << 11,
  backfillfull: 1 << 12,
  selfmanaged_snaps: 1 << 13,
  pool_snaps: 1 << 14,
  creating: 1 << 15,
};

export function poolFlagNames(flags: number): string {
  return Object.entries(POOL_FLAG)
    .filter(([, bit]) => flags & bit)
    .map(([n]) => n)
    .join(",");
}

export const FULL_RATIO = 0.949999988079071;
export const BACKFILLFULL_RATIO = 0.8999999761581421;
export const NEARFULL_RATIO = 0.8500000238418579;

/** Simulated OSDs are 4 TiB HDDs; BlueStore keeps ~1 GiB for itself. */
export const OSD_BYTES = 4 * 2 ** 40;
export const OSD_OVERHEAD_BYTES = 2 ** 30;
/** CRUSH weight of a 4 TiB device (TiB, as ceph-volume sets it). */
export const OSD_CRUSH_WEIGHT = 3.63869;

/** Where the simulated mgr talks from (matches the fixtures' audit lines). */
export const MGR_GID = 4587;
export const MGR_CLIENT_ADDR = "127.0.0.1:0/21932";
