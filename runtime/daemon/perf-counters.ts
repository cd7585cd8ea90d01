// The daemon's own counters, for `perf dump` and `perf schema` in Ceph's shapes: sections of
// counters, each a plain number or, for latencies, {avgcount, sum, avgtime} in seconds. Counted
// where the daemon does the work (commands by the router's callers, store writes by the store's
// listener); gauges (modules running, heap) are read when asked.
import type { KvStore } from "../store/index.ts";

/** Ceph's perf counter type bits: 1 time, 2 u64, 4 long-run average, 8 counter (monotonic). */
const TIME = 1;
const U64 = 2;
const LONGRUNAVG = 4;
const COUNTER = 8;

export interface CounterSchema {
  type: number;
  metric_type: "gauge" | "counter";
  value_type: "integer" | "real" | "real-integer-pair" | "integer-integer-pair";
  description: string;
  nick: string;
  priority: number;
  units: "none" | "bytes";
}

interface Avg {
  avgcount: number;
  sum: number;
}

export class PerfCounters {
  readonly started = Date.now();
  builtinCommands = 0;
  moduleCommands = 0;
  commandErrors = 0;
  storeWrites = 0;
  storeRemoteChanges = 0;
  readonly #latency: Avg = { avgcount: 0, sum: 0 };

  constructor(kv: KvStore) {
    kv.subscribe((_key, _value, origin) => {
      if (origin === "remote") this.storeRemoteChanges++;
      else this.storeWrites++;
    });
  }

  /** One command answered, how long it took, and whether it failed. */
  command(kind: "builtin" | "module", ms: number, failed: boolean): void {
    if (kind === "builtin") this.builtinCommands++;
    else this.moduleCommands++;
    if (failed) this.commandErrors++;
    this.#latency.avgcount++;
    this.#latency.sum += ms / 1000;
  }

  /** Runs one command's handler, counting it (failed: it threw or answered a negative retval). */
  async timed<T extends { retval?: number }>(kind: "builtin" | "module", run: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    let failed = true;
    try {
      const r = await run();
      failed = (r.retval ?? 0) < 0;
      return r;
    } finally {
      this.command(kind, performance.now() - t0, failed);
    }
  }

  latency(): { avgcount: number; sum: number; avgtime: number } {
    const { avgcount, sum } = this.#latency;
    return { avgcount, sum, avgtime: avgcount ? sum / avgcount : 0 };
  }
}

const gauge = (description: string, units: CounterSchema["units"] = "none"): CounterSchema => ({
  type: U64,
  metric_type: "gauge",
  value_type: "integer",
  description,
  nick: "",
  priority: 5,
  units,
});
const counter = (description: string): CounterSchema => ({
  type: U64 | COUNTER,
  metric_type: "counter",
  value_type: "integer",
  description,
  nick: "",
  priority: 5,
  units: "none",
});
const latency = (description: string): CounterSchema => ({
  type: TIME | LONGRUNAVG,
  metric_type: "gauge",
  value_type: "real-integer-pair",
  description,
  nick: "",
  priority: 5,
  units: "none",
});

/** What each counter of `perf dump` means, section by section (Ceph's `perf schema`). */
export const PERF_SCHEMA: Readonly<Record<string, Readonly<Record<string, CounterSchema>>>> = {
  tsmgr: {
    uptime: gauge("seconds since the daemon started"),
    builtin_commands: counter("built-in commands answered"),
    module_commands: counter("module commands answered"),
    command_errors: counter("commands answered with an error"),
    command_lat: latency("time to answer a command"),
  },
  modules: {
    modules_known: gauge("modules in the module path"),
    modules_running: gauge("modules running"),
    modules_failed: gauge("modules failed (enabled, not running)"),
    restarts: counter("module restarts after a failure"),
    notifies_coalesced: counter("notifications merged into one while a module was busy"),
    heap_bytes: gauge("V8 heap used by the module isolates", "bytes"),
  },
  store: {
    keys: gauge("keys in the store"),
    writes: counter("writes by this daemon"),
    remote_changes: counter("changes made by other daemons of the group"),
  },
};
