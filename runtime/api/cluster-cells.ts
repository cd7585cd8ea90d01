// The cluster's data versions in memory shared with every module isolate of a daemon: slot 0 the
// generation (ClusterSource.generation), then one slot per fixed data name. The prelude checks a
// cached snapshot against its slot, so a repeated get() costs no host call even after other
// names moved. The host rewrites the slots when the generation moved, on each cluster notify and
// before each call into a module: a module sees versions as of its latest call or notify, as
// before (a snapshot stays stable through one turn of module code).
import ivm from "isolated-vm";
import type { ClusterSource } from "../cluster/index.ts";
import { diffJson } from "./snapshot-patch.ts";

/** Texts up to this many characters are kept for patches (parsed on the host once per version). */
const PATCH_MAX_CHARS = 2 * 1024 * 1024;
/** A patch is worth sending when its text is at most this share of the full text. */
const PATCH_MAX_SHARE = 0.25;
/** Past this many replaced values the diff gives up early (everything changed: send the text). */
const PATCH_MAX_OPS = 2000;

/** One version of a data name's JSON text, copied once off the V8 heap for every isolate to take. */
export interface SharedText {
  readonly version: number;
  readonly text: ivm.ExternalCopy<string>;
  readonly chars: number;
}

/** The JSON of a name's current version and of the one before, parsed once needed for a patch. */
interface JsonVersions {
  version: number;
  json: string;
  parsed?: unknown;
  prev?: { version: number; json: string; parsed?: unknown };
}

export class ClusterCells {
  readonly buffer: SharedArrayBuffer;
  /** the data names of slots 1…n, in order */
  readonly names: readonly string[];
  readonly #cells: Float64Array;
  readonly #cluster: ClusterSource;
  readonly #generation: () => number;
  readonly #texts = new Map<string, SharedText>();
  /** per name: the JSON of the version before the current one, and of the current one (for patches) */
  readonly #json = new Map<string, JsonVersions>();
  /** per name: the patch from the previous version to the current one (null: not worth one) */
  readonly #patches = new Map<string, { version: number; base: number; patch: SharedText | null }>();
  /** patches made so far (for tests and the bench: that they are used at all) */
  patchesMade = 0;

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
    const before = this.#json.get(name);
    if (json.length <= PATCH_MAX_CHARS) {
      const prev = before && { version: before.version, json: before.json, parsed: before.parsed };
      this.#json.set(name, { prev, version, json });
    } else this.#json.delete(name);
    return entry;
  }

  /**
   * The current version of `name` as changes from version `base`, which the isolate asking holds
   * (runtime/api/snapshot-patch.ts); undefined when there is none or it would not pay. Computed
   * once per version and shared, like the text.
   */
  patchOf(name: string, base: number): SharedText | undefined {
    const cur = this.textOf(name);
    if (!cur) return undefined;
    const hit = this.#patches.get(name);
    if (hit && hit.version === cur.version && hit.base === base) return hit.patch ?? undefined;
    const j = this.#json.get(name);
    if (!j || j.version !== cur.version || j.prev?.version !== base) return undefined;
    let patch: SharedText | null = null;
    // the parsed current version is kept: it is the base of the next version's patch
    j.parsed ??= JSON.parse(j.json);
    const ops = diffJson(j.prev.parsed ?? JSON.parse(j.prev.json), j.parsed, PATCH_MAX_OPS);
    j.prev.parsed = undefined;
    if (ops) {
      const text = JSON.stringify(ops);
      if (text.length <= j.json.length * PATCH_MAX_SHARE) {
        patch = { version: cur.version, text: new ivm.ExternalCopy(text), chars: text.length };
        this.patchesMade++;
      }
    }
    hit?.patch?.text.release();
    this.#patches.set(name, { version: cur.version, base, patch });
    return patch ?? undefined;
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
