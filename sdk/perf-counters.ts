// The perf-counter constants of mgr_module.py, for getAllPerfCounters() and reading a schema's
// `type` and `priority`. Also static on MgrModule (`this.PRIO_USEFUL` reads as in a Ceph module).

/**
 * Counter priorities (mgr_module.py): getAllPerfCounters() reads PRIO_USEFUL and above by default.
 *
 * ```ts
 * import { PRIO_INTERESTING } from "@tsmgr/sdk";
 * this.getAllPerfCounters(PRIO_INTERESTING);
 * ```
 */
export const PRIO_CRITICAL = 10;
export const PRIO_INTERESTING = 8;
export const PRIO_USEFUL = 5;
export const PRIO_UNINTERESTING = 2;
export const PRIO_DEBUGONLY = 0;
/** Counter value and kind bits of a schema's `type` (mgr_module.py). */
export const PERFCOUNTER_TIME = 1;
export const PERFCOUNTER_U64 = 2;
export const PERFCOUNTER_LONGRUNAVG = 4;
export const PERFCOUNTER_COUNTER = 8;
export const PERFCOUNTER_HISTOGRAM = 0x10;
export const PERFCOUNTER_TYPE_MASK = ~3;
