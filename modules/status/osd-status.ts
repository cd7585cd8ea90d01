// `osd status [bucket]`: one row per OSD with its host, space and I/O rates, as Ceph's table.
import { formatBytes, formatDimless } from "../_lib/units.ts";
import { renderTable, type Column } from "../_lib/table.ts";
import { fnmatch } from "./fnmatch.ts";
import { rate, type StatusReader } from "./counters.ts";

const COLUMNS: Column[] = [
  { name: "ID", align: "r" },
  { name: "HOST", align: "l" },
  { name: "USED", align: "r" },
  { name: "AVAIL", align: "r" },
  { name: "WR OPS", align: "r" },
  { name: "WR DATA", align: "r" },
  { name: "RD OPS", align: "r" },
  { name: "RD DATA", align: "r" },
  { name: "STATE", align: "l" },
];

export class BucketNotFound extends Error {
  override name = "BucketNotFound";
  constructor(readonly bucket: string) {
    super(`Bucket '${bucket}' not found`);
  }
}

/**
 * The OSDs a bucket pattern selects: the items of every CRUSH bucket whose name matches it
 * (fnmatch, as Ceph). Like Ceph, only direct children count: a root's items are hosts, not OSDs.
 */
function osdsInBuckets(r: StatusReader, pattern: string): Set<number> {
  const matching = r.get("osd_map_crush").buckets.filter((b) => fnmatch(b.name, pattern));
  if (matching.length === 0) throw new BucketNotFound(pattern);
  return new Set(matching.flatMap((b) => b.items.map((i) => i.id)));
}

/** The table Ceph prints (the same for every format: Ceph's module has no JSON form of it). */
export function osdStatus(r: StatusReader, bucket: string | undefined): string {
  const only = bucket === undefined ? undefined : osdsInBuckets(r, bucket);
  const stats = new Map(r.get("osd_stats").osd_stats.map((s) => [s.osd, s]));
  const rows = [];
  for (const osd of r.get("osd_map").osds) {
    if (only && !only.has(osd.osd)) continue;
    const id = String(osd.osd);
    const s = stats.get(osd.osd);
    // an OSD without stats yet shows no host and no space, as Ceph's
    const host = s ? (r.getMetadata("osd", id, { hostname: "" }).hostname ?? "") : "";
    rows.push([
      osd.osd,
      host,
      formatBytes(s ? s.kb_used * 1024 : 0, 5),
      formatBytes(s ? s.kb_avail * 1024 : 0, 5),
      formatDimless(rate(r, "osd", id, "osd.op_w") + rate(r, "osd", id, "osd.op_rw"), 5),
      formatBytes(rate(r, "osd", id, "osd.op_in_bytes"), 5),
      formatDimless(rate(r, "osd", id, "osd.op_r"), 5),
      formatBytes(rate(r, "osd", id, "osd.op_out_bytes"), 5),
      osd.state.join(","),
    ]);
  }
  return renderTable(COLUMNS, rows);
}
