// `osd pool autoscale-status` as text: Ceph's columns, alignments and cell formats.
import type { PoolStatus } from "./pool-status.ts";
import { floatRepr } from "../_lib/pyjson.ts";
import { renderTable, type Align, type Column } from "../_lib/table.ts";
import { formatBytes } from "../_lib/units.ts";

const COLUMNS: Column[] = (
  [
    ["POOL", "l"],
    ["SIZE", "r"],
    ["TARGET SIZE", "r"],
    ["RATE", "r"],
    ["RAW CAPACITY", "r"],
    ["RATIO", "r"],
    ["TARGET RATIO", "r"],
    ["EFFECTIVE RATIO", "r"],
    ["BIAS", "r"],
    ["PG_NUM", "r"],
    ["NEW PG_NUM", "r"],
    ["AUTOSCALE", "l"],
    ["BULK", "l"],
  ] as [string, Align][]
).map(([name, align]) => ({ name, align }));

/** Python's "%.4f". */
const fixed4 = (x: number): string => x.toFixed(4);

export function statusTable(pools: readonly PoolStatus[]): string {
  const rows = pools.map((p) => [
    p.pool_name,
    formatBytes(p.logical_used, 6),
    p.target_bytes > 0 ? formatBytes(p.target_bytes, 6) : "",
    floatRepr(p.raw_used_rate),
    formatBytes(p.subtree_capacity, 6),
    fixed4(p.capacity_ratio),
    p.target_ratio > 0 ? fixed4(p.target_ratio) : "",
    p.effective_target_ratio > 0 ? fixed4(p.effective_target_ratio) : "",
    floatRepr(p.bias),
    String(p.pg_num_target),
    p.would_adjust ? String(p.pg_num_final) : "",
    p.pg_autoscale_mode,
    p.bulk ? "True" : "False",
  ]);
  return renderTable(COLUMNS, rows);
}
