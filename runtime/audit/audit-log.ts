// The audit log: grant decisions, trust decisions (package signatures) and operator actions,
// one store key per record under tsmgr/audit/log/, so every daemon of the group reads the same
// log. Bounded: past `maxRecords` the oldest records are deleted and counted. A module's
// decisions are rate-bounded per module (a token bucket): past it they are counted, and the
// count is logged as one "suppressed" record. Allowed decisions on hot paths (`get`) are only
// counted: logging each would turn every read into a store write.
import type { KvStore } from "../store/index.ts";
import { TokenBucket } from "./_bucket.ts";
import type { AuditRecord, DecisionCounts, GrantDecision } from "./record.ts";

export const AUDIT_PREFIX = "tsmgr/audit/";
const LOG_PREFIX = `${AUDIT_PREFIX}log/`;
const DROPPED_KEY = `${AUDIT_PREFIX}dropped`;
const COUNTS_PREFIX = `${AUDIT_PREFIX}counts/`;
/** the sequence number is zero-padded so store keys sort in sequence order */
const SEQ_DIGITS = 16;

/** Functions called on hot paths: an allowed call is counted, never logged one by one. */
const HOT = new Set(["get", "getStore"]);
/** Operator arguments whose values may be secrets: logged as "<redacted>". */
const SECRET_ARGS = new Set(["val", "value"]);
const MAX_TEXT = 512;

export interface AuditOptions {
  /** records kept; the oldest are dropped (and counted) past it */
  maxRecords?: number;
  /** records one module's decisions may write at once, and then per second */
  burst?: number;
  perSec?: number;
  /** how often suppressed counts and decision counts are written */
  flushMs?: number;
  now?: () => number;
}

export interface AuditQuery {
  module?: string;
  denied?: boolean;
  /** ms since the epoch: records at or after it */
  since?: number;
  /** the newest `limit` matching records */
  limit?: number;
}

type NewRecord = Omit<AuditRecord, "seq" | "time" | "daemon">;

const cut = (s: string) => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + "…" : s);
const seqOf = (key: string) => Number(key.slice(LOG_PREFIX.length, LOG_PREFIX.length + SEQ_DIGITS));

export class AuditLog {
  readonly #kv: KvStore;
  readonly #daemon: string;
  readonly #warn: (message: string) => void;
  readonly #max: number;
  readonly #burst: number;
  readonly #perSec: number;
  readonly #now: () => number;
  /** every record key in the store, sorted (kept in step through the store's change events) */
  #keys: string[] = [];
  #seq = 0;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #suppressed = new Map<string, number>();
  #counts: DecisionCounts;
  #dirty = false;
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(kv: KvStore, daemon: string, warn: (message: string) => void, opts: AuditOptions = {}) {
    this.#kv = kv;
    this.#daemon = daemon;
    this.#warn = warn;
    this.#max = opts.maxRecords ?? 100_000;
    this.#burst = opts.burst ?? 20;
    this.#perSec = opts.perSec ?? 5;
    this.#now = opts.now ?? Date.now;
    for (const [k] of kv.prefix(LOG_PREFIX)) this.#index(k, true);
    this.#counts = parseCounts(kv.get(COUNTS_PREFIX + daemon));
    this.#unsubscribe = kv.subscribe((key, value) => {
      if (key.startsWith(LOG_PREFIX)) this.#index(key, value !== null);
    });
    this.#timer = setInterval(() => void this.flush(), opts.flushMs ?? 5000);
    this.#timer.unref();
  }

  /** A module's grant decision (host functions report them as they decide). Never throws. */
  decision(module: string, d: GrantDecision): void {
    const c = this.#counter(module, d.fn);
    this.#dirty = true;
    if (d.allowed) c.allowed++;
    else c.denied++;
    if (d.allowed && HOT.has(d.fn)) return;
    let bucket = this.#buckets.get(module);
    if (!bucket) this.#buckets.set(module, (bucket = new TokenBucket(this.#burst, this.#perSec, this.#now)));
    if (!bucket.take()) {
      c.suppressed++;
      this.#suppressed.set(module, (this.#suppressed.get(module) ?? 0) + 1);
      return;
    }
    this.#writeSuppressed(module);
    // host functions name the grant relative to the module's section: shown as the mgr.json path
    const key = d.key.startsWith("allow.") ? `modules.${module}.${d.key}` : d.key;
    void this.#append({ kind: "grant", module, fn: d.fn, asked: cut(String(d.asked)), allowed: d.allowed, key });
  }

  /** An operator's command (perm w or x) after it ran; resolves once the record is durable. */
  async operator(
    command: string,
    perm: string,
    args: Record<string, unknown>,
    caps: string,
    retval: number,
  ): Promise<void> {
    if (!/[wx]/.test(perm)) return;
    const shown: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
      if (k === "prefix" || k === "format") continue;
      shown[k] = SECRET_ARGS.has(k) ? "<redacted>" : typeof v === "string" ? cut(v) : v;
    }
    await this.#append({ kind: "operator", command, args: shown, caps, retval, allowed: retval !== -13 });
  }

  /** A trust decision on a package: installed (which key signed it) or refused (why). */
  async trust(module: string, allowed: boolean, key: string, detail: string): Promise<void> {
    await this.#append({ kind: "trust", module, fn: "install", allowed, key, detail: cut(detail) });
  }

  /** Matching records, oldest first (the newest `limit` of them). */
  records(q: AuditQuery = {}): AuditRecord[] {
    const out: AuditRecord[] = [];
    const limit = q.limit ?? Infinity;
    for (let i = this.#keys.length - 1; i >= 0 && out.length < limit; i--) {
      const r = parseRecord(this.#kv.get(this.#keys[i]!));
      if (!r) continue;
      if (q.since !== undefined && Date.parse(r.time) < q.since) continue;
      if (q.module !== undefined && r.module !== q.module) continue;
      if (q.denied && r.allowed) continue;
      out.push(r);
    }
    return out.reverse();
  }

  /** Records deleted to keep the log bounded, since the log began. */
  dropped(): number {
    return Number(this.#kv.get(DROPPED_KEY) ?? 0) || 0;
  }

  /** Decision counts of every daemon of the group, summed. */
  counts(): DecisionCounts {
    const sum: DecisionCounts = {};
    const all = this.#kv
      .prefix(COUNTS_PREFIX)
      .filter(([k]) => k !== COUNTS_PREFIX + this.#daemon)
      .map(([, v]) => parseCounts(v));
    for (const counts of [...all, this.#counts]) {
      for (const [m, fns] of Object.entries(counts)) {
        for (const [fn, c] of Object.entries(fns)) {
          const t = ((sum[m] ??= {})[fn] ??= { allowed: 0, denied: 0, suppressed: 0 });
          t.allowed += c.allowed;
          t.denied += c.denied;
          t.suppressed += c.suppressed;
        }
      }
    }
    return sum;
  }

  /** Writes pending suppressed counts as records and this daemon's decision counts. */
  async flush(): Promise<void> {
    for (const module of [...this.#suppressed.keys()]) this.#writeSuppressed(module);
    if (!this.#dirty) return;
    this.#dirty = false;
    await this.#kv
      .set(COUNTS_PREFIX + this.#daemon, JSON.stringify(this.#counts))
      .catch((e: Error) => this.#warn(`audit: decision counts not written: ${e.message}`));
  }

  async dispose(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    this.#unsubscribe();
  }

  #counter(module: string, fn: string) {
    const m = Object.hasOwn(this.#counts, module)
      ? this.#counts[module]!
      : (this.#counts[module] = Object.create(null) as DecisionCounts[string]);
    return Object.hasOwn(m, fn) ? m[fn]! : (m[fn] = { allowed: 0, denied: 0, suppressed: 0 });
  }

  #writeSuppressed(module: string): void {
    const n = this.#suppressed.get(module);
    if (!n) return;
    this.#suppressed.delete(module);
    void this.#append({
      kind: "suppressed",
      module,
      allowed: false,
      count: n,
      detail: `${n} decisions of module ${module} counted, not logged (more than ${this.#perSec}/s)`,
    });
  }

  async #append(rec: NewRecord): Promise<void> {
    const seq = ++this.#seq;
    const record: AuditRecord = { seq, time: new Date(this.#now()).toISOString(), daemon: this.#daemon, ...rec };
    const key = `${LOG_PREFIX}${String(seq).padStart(SEQ_DIGITS, "0")}.${this.#daemon}`;
    const writes = [this.#kv.set(key, JSON.stringify(record))];
    let dropped = 0;
    // each delete updates #keys through the store's change event
    while (this.#keys.length > this.#max) {
      writes.push(this.#kv.set(this.#keys[0]!, null));
      dropped++;
    }
    if (dropped > 0) writes.push(this.#kv.set(DROPPED_KEY, String(this.dropped() + dropped)));
    try {
      await Promise.all(writes);
    } catch (e) {
      this.#warn(`audit: a record was not written: ${(e as Error).message}`);
    }
  }

  /** Keeps #keys sorted as records come and go (ours, another daemon's, or trimmed). */
  #index(key: string, present: boolean): void {
    const keys = this.#keys;
    if (present) {
      this.#seq = Math.max(this.#seq, seqOf(key) || 0);
      if (keys.length === 0 || keys[keys.length - 1]! < key) return void keys.push(key);
      const i = lowerBound(keys, key);
      if (keys[i] !== key) keys.splice(i, 0, key);
      return;
    }
    if (keys[0] === key) return void keys.shift();
    const i = lowerBound(keys, key);
    if (keys[i] === key) keys.splice(i, 1);
  }
}

function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function parseRecord(text: string | undefined): AuditRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as AuditRecord;
    return typeof r === "object" && r !== null && typeof r.time === "string" ? r : undefined;
  } catch {
    return undefined;
  }
}

function parseCounts(text: string | undefined): DecisionCounts {
  const out = Object.create(null) as DecisionCounts;
  if (text === undefined) return out;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === "object" && v !== null) Object.assign(out, v);
  } catch {
    // a hand-edited value: start counting again
  }
  return out;
}
