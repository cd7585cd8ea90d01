// Perf counters: the real OSD and mon schemas, with values that are a pure function of (daemon,
// counter, tick), so 10k OSDs cost no memory; counters only grow, averages carry (sum, count).
import { fixture } from "../_fixtures.ts";
import { hashUnit } from "./random.ts";
import type { SimState } from "./state.ts";

interface CounterInfo {
  description: string;
  nick?: string;
  type: number;
  priority: number;
  units: number;
  value?: number;
  count?: number;
}
type Schema = Record<string, CounterInfo>;

const TYPE_U64 = 2;
const TYPE_LONGRUNAVG = 4;
const TYPE_COUNTER = 8;
const TYPE_HISTOGRAM = 16;
/** The mgr keeps the last 20 samples of each counter (PerfCounterInstance's ring). */
export const SERIES_LENGTH = 20;

function schemaOf(type: string): Schema | undefined {
  if (type === "osd") return fixture<Record<string, Schema>>("mgr-get/get_perf_schema.osd.0.json")["osd.0"];
  if (type === "mon")
    return stripValues("mon", fixture<Record<string, Schema>>("mgr-get/get_all_perf_counters.json")["mon.a"]!);
  return undefined;
}

const stripped = new Map<string, Schema>();
function stripValues(key: string, withValues: Schema): Schema {
  let schema = stripped.get(key);
  if (!schema) {
    schema = Object.fromEntries(
      Object.entries(withValues).map(([path, { value: _v, count: _c, ...info }]) => [path, Object.freeze(info)]),
    );
    stripped.set(key, Object.freeze(schema));
  }
  return schema;
}

function baseValues(type: string): Schema {
  const all = fixture<Record<string, Schema>>("mgr-get/get_all_perf_counters.json");
  return (type === "osd" ? all["osd.0"] : all["mon.a"])!;
}

interface Reporter {
  key: number;
  firstTick: number;
  lastTick: number;
  numPgs: number;
}

/** Which ticks a daemon reported in, or undefined if it is unknown / never reported. */
function reporter(state: SimState, type: string, id: string): Reporter | undefined {
  if (type === "osd" && /^\d+$/.test(id)) {
    const o = state.osd(Number(id));
    if (!o || !o.metadata) return undefined;
    return { key: o.id, firstTick: o.bootTick, lastTick: o.up ? state.tick : o.lastReportTick, numPgs: o.numPgs };
  }
  if (type === "mon") {
    const m = state.mons.find((x) => x.name === id);
    if (!m) return undefined;
    return { key: 1_000_000 + m.rank, firstTick: 0, lastTick: state.tick, numPgs: 0 };
  }
  return undefined;
}

function pathHash(path: string): number {
  let h = 0;
  for (let i = 0; i < path.length; i++) h = (Math.imul(h, 31) + path.charCodeAt(i)) | 0;
  return h;
}

/** Value of a counter at a tick: [v] or [sum, count] for averages. */
function valueAt(state: SimState, type: string, r: Reporter, path: string, info: CounterInfo, tick: number): number[] {
  const base = baseValues(type)[path];
  const seed = state.opts.seed;
  const ph = pathHash(path);
  const scale = 0.5 + hashUnit(seed, r.key, ph);
  if (info.type & TYPE_HISTOGRAM) return [0];
  const grow = (start: number) => {
    const rate = Math.max(1, Math.round((start / 900) * scale));
    const jitter = Math.floor(hashUnit(seed, r.key, ph, tick) * (rate / 2));
    return Math.round(start * scale) + rate * tick + jitter;
  };
  if (info.type & TYPE_LONGRUNAVG) {
    const count = grow(base?.count ?? 100);
    const avg = base?.count ? (base.value ?? 0) / base.count : 1_000_000;
    return [Math.round(count * avg * scale), count];
  }
  if (info.type & TYPE_COUNTER) return [grow(base?.value ?? 100)];
  if (path === "osd.numpg") return [r.numPgs];
  if (info.type & TYPE_U64) return [Math.round((base?.value ?? 0) * scale)];
  return [base?.value ?? 0];
}

export function perfSchema(state: SimState, type: string, id: string): unknown {
  const schema = schemaOf(type);
  if (!schema || !reporter(state, type, id)) return {};
  return { [`${type}.${id}`]: schema };
}

/** Sample times (seconds) of ticks first..last that are still in the ring. */
function samples(state: SimState, r: Reporter): [number, number][] {
  const out: [number, number][] = [];
  const newest = state.tick;
  const times = state.tickTimes;
  for (let i = 0; i < times.length; i++) {
    const tick = newest - (times.length - 1 - i);
    if (tick >= r.firstTick && tick <= r.lastTick) out.push([tick, times[i]!]);
  }
  return out.slice(-SERIES_LENGTH);
}

export function counterSeries(
  state: SimState,
  type: string,
  id: string,
  path: string,
): Record<string, [number, number][]> {
  const info = schemaOf(type)?.[path];
  const r = reporter(state, type, id);
  if (!info || !r) return { [path]: [] };
  const series = samples(state, r).map(
    ([tick, t]) => [t, ...valueAt(state, type, r, path, info, tick)] as [number, number],
  );
  return { [path]: series };
}

export function latestCounter(
  state: SimState,
  type: string,
  id: string,
  path: string,
): Record<string, [number, number] | [number, number, number]> {
  const series = counterSeries(state, type, id, path)[path]!;
  const last = series[series.length - 1];
  // Ceph answers an unknown counter with an empty tuple.
  return { [path]: (last ?? []) as [number, number] };
}

const PERFCOUNTER_TIME = 1;

/** What `tell osd.N perf schema` prints: section → name → info (the admin socket's shape). */
export function perfSchemaDump(
  state: SimState,
  type: string,
  id: string,
): Record<string, Record<string, unknown>> | undefined {
  const schema = schemaOf(type);
  if (!schema || !reporter(state, type, id)) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [path, info] of Object.entries(schema)) {
    const dot = path.indexOf(".");
    const metric = info.type & TYPE_COUNTER ? "counter" : info.type & TYPE_HISTOGRAM ? "histogram" : "gauge";
    const value =
      info.type & TYPE_LONGRUNAVG
        ? info.type & PERFCOUNTER_TIME
          ? "real-integer-pair"
          : "integer-integer-pair"
        : info.type & PERFCOUNTER_TIME
          ? "real"
          : "integer";
    (out[path.slice(0, dot)] ??= {})[path.slice(dot + 1)] = {
      type: info.type,
      metric_type: metric,
      value_type: value,
      description: info.description,
      nick: info.nick ?? "",
      priority: info.priority,
      units: info.units === 0 ? "bytes" : "none",
    };
  }
  return out;
}

/** What `tell osd.N perf dump` prints now: section → name → value ({avgcount, sum, avgtime} for averages, seconds for times). */
export function perfDump(
  state: SimState,
  type: string,
  id: string,
): Record<string, Record<string, unknown>> | undefined {
  const schema = schemaOf(type);
  const r = reporter(state, type, id);
  if (!schema || !r) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [path, info] of Object.entries(schema)) {
    const dot = path.indexOf(".");
    const v = valueAt(state, type, r, path, info, state.tick);
    const time = (x: number) => (info.type & PERFCOUNTER_TIME ? x / 1e9 : x);
    let value: unknown = time(v[0]!);
    if (info.type & TYPE_LONGRUNAVG) {
      const [sum, count] = [time(v[0]!), v[1]!];
      value = { avgcount: count, sum, avgtime: count ? sum / count : 0 };
    }
    (out[path.slice(0, dot)] ??= {})[path.slice(dot + 1)] = value;
  }
  return out;
}
