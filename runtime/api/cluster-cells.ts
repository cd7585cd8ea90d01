// The cluster's data versions in memory shared with every module isolate of a daemon: slot 0 the
// generation (ClusterSource.generation), then one slot per fixed data name. The prelude checks a
// cached snapshot against its slot, so a repeated get() costs no host call even after other
// names moved. The host rewrites the slots when the generation moved, on each cluster notify and
// before each call into a module: a module sees versions as of its latest call or notify, as
// before (a snapshot stays stable through one turn of module code).
import ivm from "isolated-vm";
import type { ClusterSource } from "../cluster/index.ts";

/** One version of a data name's JSON text, copied once off the V8 heap for every isolate to take. */
export interface SharedText {
  readonly version: number;
  readonly text: ivm.ExternalCopy<string>;
  readonly chars: number;
}

export class ClusterCells {
  readonly buffer: SharedArrayBuffer;
  /** the data names of slots 1…n, in order */
  readonly names: readonly string[];
  readonly #cells: Float64Array;
  readonly #cluster: ClusterSource;
  readonly #generation: () => number;
  readonly #texts = new Map<string, SharedText>();

  constructor(cluster: ClusterSource, generation: () => number) {
    this.#cluster = cluster;
    this.#generation = generation;
    this.names = Object.freeze([...cluster.dataNames()]);
    this.buffer = new SharedArrayBuffer(8 * (1 + this.names.length));
    this.#cells = new Float64Array(this.buffer);
    this.#cells[0] = -2;
    this.refresh();
  }

  /** Brings the slots up to the cluster's generation; O(1) when nothing moved. Returns the generation. */
  refresh(): number {
    const g = this.#generation();
    const cells = this.#cells;
    if (cells[0] === g) return g;
    for (let i = 0; i < this.names.length; i++) cells[i + 1] = this.#cluster.version(this.names[i]!) ?? -1;
    // the generation last: a reader that sees it finds the versions of that generation written
    cells[0] = g;
    return g;
  }

  textOf(name: string): SharedText | undefined {
    const version = this.#cluster.version(name);
    if (version === undefined) return undefined;
    const hit = this.#texts.get(name);
    if (hit && hit.version === version) return hit;
    const json = this.#cluster.getJson(name);
    if (json === undefined) return undefined;
    // transfers already handed out keep their own reference: releasing ours frees it once they land
    hit?.text.release();
    const entry: SharedText = { version, text: new ivm.ExternalCopy(json), chars: json.length };
    this.#texts.set(name, entry);
    return entry;
  }
}

const byCluster = new WeakMap<ClusterSource, ClusterCells>();

/** The daemon's one ClusterCells for this cluster (shared by all its modules); undefined without generation(). */
export function clusterCellsOf(cluster: ClusterSource): ClusterCells | undefined {
  if (!cluster.generation) return undefined;
  let cells = byCluster.get(cluster);
  if (!cells) {
    cells = new ClusterCells(cluster, () => cluster.generation!());
    byCluster.set(cluster, cells);
  }
  return cells;
}
