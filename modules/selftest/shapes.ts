// The shapes the self-test expects from `get(name)`: a few key paths per data name, each with
// its JSON type, taken from what a real Ceph 16.2.15 mgr returned (../shared/fixtures). They are
// not every path (config_options alone has thousands): they are the ones modules rely on.
//
// A path is a list of steps separated by ".":
//   key      that key of an object                       "stats.total_bytes"
//   []       every element of an array (up to a limit)   "osds[].osd"
//   {}       every value of an object (up to a limit)    "{}.hostname" (osd_metadata is keyed by id)
// and a type after ":": number, string, boolean, object, array, null, or any of them joined by
// "|". A "?" after the type lets the value be missing. An empty path ("" before ":") is the
// value itself. An empty array or object makes its element paths vacuously true: a cluster
// with no pools is still a valid cluster.

export type JsonType = "number" | "string" | "boolean" | "object" | "array" | "null";

/** Every `get()` name of Ceph Pacific, with its expected key paths. */
export const SHAPES: Readonly<Record<string, readonly string[]>> = {
  osd_map: [
    "epoch:number",
    "fsid:string",
    "flags:string",
    "flags_set:array",
    "flags_set[]:string",
    "max_osd:number",
    "pool_max:number",
    "crush_version:number",
    "full_ratio:number",
    "nearfull_ratio:number",
    "created:string",
    "modified:string",
    "require_osd_release:string",
    "erasure_code_profiles:object",
    "pg_upmap_items:array",
    "blocklist:object",
    "pools[].pool:number",
    "pools[].pool_name:string",
    "pools[].type:number",
    "pools[].size:number",
    "pools[].min_size:number",
    "pools[].pg_num:number",
    "pools[].pg_placement_num:number",
    "pools[].crush_rule:number",
    "pools[].flags_names:string",
    "pools[].pg_autoscale_mode:string",
    "pools[].quota_max_bytes:number",
    "pools[].options:object",
    "pools[].application_metadata:object",
    "osds[].osd:number",
    "osds[].up:number",
    "osds[].in:number",
    "osds[].weight:number",
    "osds[].primary_affinity:number",
    "osds[].up_from:number",
    "osds[].state:array",
    "osds[].state[]:string",
    "osds[].uuid:string",
    "osds[].public_addr:string",
    "osds[].cluster_addr:string",
    "osds[].public_addrs.addrvec:array",
    "osds[].public_addrs.addrvec[].addr:string",
    "osd_xinfo[].osd:number",
    "osd_xinfo[].features:number",
    "osd_xinfo[].down_stamp:string",
  ],
  osd_map_tree: [
    "nodes:array",
    "stray:array",
    "nodes[].id:number",
    "nodes[].name:string",
    "nodes[].type:string",
    "nodes[].type_id:number",
    "nodes[].children:array?",
    "nodes[].status:string?",
    "nodes[].reweight:number?",
    "nodes[].crush_weight:number?",
  ],
  osd_map_crush: [
    "devices[].id:number",
    "devices[].name:string",
    "types[].type_id:number",
    "types[].name:string",
    "buckets[].id:number",
    "buckets[].name:string",
    "buckets[].type_name:string",
    "buckets[].weight:number",
    "buckets[].items:array",
    "rules[].rule_id:number",
    "rules[].rule_name:string",
    "rules[].steps:array",
    "tunables:object",
    "choose_args:object",
  ],
  // The real mgr hands the binary crush map over as a C string: it is "" in Pacific.
  osdmap_crush_map_text: [":string"],
  osd_metadata: [
    ":object",
    "{}.hostname:string",
    "{}.ceph_version:string",
    "{}.ceph_version_short:string",
    "{}.osd_objectstore:string",
    "{}.front_addr:string",
    "{}.back_addr:string",
    "{}.arch:string",
    "{}.devices:string",
    "{}.rotational:string",
  ],
  mds_metadata: [":object"],
  pg_summary: [
    "by_osd:object",
    "by_osd{}{}:number",
    "by_pool:object",
    "by_pool{}{}:number",
    "all:object",
    "all{}:number",
    "pg_stats_sum.stat_sum.num_bytes:number",
    "pg_stats_sum.stat_sum.num_objects:number",
  ],
  pg_status: [
    "num_pgs:number",
    "num_pools:number",
    "num_objects:number",
    "data_bytes:number",
    "bytes_used:number",
    "bytes_avail:number",
    "bytes_total:number",
    "pgs_by_state[].state_name:string",
    "pgs_by_state[].count:number",
    "pgs_by_pool_state[].pool_id:number",
    "pgs_by_pool_state[].pg_state_counts:array",
  ],
  pg_dump: [
    "version:number",
    "stamp:string",
    "last_osdmap_epoch:number",
    "pg_stats_sum.stat_sum:object",
    "osd_stats_sum:object",
    "pg_stats_delta:object",
    "pg_stats[].pgid:string",
    "pg_stats[].state:string",
    "pg_stats[].up:array",
    "pg_stats[].acting:array",
    "pg_stats[].up_primary:number",
    "pg_stats[].acting_primary:number",
    "pg_stats[].reported_epoch:number",
    "pg_stats[].stat_sum.num_objects:number",
    "pg_stats[].stat_sum.num_bytes:number",
    "pg_stats[].last_change:string",
    "pool_stats[].poolid:number",
    "pool_stats[].num_pg:number",
    "osd_stats[].osd:number",
    "osd_stats[].kb:number",
    "pool_statfs:array",
  ],
  pg_stats: [
    "pg_stats:array",
    "pg_stats[].pgid:string",
    "pg_stats[].state:string",
    "pg_stats[].up:array",
    "pg_stats[].acting:array",
    "pg_stats[].reported_epoch:number",
    "pg_stats[].stat_sum.num_objects:number",
  ],
  pool_stats: [
    "pool_stats:array",
    "pool_stats[].poolid:number",
    "pool_stats[].num_pg:number",
    "pool_stats[].stat_sum.num_bytes:number",
    "pool_stats[].stat_sum.num_objects:number",
    "pool_stats[].store_stats:object",
    "pool_stats[].log_size:number",
  ],
  osd_pool_stats: [
    "pool_stats[].pool_name:string",
    "pool_stats[].pool_id:number",
    "pool_stats[].recovery:object",
    "pool_stats[].recovery_rate:object",
    "pool_stats[].client_io_rate:object",
  ],
  osd_stats: [
    "osd_stats:array",
    "pool_statfs:array",
    "osd_stats[].osd:number",
    "osd_stats[].num_pgs:number",
    "osd_stats[].kb:number",
    "osd_stats[].kb_used:number",
    "osd_stats[].kb_avail:number",
    "osd_stats[].statfs.total:number",
    "osd_stats[].hb_peers:array",
    "osd_stats[].perf_stat.commit_latency_ms:number",
    "osd_stats[].perf_stat.apply_latency_ms:number",
    "osd_stats[].alerts:array",
  ],
  osd_ping_times: ["osd_ping_times:array", "osd_ping_times[].osd:number", "osd_ping_times[].network_ping_times:array"],
  df: [
    "stats.total_bytes:number",
    "stats.total_avail_bytes:number",
    "stats.total_used_bytes:number",
    "stats.total_used_raw_bytes:number",
    "stats.total_used_raw_ratio:number",
    "stats.num_osds:number",
    "stats_by_class:object",
    "stats_by_class{}.total_bytes:number",
    "pools[].name:string",
    "pools[].id:number",
    "pools[].stats.stored:number",
    "pools[].stats.objects:number",
    "pools[].stats.bytes_used:number",
    "pools[].stats.percent_used:number",
    "pools[].stats.max_avail:number",
    "pools[].stats.rd:number",
    "pools[].stats.wr_bytes:number",
  ],
  io_rate: [
    "pg_stats_delta.stat_sum:object",
    "pg_stats_delta.stat_sum.num_read:number",
    "pg_stats_delta.stamp_delta:string",
  ],
  pg_ready: ["pg_ready:boolean"],
  pg_progress: [
    "pgs:object",
    "pgs{}.state:string",
    "pgs{}.num_bytes:number",
    "pgs{}.reported_epoch:number",
    "pg_ready:boolean",
  ],
  active_clean_pgs: [
    "pg_stats[].pgid:string",
    "pg_stats[].state:string",
    "pg_stats[].reported_epoch:number",
    "total_num_pgs:number",
  ],
  // health and mon_status wrap a JSON *string*, as in ceph-mgr: INNER below checks what is inside.
  health: ["json:string"],
  mon_status: ["json:string"],
  mon_map: [
    "epoch:number",
    "fsid:string",
    "min_mon_release_name:string",
    "features:object",
    "mons:array",
    "mons[].rank:number",
    "mons[].name:string",
    "mons[].addr:string",
    "mons[].public_addr:string",
    "mons[].public_addrs.addrvec:array",
  ],
  fs_map: [
    "epoch:number",
    "default_fscid:number",
    "compat:object",
    "feature_flags:object",
    "standbys:array",
    "filesystems:array",
  ],
  mgr_map: [
    "epoch:number",
    "active_gid:number",
    "active_name:string",
    "available:boolean",
    "standbys:array",
    "modules:array",
    "modules[]:string",
    "available_modules[].name:string",
    "available_modules[].can_run:boolean",
    "services:object",
    "always_on_modules:object",
  ],
  service_map: ["epoch:number", "services:object", "modified:string"],
  config: [":object", "{}:string", "name:string", "cluster:string"],
  config_options: [
    "options:array",
    "options[].name:string",
    "options[].type:string",
    "options[].level:string",
    "options[].desc:string",
    "options[].can_update_at_runtime:boolean",
    "options[].services:array",
    "options[].flags:array",
  ],
  modified_config_options: ["options:array", "options[]:string"],
  devices: [
    "devices:array",
    "devices[].devid:string",
    "devices[].location:array",
    "devices[].location[].host:string",
    "devices[].daemons:array",
    "devices[].daemons[]:string",
  ],
  mgr_ips: ["ips:array", "ips[]:string"],
  have_local_config_map: ["have_local_config_map:boolean"],
};

/** The parsed `json` strings of `health` and `mon_status`. */
export const INNER: Readonly<Record<string, readonly string[]>> = {
  health: [
    "status:string",
    "checks:object",
    "checks{}.severity:string",
    "checks{}.summary.message:string",
    "checks{}.summary.count:number",
    "checks{}.detail:array",
    "checks{}.muted:boolean",
    "mutes:array",
  ],
  mon_status: [
    "name:string",
    "rank:number",
    "state:string",
    "election_epoch:number",
    "quorum:array",
    "quorum[]:number",
    "outside_quorum:array",
    "monmap.epoch:number",
    "monmap.fsid:string",
    "monmap.mons[].name:string",
    "monmap.mons[].rank:number",
  ],
};

/** `get("device <devid>")`: one device of `get("devices")`, wrapped. */
export const DEVICE = ["device.devid:string", "device.location:array", "device.daemons:array"];

// Other accessors, by what they return for a daemon that exists.
export const SERVER = [
  "hostname:string",
  "ceph_version:string?",
  "services:array",
  "services[].type:string",
  "services[].id:string",
];
export const OSD_METADATA = ["hostname:string", "ceph_version:string", "osd_objectstore:string", "front_addr:string"];
export const MON_METADATA = ["hostname:string", "ceph_version:string", "addrs:string?"];
export const PERF_COUNTER_INFO = [
  "description:string",
  "nick:string?",
  "type:number",
  "priority:number",
  "units:number",
];

/** At most this many elements of one array (or values of one object) are checked. */
const SAMPLE = 64;

/** The JSON type of a value, as the spec names it. */
export function typeOf(v: unknown): JsonType | "undefined" {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  const t = typeof v;
  return t === "number" || t === "string" || t === "boolean" || t === "object" ? t : "undefined";
}

/**
 * Checks `value` against a list of "path:type" specs; returns one line per problem (none when
 * the value has the shape). `what` names the value in the messages.
 */
export function checkShape(what: string, value: unknown, specs: readonly string[]): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const colon = spec.lastIndexOf(":");
    let typeSpec = spec.slice(colon + 1);
    const optional = typeSpec.endsWith("?");
    if (optional) typeSpec = typeSpec.slice(0, -1);
    const allowed = typeSpec.split("|");
    walk(
      value,
      splitPath(spec.slice(0, colon)),
      what,
      optional,
      (v, at) => {
        const t = typeOf(v);
        if (t === "undefined" || (t === "null" && optional)) {
          if (!optional) problems.push(`${at} is missing (expected ${typeSpec})`);
        } else if (!allowed.includes(t)) {
          problems.push(`${at} is ${article(t)}, expected ${typeSpec}`);
        }
      },
      (at, msg) => problems.push(`${at} ${msg}`),
    );
    if (problems.length >= 20) break; // enough to see what is wrong
  }
  return [...new Set(problems)];
}

function article(t: string): string {
  return `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}`;
}

/** "osds[].state[]" → ["osds", "[]", "state", "[]"] */
function splitPath(path: string): string[] {
  const steps: string[] = [];
  for (const part of path.split(".")) {
    if (part === "") continue;
    const m = /^([^[{]*)((?:\[\]|\{\})*)$/.exec(part);
    if (!m) throw new Error(`bad shape path ${JSON.stringify(path)}`);
    if (m[1]) steps.push(m[1]);
    for (const s of m[2]!.match(/\[\]|\{\}/g) ?? []) steps.push(s);
  }
  return steps;
}

/**
 * Calls `leaf` with every value the steps reach; `bad` when a container on the way is missing
 * or of the wrong kind (an optional path may be missing anywhere).
 */
function walk(
  v: unknown,
  steps: readonly string[],
  at: string,
  optional: boolean,
  leaf: (v: unknown, at: string) => void,
  bad: (at: string, msg: string) => void,
): void {
  if (steps.length === 0) return leaf(v, at);
  const [step, ...rest] = steps as [string, ...string[]];
  if (v === undefined || v === null) {
    if (!optional) bad(at, "is missing");
    return;
  }
  if (step === "[]") {
    if (!Array.isArray(v)) return bad(at, `is ${article(typeOf(v))}, expected an array`);
    v.slice(0, SAMPLE).forEach((e, i) => walk(e, rest, `${at}[${i}]`, optional, leaf, bad));
  } else if (typeOf(v) !== "object") {
    bad(at, `is ${article(typeOf(v))}, expected an object`);
  } else if (step === "{}") {
    for (const [k, e] of Object.entries(v as object).slice(0, SAMPLE)) walk(e, rest, `${at}.${k}`, optional, leaf, bad);
  } else {
    walk((v as Record<string, unknown>)[step], rest, `${at}.${step}`, optional, leaf, bad);
  }
}
