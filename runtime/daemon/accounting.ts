// Per-module accounting (issue 19 item 4): what each module costs. CPU comes from its isolate
// (V8's cpuTime plus the host time charged to it, as the sandbox's watchdog counts it), sampled
// once a second so shares over the last 5 s and 60 s can be told; calls into the module are
// counted by kind with their latency; store use is read from the store when asked. Shown by
// `module ls -f json`, `tsmgr top` and the daemon's Prometheus endpoint.
import type { KvStore } from "../store/index.ts";

export const CALL_KINDS = ["command", "notify", "http", "remote", "config_notify"] as const;
export type CallKind = (typeof CALL_KINDS)[number];

interface CallStats {
  count: number;
  errors: number;
  seconds_total: number;
  max_ms: number;
}

/** Counters one module runner keeps (they outlive its versions and restarts). */
export class ModuleUsage {
  readonly calls = Object.fromEntries(
    CALL_KINDS.map((k) => [k, { count: 0, errors: 0, seconds_total: 0, max_ms: 0 }]),
  ) as Record<CallKind, CallStats>;
  /** the running module died (serve threw, a limit) */
  failures = 0;
  /** starts after a failure */
  restarts = 0;
  /** bytes fetched from the network (counted by fetch once modules have it) */
  fetchBytes = 0;

  call(kind: CallKind, ms: number, failed: boolean): void {
    const c = this.calls[kind];
    c.count++;
    if (failed) c.errors++;
    c.seconds_total += ms / 1000;
    if (ms > c.max_ms) c.max_ms = ms;
  }
}

/** What accounting reads of a runner. */
export interface AccountedModule {
  readonly name: string;
  readonly usage: ModuleUsage;
  /** the running isolate (an identity for its CPU counter) and its CPU so far in ms, if one runs */
  cpuNow(): { isolate: object; ms: number; heapBytes: number } | undefined;
  readonly limits: { memoryMb: number };
}

/** One module's figures, as `module ls -f json`, `top` and /metrics show them. */
export interface ModuleAccounting {
  name: string;
  cpu_seconds_total: number;
  /** share of one core over the last 5 s / 60 s (or as much of it as was sampled) */
  cpu_share_5s: number;
  cpu_share_60s: number;
  heap_used_bytes: number;
  heap_limit_bytes: number;
  calls: Record<CallKind, { count: number; errors: number; seconds_total: number; avg_ms: number; max_ms: number }>;
  errors: number;
  restarts: number;
  store_keys: number;
  store_bytes: number;
  http_requests: number;
  fetch_bytes: number;
}

interface CpuTrack {
  /** CPU of isolates gone (replaced, failed, stopped) */
  retired: number;
  /** each live isolate's CPU as last seen (its counter reads 0 once disposed) */
  live: Map<object, number>;
  samples: [t: number, cpuMs: number][];
}

const SAMPLE_MS = 1000;
const KEEP_MS = 61_000;

export class Accounting {
  readonly #kv: KvStore;
  readonly #modules: () => Iterable<AccountedModule>;
  readonly #cpu = new Map<string, CpuTrack>();
  readonly #timer: NodeJS.Timeout;

  constructor(kv: KvStore, modules: () => Iterable<AccountedModule>) {
    this.#kv = kv;
    this.#modules = modules;
    this.#timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Reads every module's CPU counter once (also done on demand when the last sample is old). */
  sample(now = performance.now()): void {
    for (const m of this.#modules()) {
      let t = this.#cpu.get(m.name);
      if (!t) this.#cpu.set(m.name, (t = { retired: 0, live: new Map(), samples: [] }));
      const cur = m.cpuNow();
      for (const [iso, ms] of t.live) {
        if (iso === cur?.isolate) continue;
        t.retired += ms;
        t.live.delete(iso);
      }
      if (cur) t.live.set(cur.isolate, Math.max(cur.ms, t.live.get(cur.isolate) ?? 0));
      // between the timer's samples, a read on demand updates the last one (the list stays ~1/s)
      const prev = t.samples.at(-2);
      if (prev && now - prev[0] < SAMPLE_MS / 2) t.samples[t.samples.length - 1] = [now, this.#total(t)];
      else t.samples.push([now, this.#total(t)]);
      while (t.samples.length > 2 && now - t.samples[1]![0] >= KEEP_MS) t.samples.shift();
    }
  }

  #total(t: CpuTrack): number {
    let ms = t.retired;
    for (const v of t.live.values()) ms += v;
    return ms;
  }

  /** CPU used over the last `windowMs` as a share of one core (over what was sampled when less). */
  #share(t: CpuTrack, windowMs: number): number {
    const last = t.samples.at(-1);
    if (!last) return 0;
    const first = t.samples.find(([ts]) => last[0] - ts <= windowMs + SAMPLE_MS / 2) ?? last;
    const dt = last[0] - first[0];
    return dt > 0 ? Math.max(0, (last[1] - first[1]) / dt) : 0;
  }

  /** Every module's figures, sampled fresh. */
  all(): ModuleAccounting[] {
    this.sample();
    return [...this.#modules()].map((m) => this.#of(m));
  }

  of(name: string): ModuleAccounting | undefined {
    return this.all().find((a) => a.name === name);
  }

  #of(m: AccountedModule): ModuleAccounting {
    const t = this.#cpu.get(m.name) ?? { retired: 0, live: new Map(), samples: [] };
    const calls = Object.fromEntries(
      CALL_KINDS.map((k) => {
        const c = m.usage.calls[k];
        return [k, { ...c, avg_ms: c.count ? round((c.seconds_total * 1000) / c.count) : 0, max_ms: round(c.max_ms) }];
      }),
    ) as ModuleAccounting["calls"];
    const store = this.#store(m.name);
    return {
      name: m.name,
      cpu_seconds_total: this.#total(t) / 1000,
      cpu_share_5s: round(this.#share(t, 5000), 4),
      cpu_share_60s: round(this.#share(t, 60_000), 4),
      heap_used_bytes: m.cpuNow()?.heapBytes ?? 0,
      heap_limit_bytes: m.limits.memoryMb * 1024 * 1024,
      calls,
      errors: CALL_KINDS.reduce((n, k) => n + calls[k].errors, 0) + m.usage.failures,
      restarts: m.usage.restarts,
      store_keys: store.keys,
      store_bytes: store.bytes,
      http_requests: calls.http.count,
      fetch_bytes: m.usage.fetchBytes,
    };
  }

  /** Keys and UTF-8 bytes (key without the mgr/NAME/ part, and value) the module keeps in the store. */
  #store(name: string): { keys: number; bytes: number } {
    const prefix = `mgr/${name}/`;
    let keys = 0;
    let bytes = 0;
    for (const [k, v] of this.#kv.prefix(prefix)) {
      keys++;
      bytes += Buffer.byteLength(k.slice(prefix.length)) + Buffer.byteLength(v);
    }
    return { keys, bytes };
  }
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
