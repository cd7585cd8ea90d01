// Perf counters as the mgr keeps them: a schema per daemon (counters of priority ≥ 5, the mgr's
// default mgr_stats_threshold) and the last 20 samples of each. A real mgr is sent these by the
// daemons; we ask each daemon (`perf schema` / `perf dump`, via tell) every stats period instead.

export interface CounterInfo {
  description: string;
  nick?: string;
  type: number;
  priority: number;
  units: number;
}

type Schema = Record<string, CounterInfo>;
type Sample = [number, number] | [number, number, number];

const PERFCOUNTER_TIME = 1;
const PERFCOUNTER_LONGRUNAVG = 4;
const PERFCOUNTER_HISTOGRAM = 16;
/** PerfCounterInstance's ring in the mgr */
export const SERIES_LENGTH = 20;
/** mgr_stats_threshold's default (PRIO_USEFUL) */
export const STATS_THRESHOLD = 5;

interface RawInfo {
  type: number;
  description?: string;
  nick?: string;
  priority?: number;
  units?: string | number;
}

/** `perf schema` (section → name → info) → the mgr's flat {"section.name": info}. */
export function schemaFromTell(text: string): Schema {
  const raw = JSON.parse(text) as Record<string, Record<string, RawInfo>>;
  const out: Schema = {};
  for (const [section, counters] of Object.entries(raw)) {
    for (const [name, info] of Object.entries(counters)) {
      const priority = info.priority ?? 0;
      // histograms are not in `perf schema`'s reach (they have a schema command of their own)
      if (priority < STATS_THRESHOLD || info.type & PERFCOUNTER_HISTOGRAM) continue;
      // the mgr's field order; unit_t is UNIT_BYTES = 0, UNIT_NONE = 1
      out[`${section}.${name}`] = Object.freeze({
        description: info.description ?? "",
        ...(info.nick ? { nick: info.nick } : {}),
        type: info.type,
        priority,
        units: info.units === "bytes" || info.units === 0 ? 0 : 1,
      });
    }
  }
  return out;
}

interface Daemon {
  schema: Schema;
  /** the schema text, to tell a real change from a re-read */
  schemaKey: string;
  series: Map<string, Sample[]>;
}

export class PerfCounters {
  readonly #daemons = new Map<string, Daemon>();

  keys(): string[] {
    return [...this.#daemons.keys()];
  }

  has(key: string): boolean {
    return this.#daemons.has(key);
  }

  /** Installs a daemon's schema; true when it is new or different (a perf_schema_update). */
  setSchema(key: string, schemaText: string): boolean {
    const schema = schemaFromTell(schemaText);
    const schemaKey = JSON.stringify(schema);
    const d = this.#daemons.get(key);
    if (d && d.schemaKey === schemaKey) return false;
    this.#daemons.set(key, { schema: Object.freeze(schema), schemaKey, series: new Map() });
    return true;
  }

  forget(key: string): void {
    this.#daemons.delete(key);
  }

  /** Adds one `perf dump` taken at `t` (seconds) to the series of every counter in the schema. */
  addSample(key: string, dumpText: string, t: number): void {
    const d = this.#daemons.get(key);
    if (!d) return;
    const dump = JSON.parse(dumpText) as Record<string, Record<string, unknown>>;
    for (const [path, info] of Object.entries(d.schema)) {
      const dot = path.indexOf(".");
      const v = dump[path.slice(0, dot)]?.[path.slice(dot + 1)];
      const sample = toSample(v, info, t);
      if (!sample) continue;
      let s = d.series.get(path);
      if (!s) d.series.set(path, (s = []));
      s.push(sample);
      if (s.length > SERIES_LENGTH) s.shift();
    }
  }

  schema(svcType: string, svcId: string): unknown {
    const key = `${svcType}.${svcId}`;
    const d = this.#daemons.get(key);
    return d ? { [key]: d.schema } : {};
  }

  counter(svcType: string, svcId: string, path: string): Record<string, [number, number][]> {
    const s = this.#daemons.get(`${svcType}.${svcId}`)?.series.get(path);
    return { [path]: (s ? s.slice() : []) as [number, number][] };
  }

  latest(svcType: string, svcId: string, path: string): Record<string, [number, number] | [number, number, number]> {
    const s = this.#daemons.get(`${svcType}.${svcId}`)?.series.get(path);
    const last = s?.[s.length - 1];
    // Ceph answers an unknown counter with an empty tuple
    return { [path]: (last ? last.slice() : []) as [number, number] };
  }
}

/** A `perf dump` value → [t, v] or, for averages, [t, sum, count] (time sums in ns, as the mgr keeps them). */
function toSample(v: unknown, info: CounterInfo, t: number): Sample | undefined {
  if (info.type & PERFCOUNTER_LONGRUNAVG) {
    if (!v || typeof v !== "object") return undefined;
    const { avgcount, sum } = v as { avgcount?: number; sum?: number };
    const total = info.type & PERFCOUNTER_TIME ? Math.round((sum ?? 0) * 1e9) : (sum ?? 0);
    return [t, total, avgcount ?? 0];
  }
  if (typeof v !== "number") return undefined;
  return [t, info.type & PERFCOUNTER_TIME ? Math.round(v * 1e9) : v];
}
