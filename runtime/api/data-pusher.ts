// Which cluster snapshots to move into one module's isolate ahead of its get(): the data of the
// notify types it subscribes to, and what it fetched recently. Each name goes in once per
// version, as the one ExternalCopy of that version's text (rendered once, shared by all modules),
// or, when the isolate holds the version before, as the changes since (snapshot-patch.ts).
import type { ClusterSource } from "../cluster/index.ts";
import type { PushedData } from "../sandbox/index.ts";
import type { ClusterCells, SharedText } from "./cluster-cells.ts";

/** The data a notify type announces (NOTIFY_TYPES → get() name). */
const NOTIFY_DATA: Readonly<Record<string, string>> = {
  osd_map: "osd_map",
  pg_summary: "pg_summary",
  health: "health",
  mon_map: "mon_map",
  fs_map: "fs_map",
  service_map: "service_map",
  mgr_map: "mgr_map",
  mon_status: "mon_status",
};

/** A name fetched within this long is pushed when it changes, subscribed or not. */
const RECENT_MS = 60_000;

export class DataPusher {
  readonly #cluster: ClusterSource;
  readonly #cells: ClusterCells;
  readonly #granted: (name: string) => boolean;
  /** texts above this many characters are held weakly in the isolate: not worth pushing */
  readonly #maxChars: number;
  /** name → the version the isolate holds and when the module last fetched it */
  readonly #held = new Map<string, { version: number; at: number }>();

  constructor(cluster: ClusterSource, cells: ClusterCells, granted: (name: string) => boolean, maxChars: number) {
    this.#cluster = cluster;
    this.#cells = cells;
    this.#granted = granted;
    this.#maxChars = maxChars;
  }

  /** The module fetched `name` at `version` (its get() went to the host). */
  read(name: string, version: number): void {
    this.#held.set(name, { version, at: performance.now() });
  }

  /** Whether a recently fetched name has a newer version than the isolate holds. */
  stale(): boolean {
    const now = performance.now();
    for (const [name, h] of this.#held) {
      if (now - h.at < RECENT_MS && this.#cluster.version(name) !== h.version) return true;
    }
    return false;
  }

  /** What to move in now: the data of `type` (a subscribed notify) and recently fetched names that moved. */
  take(type?: string): PushedData {
    const out: { name: string; version: number; base?: number; text: SharedText["text"] }[] = [];
    const now = performance.now();
    const names = new Set<string>();
    const announced = type === undefined ? undefined : NOTIFY_DATA[type];
    if (announced !== undefined && this.#granted(announced)) names.add(announced);
    for (const [name, h] of this.#held) if (now - h.at < RECENT_MS) names.add(name);
    for (const name of names) {
      const h = this.#held.get(name);
      if (h !== undefined && this.#cluster.version(name) === h.version) continue;
      const shared = this.#cells.textOf(name);
      if (shared === undefined || shared.chars > this.#maxChars) continue;
      // the isolate holds the version before: the changes go in instead of the whole text
      const patch = h && this.#cells.patchOf(name, h.version);
      out.push(
        patch
          ? { name, version: shared.version, base: h!.version, text: patch.text }
          : { name, version: shared.version, text: shared.text },
      );
      // a push is not a fetch: only the module's own fetches keep a name recent
      this.#held.set(name, { version: shared.version, at: h?.at ?? -Infinity });
    }
    return out;
  }
}
