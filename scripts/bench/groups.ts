// The groups of the bench and the figures each promises: names, units, targets (from the DESIGN
// "Targets" table; null for companions), in output order. Pure data, so that a group whose code
// cannot even be loaded (a runtime/ API it uses changed) still reports its figures as null, why.
import type { FigureSpec } from "./lib.ts";

export interface GroupSpec {
  name: string;
  /** the module in this folder exporting `run(ctx)` */
  file: string;
  about: string;
  /** wall-clock budget; the group's loops stop early when it runs out */
  budgetMs: number;
  figures: FigureSpec[];
}

export const GROUPS: GroupSpec[] = [
  {
    name: "cold-start",
    file: "cold-start.ts",
    about: "hello module start: nothing cached vs. on-disk bundle cache (runner.start → first command)",
    budgetMs: 60_000,
    figures: [
      { name: "cold_start_p50_ms", target: 30, unit: "ms", better: "lower" },
      { name: "cold_start_p95_ms", target: null, unit: "ms", better: "lower" },
      { name: "cached_start_p50_ms", target: 5, unit: "ms", better: "lower" },
      { name: "cached_start_p95_ms", target: null, unit: "ms", better: "lower" },
      { name: "cold_start_bundle_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "cache_lookup_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "cold_start_enable_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "cached_start_enable_p50_ms", target: null, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "commands",
    file: "commands.ts",
    about: "admin-socket command round trip and throughput (1 and 16 clients) against a child daemon",
    budgetMs: 60_000,
    figures: [
      { name: "command_rtt_p50_ms", target: 1, unit: "ms", better: "lower" },
      { name: "command_rtt_p99_ms", target: null, unit: "ms", better: "lower" },
      { name: "commands_per_sec", target: 5000, unit: "cmds/s", better: "higher" },
      { name: "commands_per_sec_1c", target: null, unit: "cmds/s", better: "higher" },
      { name: "command_rtt_16c_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "command_rtt_16c_p99_ms", target: null, unit: "ms", better: "lower" },
      { name: "command_inproc_p50_us", target: null, unit: "µs", better: "lower" },
      { name: "command_builtin_rtt_p50_ms", target: null, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "cluster-data",
    file: "cluster-data.ts",
    about:
      "get('osd_map') at 100 / 1,000 / 10,000 OSDs and get('pg_dump') at 2,048 PGs: repeated and first-after-change",
    budgetMs: 120_000,
    figures: [
      { name: "get_osd_map_repeat_us", target: 5, unit: "µs", better: "lower" },
      { name: "get_osd_map_first_ms", target: 5, unit: "ms", better: "lower" },
      { name: "get_osd_map_first_render_ms", target: null, unit: "ms", better: "lower" },
      { name: "get_osd_map_first_into_isolate_ms", target: null, unit: "ms", better: "lower" },
      { name: "get_osd_map_patch_host_ms", target: null, unit: "ms", better: "lower" },
      { name: "get_osd_map_after_gc_ms", target: null, unit: "ms", better: "lower" },
      { name: "sync_host_call_us", target: null, unit: "µs", better: "lower" },
      { name: "get_osd_map_100_repeat_us", target: null, unit: "µs", better: "lower" },
      { name: "get_osd_map_100_first_ms", target: null, unit: "ms", better: "lower" },
      { name: "get_osd_map_10k_repeat_us", target: null, unit: "µs", better: "lower" },
      { name: "get_osd_map_10k_first_ms", target: 100, unit: "ms", better: "lower" },
      { name: "get_pg_dump_repeat_us", target: 5, unit: "µs", better: "lower" },
      { name: "get_pg_dump_first_ms", target: 30, unit: "ms", better: "lower" },
      { name: "get_pg_dump_first_render_ms", target: null, unit: "ms", better: "lower" },
      { name: "get_pg_dump_first_into_isolate_ms", target: null, unit: "ms", better: "lower" },
      { name: "pg_dump_json_mb", target: null, unit: "MiB", better: "lower" },
    ],
  },
  {
    name: "data-reads",
    file: "data-reads.ts",
    about:
      "reads with no host call: getModuleOption() from the in-isolate mirror, first get('osd_map') in a subscribed module after its notify",
    budgetMs: 40_000,
    figures: [
      { name: "module_option_read_us", target: 1, unit: "µs", better: "lower" },
      { name: "get_osd_map_first_subscribed_ms", target: 1, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "store",
    file: "store.ts",
    about: "KvStore on SQLite: durable set() latency, 8 concurrent writers, get(); then through a module",
    budgetMs: 45_000,
    figures: [
      { name: "store_write_p50_ms", target: 1, unit: "ms", better: "lower" },
      { name: "store_write_p99_ms", target: null, unit: "ms", better: "lower" },
      { name: "store_writes_per_sec_8", target: 20_000, unit: "writes/s", better: "higher" },
      { name: "store_read_us", target: 2, unit: "µs", better: "lower" },
      { name: "disk_fsync_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "module_store_write_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "module_store_writes_per_sec_8", target: null, unit: "writes/s", better: "higher" },
      { name: "module_store_read_us", target: 1, unit: "µs", better: "lower" },
    ],
  },
  {
    name: "hot-reload",
    file: "hot-reload.ts",
    about: "file saved → new code answering a command (small module, and one bundling ~1 MB)",
    budgetMs: 60_000,
    figures: [
      { name: "hot_reload_p50_ms", target: 50, unit: "ms", better: "lower" },
      { name: "hot_reload_p95_ms", target: 150, unit: "ms", better: "lower" },
      { name: "hot_reload_1mb_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "hot_reload_1mb_p95_ms", target: null, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "memory",
    file: "memory.ts",
    about: "100 small modules in one child daemon: RSS per idle isolate, idle CPU, notify fan-out CPU at 10 events/s",
    budgetMs: 75_000,
    figures: [
      { name: "idle_isolate_mb", target: 2, unit: "MiB", better: "lower" },
      { name: "idle_isolate_heap_mb", target: null, unit: "MiB", better: "lower" },
      { name: "notify_fanout_cpu_pct", target: 40, unit: "%", better: "lower" },
      { name: "notify_fanout_warmup_cpu_pct", target: null, unit: "%", better: "lower" },
      { name: "notify_fanout_noget_cpu_pct", target: null, unit: "%", better: "lower" },
      { name: "notify_baseline_cpu_pct", target: null, unit: "%", better: "lower" },
    ],
  },
  {
    name: "start",
    file: "start.ts",
    about:
      "daemon start with 100 enabled modules (cold and warm bundle cache), status during start, idle CPU of 100 modules",
    budgetMs: 90_000,
    figures: [
      { name: "start_100_modules_ms", target: 3000, unit: "ms", better: "lower" },
      { name: "start_100_modules_warm_ms", target: 1000, unit: "ms", better: "lower" },
      { name: "start_daemon_empty_ms", target: null, unit: "ms", better: "lower" },
      { name: "start_status_first_ms", target: null, unit: "ms", better: "lower" },
      { name: "start_100_modules_after_socket_ms", target: null, unit: "ms", better: "lower" },
      { name: "idle_100_modules_cpu_pct", target: 1, unit: "%", better: "lower" },
    ],
  },
  {
    name: "cli",
    file: "cli.ts",
    about:
      "'tsmgr status' end to end beside 'node -e 0' and 'ceph status' (dev cluster, where Ceph is installed), interleaved",
    budgetMs: 120_000,
    figures: [
      { name: "cli_status_vs_node_ratio", target: 1.25, unit: "×", better: "lower" },
      { name: "cli_status_vs_ceph_ratio", target: null, unit: "×", better: "lower" },
      { name: "cli_status_vs_node_cpu_ratio", target: null, unit: "×", better: "lower" },
      { name: "cli_status_ms", target: null, unit: "ms", better: "lower" },
      { name: "cli_node_ms", target: null, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "http",
    file: "http.ts",
    about: "requests/s to a module's trivial HTTP handler (load from a separate process)",
    budgetMs: 30_000,
    figures: [
      { name: "http_req_per_sec", target: 5000, unit: "req/s", better: "higher" },
      { name: "http_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "http_p99_ms", target: null, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "failover",
    file: "failover.ts",
    about:
      "two child daemons on one data dir (SQLite election, leaseMs 2000): kill -9 the active, time until the standby answers as active",
    budgetMs: 150_000,
    figures: [
      { name: "failover_ms", target: 3000, unit: "ms", better: "lower" },
      { name: "failover_max_ms", target: null, unit: "ms", better: "lower" },
      { name: "failover_min_ms", target: null, unit: "ms", better: "lower" },
    ],
  },
  {
    name: "etcd",
    file: "etcd.ts",
    about:
      "durable writes through KvStore on a real etcd of 1 and 3 members (only where etcd is installed), beside the SQLite store figures",
    budgetMs: 90_000,
    figures: [
      { name: "etcd_1m_write_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "etcd_1m_write_p99_ms", target: null, unit: "ms", better: "lower" },
      { name: "etcd_1m_writes_per_sec_8", target: null, unit: "writes/s", better: "higher" },
      { name: "etcd_3m_write_p50_ms", target: null, unit: "ms", better: "lower" },
      { name: "etcd_3m_write_p99_ms", target: null, unit: "ms", better: "lower" },
      { name: "etcd_3m_writes_per_sec_8", target: null, unit: "writes/s", better: "higher" },
    ],
  },
];
