// The figures of per-module accounting as Prometheus metrics (prom-client), plus the daemon
// process's own (CPU, memory, event loop lag, prefixed tsmgr_). Each scrape reads the
// accounting afresh: the metrics hold no state of their own.
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import { MetricsServer } from "../http/metrics-server.ts";
import { CALL_KINDS, type ModuleAccounting } from "./accounting.ts";

type Source = () => ModuleAccounting[];
type Sample = [labels: Record<string, string>, value: number][];

/** A metric whose values are read from the accounting on each scrape. */
function reading(
  reg: Registry,
  kind: "counter" | "gauge",
  name: string,
  help: string,
  labelNames: string[],
  values: (a: ModuleAccounting) => Sample,
): (rows: ModuleAccounting[]) => void {
  const m =
    kind === "counter"
      ? new Counter({ name, help, labelNames, registers: [reg] })
      : new Gauge({ name, help, labelNames, registers: [reg] });
  return (rows) => {
    m.reset();
    for (const a of rows) for (const [labels, v] of values(a)) (m as Counter).inc(labels, Math.max(0, v));
  };
}

const one =
  (f: (a: ModuleAccounting) => number) =>
  (a: ModuleAccounting): Sample => [[{ module: a.name }, f(a)]];
const perKind =
  (f: (c: ModuleAccounting["calls"][keyof ModuleAccounting["calls"]]) => number) =>
  (a: ModuleAccounting): Sample =>
    CALL_KINDS.map((k) => [{ module: a.name, kind: k }, f(a.calls[k])]);
const shares = (a: ModuleAccounting): Sample => [
  [{ module: a.name, window: "5s" }, a.cpu_share_5s],
  [{ module: a.name, window: "60s" }, a.cpu_share_60s],
];

/** Every module metric: kind, name, help, labels, and how its samples are read from the accounting. */
const METRICS: [
  kind: "counter" | "gauge",
  name: string,
  help: string,
  labels: string[],
  values: (a: ModuleAccounting) => Sample,
][] = [
  [
    "counter",
    "tsmgr_module_cpu_seconds_total",
    "CPU time of the module's isolate, host time charged to it included",
    ["module"],
    one((a) => a.cpu_seconds_total),
  ],
  [
    "gauge",
    "tsmgr_module_cpu_share",
    "share of one core the module used over the window",
    ["module", "window"],
    shares,
  ],
  [
    "gauge",
    "tsmgr_module_heap_used_bytes",
    "heap in use in the module's isolate",
    ["module"],
    one((a) => a.heap_used_bytes),
  ],
  [
    "gauge",
    "tsmgr_module_heap_limit_bytes",
    "the isolate's heap limit (limits.memoryMb)",
    ["module"],
    one((a) => a.heap_limit_bytes),
  ],
  ["counter", "tsmgr_module_calls_total", "calls into the module by kind", ["module", "kind"], perKind((c) => c.count)],
  [
    "counter",
    "tsmgr_module_call_errors_total",
    "calls into the module that failed, by kind",
    ["module", "kind"],
    perKind((c) => c.errors),
  ],
  [
    "counter",
    "tsmgr_module_call_seconds_total",
    "time spent in calls into the module, by kind (divide by calls_total for the mean latency)",
    ["module", "kind"],
    perKind((c) => c.seconds_total),
  ],
  ["counter", "tsmgr_module_errors_total", "failed calls and module failures", ["module"], one((a) => a.errors)],
  ["counter", "tsmgr_module_restarts_total", "restarts after a failure", ["module"], one((a) => a.restarts)],
  ["gauge", "tsmgr_module_store_keys", "keys the module keeps in the store", ["module"], one((a) => a.store_keys)],
  [
    "gauge",
    "tsmgr_module_store_bytes",
    "bytes of keys and values the module keeps in the store",
    ["module"],
    one((a) => a.store_bytes),
  ],
  [
    "counter",
    "tsmgr_module_http_requests_total",
    "HTTP requests the module's server answered",
    ["module"],
    one((a) => a.http_requests),
  ],
  [
    "counter",
    "tsmgr_module_fetch_bytes_total",
    "bytes the module fetched from the network",
    ["module"],
    one((a) => a.fetch_bytes),
  ],
];

export function moduleRegistry(source: Source): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: "tsmgr_" });
  const fills = METRICS.map(([kind, name, help, labels, values]) => reading(reg, kind, name, help, labels, values));
  const metrics = reg.metrics.bind(reg);
  reg.metrics = () => {
    const rows = source();
    for (const fill of fills) fill(rows);
    return metrics();
  };
  return reg;
}

/** Serves the registry at GET /metrics on `address`. */
export async function listenMetrics(address: string, source: Source): Promise<MetricsServer> {
  const reg = moduleRegistry(source);
  return MetricsServer.listen(address, () => reg.metrics(), reg.contentType);
}
