// The etcd store backend: the store of a group of daemons on several machines, kept in a real
// etcd cluster (client: etcd3@1.1.2, pinned, with tuned deadlines and back-off).
//
// Layout under the configured prefix P (`etcd.prefix`, "tsmgr/" by default). Only tsmgr writes
// here; one prefix holds exactly one group:
//
//   P group                       the group marker: {"tsmgr":1,"group":ID,"created_by":..,"created_at":..},
//                                 written once by the first daemon (see `checkGroup`)
//   P kv/KEY                      the store: one etcd key per store key, the value as UTF-8
//                                 (e.g. P kv/mgr/hello/count, P kv/config/mgr/mgr/hello/greeting)
//   P election/mgr/LEASE          one per live daemon, attached to its lease (runtime/election/etcd.ts):
//                                 the candidate key, value = {name, gid, addr, asok}; the leader is
//                                 the key with the lowest create revision (the fencing token)
//   P mgrmap                      written only by the active, fenced: {epoch, token, name, gid, services}
//   P fail                        a `tsmgr mgr fail` request: {token, by, at}, for the active holding token
//
// Guarantees: `loadAll()` is one consistent read (paged at one revision). `commit()` is one
// etcd transaction (guarded by the active's fence when one is set) and resolves once etcd
// committed it (raft quorum, fsync'd); etcd caps a transaction at --max-txn-ops (128) operations,
// so a larger batch goes as several transactions in order (see `commit`). `watch()` follows
// P kv/ from the revision of the load, so nothing is missed across reconnects, and leaves out
// the changes this store made itself.
import { ComparatorBuilder, Etcd3, isRecoverableError, type IKeyValue, type IOperation, type ITxnResponse, type Namespace, type Watcher } from "etcd3";
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, type IBackoff } from "cockatiel";
import { StoreError } from "../errors.ts";
import type { Change, StoreBackend } from "./types.ts";

/** Deadline of every unary etcd call (not streams), ms: a lost raft leader must not hang a write for 7 s. */
export const ETCD_CALL_TIMEOUT_MS = 1000;
/** How long opening waits for etcd to answer before giving up with an error naming the endpoints. */
export const ETCD_OPEN_TIMEOUT_MS = 4000;
/** etcd's default --max-txn-ops. */
const MAX_TXN_OPS = 128;
/** Stay well below etcd's default --max-request-bytes (1.5 MiB). */
const MAX_TXN_BYTES = 1024 * 1024;
const PAGE = 2000;

export const KV_DIR = "kv/";
export const GROUP_KEY = "group";

/**
 * An etcd client with the three defaults of etcd3 1.1.2 changed (../shared/reference/etcd-notes.md
 * §7): a deadline on every unary call, a per-host circuit breaker that half-opens after 300 ms
 * instead of 5 s (which would block lease keep-alives longer than a lease), and a 100 ms–1 s
 * watch reconnect back-off instead of 3–5 s. One client per daemon is enough: the store and the
 * election share it.
 */
export function createEtcdClient(endpoints: readonly string[], callTimeoutMs = ETCD_CALL_TIMEOUT_MS): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    grpcOptions: {
      // a whole-store read can pass gRPC's 4 MiB default; pages keep it far below this
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      // notice a dead connection (peer gone without a FIN) on an idle watch stream; etcd's
      // default --grpc-keepalive-min-time is 5 s, so ping no more often than every 10 s
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
    },
    faultHandling: {
      host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 300, breaker: new ConsecutiveBreaker(3) }),
      // etcd3 1.1.2 types this as IBackoff but calls .next() on it like a factory
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as unknown as IBackoff<unknown>,
    },
  });
}

/** The guard a commit carries: the active's leader key (relative to the prefix) and its create revision. */
export interface Fence {
  key: string;
  createRevision: string;
}

/**
 * Where the store gets its fence (runtime/election/etcd.ts implements it). `current()` throws a
 * `StoreError` when this daemon may not write (it is not, or no longer, the active one);
 * `rejected()` is told when etcd refused a fenced commit (the leader key changed).
 */
export interface FenceProvider {
  current(): Fence;
  rejected(fence: Fence): void;
}

export interface EtcdStoreOptions {
  endpoints: string[];
  /** key prefix of the group, e.g. "tsmgr/" */
  prefix: string;
  /** a client to share (e.g. with the election); the store does not close it. Default: its own. */
  client?: Etcd3;
  /** the group identity to check against (or record in) the group marker; see `checkGroup` */
  group?: string;
  /** this daemon's name, recorded in the group marker by the first daemon */
  name?: string;
  /** how long `openEtcdStore` waits for etcd; default ETCD_OPEN_TIMEOUT_MS */
  openTimeoutMs?: number;
  /** operations per transaction (etcd's --max-txn-ops); default 128 */
  maxTxnOps?: number;
}

type Listener = (changes: readonly Change[]) => void;

interface Pending {
  rev: number;
  changes: Change[];
}

/** `description` of a store: what the messages name. */
export function describeEtcd(endpoints: readonly string[], prefix: string): string {
  return `etcd ${endpoints.join(",")} prefix ${JSON.stringify(prefix)}`;
}

export class EtcdStore implements StoreBackend {
  readonly description: string;
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly #client: Etcd3;
  readonly #ownsClient: boolean;
  readonly #ns: Namespace;
  readonly #maxOps: number;
  #fence: FenceProvider | undefined;
  #closed = false;
  // watching
  readonly #listeners = new Set<Listener>();
  #watcher: Watcher | undefined;
  #watchFrom: number | undefined; // the revision after the first load
  #wantWatch = false;
  #known = new Set<string>(); // keys believed present, for a resync after compaction
  // echo suppression: the revisions our commits produced, and events held while a commit of
  // ours is in flight (its revision is not known until it answers)
  readonly #ownRevs = new Set<number>();
  #inflight = 0;
  #queue: Pending[] = [];
  #resyncing = false;

  /** Use `openEtcdStore()`: it checks that etcd answers and that the prefix belongs to this group. */
  constructor(o: EtcdStoreOptions & { client: Etcd3 }, ownsClient: boolean) {
    this.endpoints = o.endpoints;
    this.prefix = o.prefix;
    this.description = describeEtcd(o.endpoints, o.prefix);
    this.#client = o.client;
    this.#ownsClient = ownsClient;
    this.#ns = o.client.namespace(o.prefix);
    this.#maxOps = Math.max(1, Math.min(o.maxTxnOps ?? MAX_TXN_OPS, MAX_TXN_OPS));
  }

  /** The client (shared with the election when the daemon uses both). */
  get client(): Etcd3 {
    return this.#client;
  }

  /**
   * Guards every later commit with the active's leader key: a commit is refused before it is
   * sent when `current()` throws, and by etcd when the key's create revision changed.
   */
  setFence(fence: FenceProvider | undefined): void {
    this.#fence = fence;
  }

  async loadAll(): Promise<Map<string, string>> {
    this.#assertOpen();
    const map = new Map<string, string>();
    let rev: string | undefined;
    let from = KV_DIR;
    const end = KV_DIR.slice(0, -1) + String.fromCharCode(KV_DIR.charCodeAt(KV_DIR.length - 1) + 1); // "kv0"
    try {
      for (;;) {
        let q = this.#ns.getAll().inRange({ start: from, end }).sort("Key", "Ascend").limit(PAGE);
        if (rev) q = q.revision(rev);
        const res = await q.exec();
        rev ??= res.header.revision;
        for (const kv of res.kvs) map.set(kv.key.toString("utf8").slice(KV_DIR.length), kv.value.toString("utf8"));
        if (!res.more || res.kvs.length === 0) break;
        from = res.kvs[res.kvs.length - 1]!.key.toString("utf8") + "\0";
      }
    } catch (err) {
      throw new StoreError(`cannot read the store from ${this.description} (${etcdReason(err)}): check that etcd is running and reachable`, { cause: err });
    }
    if (this.#watchFrom === undefined) {
      this.#watchFrom = Number(rev) + 1;
      this.#known = new Set(map.keys());
      if (this.#wantWatch) this.#startWatch();
    }
    return map;
  }

  /**
   * One transaction of puts and deletes, fenced when a fence is set; resolves once etcd has
   * committed it. A batch over etcd's per-transaction limit (128 operations, 1 MiB) goes as
   * several transactions, in order; if one of them fails, the ones before it stay stored and are
   * reported to watchers as changes, so the in-memory copy matches etcd.
   */
  async commit(batch: readonly Change[]): Promise<void> {
    this.#assertOpen();
    if (batch.length === 0) return;
    let fence: Fence | undefined;
    if (this.#fence) fence = this.#fence.current(); // throws StoreError: not the active daemon
    const chunks = chunk(batch, this.#maxOps);
    const stored: Change[] = [];
    this.#inflight++;
    try {
      for (const part of chunks) {
        const ops: IOperation[] = part.map(([key, value]) =>
          value === null ? this.#ns.delete().key(KV_DIR + key) : this.#ns.put(KV_DIR + key).value(value),
        );
        const txn = fence ? this.#ns.if(fence.key, "Create", "==", fence.createRevision) : this.#unconditional();
        let res: ITxnResponse;
        try {
          res = await txn.then(...ops).commit();
        } catch (err) {
          throw new StoreError(`${writeFailure(err)}${partial(stored, batch)}`, { cause: err });
        }
        if (!res.succeeded) {
          this.#fence?.rejected(fence!);
          throw new StoreError(
            `${this.description} refused the write: this daemon is no longer the active one of its group (its leadership, ` +
              `fencing token ${fence!.createRevision}, ended; another daemon may be active), so nothing of it was stored${partial(stored, batch)}`,
          );
        }
        if (changedSomething(part, res)) this.#ownRevs.add(Number(res.header.revision));
        for (const c of part) {
          stored.push(c);
          if (c[1] === null) this.#known.delete(c[0]);
          else this.#known.add(c[0]);
        }
      }
    } catch (err) {
      if (stored.length > 0) {
        // KvStore rolls the whole batch back in memory; put back what etcd did store
        const back = stored;
        setImmediate(() => this.#deliver(back));
      }
      throw err;
    } finally {
      this.#inflight--;
      // after the caller's own continuation (KvStore settles first), then anything held back
      setImmediate(() => this.#drain());
    }
  }

  /** Changes under P kv/ made by others (other daemons, etcdctl), from the revision of the first load. */
  watch(listener: Listener): () => void {
    this.#assertOpen();
    this.#listeners.add(listener);
    if (!this.#wantWatch) {
      this.#wantWatch = true;
      if (this.#watchFrom !== undefined) this.#startWatch();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopWatch();
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#fence = undefined;
    await this.#stopWatch();
    await dropWatches(this.#ns);
    if (this.#ownsClient) this.#client.close();
  }

  // ---- internals -----------------------------------------------------------------------

  /** A transaction without a comparison (etcd3 offers none outside `if()`; pinned 1.1.2 internals). */
  #unconditional(): ComparatorBuilder {
    const ns = this.#ns as unknown as { kv: ConstructorParameters<typeof ComparatorBuilder>[0]; nsApplicator: ConstructorParameters<typeof ComparatorBuilder>[1] };
    return new ComparatorBuilder(ns.kv, ns.nsApplicator);
  }

  #startWatch(): void {
    if (this.#closed || this.#watcher || this.#watchFrom === undefined) return;
    const w = this.#ns.watch().prefix(KV_DIR).startRevision(String(this.#watchFrom)).watcher();
    this.#watcher = w;
    w.on("data", (res) => {
      if (this.#watcher !== w) return;
      const rev = Number(res.header.revision);
      if (res.events.length === 0) return; // progress notification
      // events of one response may span several revisions: group them
      let cur: Pending | undefined;
      for (const ev of res.events) {
        const r = Number(ev.kv.mod_revision);
        if (!cur || cur.rev !== r) {
          cur = { rev: r, changes: [] };
          this.#queue.push(cur);
        }
        cur.changes.push(toChange(ev.type, ev.kv));
      }
      this.#watchFrom = rev + 1;
      this.#drain();
    });
    w.on("error", (err) => {
      // the server cancelled the watch (e.g. the revision was compacted): read everything again
      if (this.#watcher !== w) return;
      this.#watcher = undefined;
      void w.cancel().catch(() => {});
      process.emitWarning(`${this.description}: watch cancelled (${etcdReason(err)}); reloading the store to resync`, "StoreWatchWarning");
      void this.#resync();
    });
    w.on("disconnected", () => {
      // etcd3 reconnects by itself (100 ms–1 s back-off) and resumes from the last revision seen
    });
  }

  async #stopWatch(): Promise<void> {
    this.#wantWatch = false;
    const w = this.#watcher;
    this.#watcher = undefined;
    this.#queue = [];
    if (w) await Promise.race([w.cancel().catch(() => {}), new Promise((r) => setTimeout(r, 500).unref())]);
  }

  /** Hands queued events to the listeners, leaving out our own; waits while a commit of ours is unanswered. */
  #drain(): void {
    while (this.#queue.length > 0) {
      const p = this.#queue[0]!;
      if (this.#ownRevs.has(p.rev)) {
        this.#queue.shift();
        this.#ownRevs.delete(p.rev);
        continue;
      }
      if (this.#inflight > 0) return; // could be ours: decide once it answered
      this.#queue.shift();
      for (const r of this.#ownRevs) if (r < p.rev) this.#ownRevs.delete(r);
      for (const [key, value] of p.changes) {
        if (value === null) this.#known.delete(key);
        else this.#known.add(key);
      }
      this.#deliver(p.changes);
    }
  }

  #deliver(changes: readonly Change[]): void {
    if (this.#closed || changes.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(changes);
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : new Error(String(err)), "StoreWatchListenerError");
      }
    }
  }

  /** After a cancelled watch: read everything, report the differences, watch again from there. */
  async #resync(): Promise<void> {
    if (this.#resyncing) return;
    this.#resyncing = true;
    try {
      for (let attempt = 0; !this.#closed && this.#wantWatch; attempt++) {
        while (this.#inflight > 0) await new Promise((r) => setTimeout(r, 10));
        try {
          const before = this.#known;
          this.#watchFrom = undefined;
          const fresh = await this.loadAll(); // sets #watchFrom and #known, starts the watch
          const changes: Change[] = [...fresh];
          for (const key of before) if (!fresh.has(key)) changes.push([key, null]);
          this.#queue = [];
          this.#deliver(changes);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** attempt)));
        }
      }
    } finally {
      this.#resyncing = false;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError(`${this.description} is closed: open the store again`);
  }
}

/**
 * Opens the etcd store: checks within `openTimeoutMs` that etcd answers (otherwise a
 * `StoreError` naming every endpoint and what to check) and, when `group` is given, that the
 * prefix belongs to this group (`checkGroup`).
 */
export async function openEtcdStore(o: EtcdStoreOptions): Promise<EtcdStore> {
  const owns = !o.client;
  const client = o.client ?? createEtcdClient(o.endpoints);
  try {
    await waitForEtcd(client, o.endpoints, o.prefix, o.openTimeoutMs ?? ETCD_OPEN_TIMEOUT_MS);
    if (o.group !== undefined) await checkGroup(client, o.prefix, o.group, o.name ?? "", o.endpoints);
    return new EtcdStore({ ...o, client }, owns);
  } catch (err) {
    if (owns) client.close();
    throw err;
  }
}

/**
 * Cancels every watch made through `ns` (waiting at most `ms`), makes its watch manager forget
 * them, and refuses any later one. Needed before the client closes: etcd3 1.1.2 retries the
 * watch stream of a closed client every second forever (a timer that keeps the process alive),
 * and the watches it makes itself (a waiting campaign's, which may still be on its way) cannot
 * be cancelled through its API. Uses the pinned version's internals.
 */
export async function dropWatches(ns: Namespace, ms = 500): Promise<void> {
  type Manager = { watchers: Watcher[]; state: number; destroyStream(): void; attach(w: Watcher): void };
  const wm = (ns as unknown as { watchManager?: Manager }).watchManager;
  if (!wm) return;
  // from now on a new watch fails at once instead of dialling a closed client
  wm.attach = (w: Watcher) => {
    setImmediate(() => {
      if (w.listenerCount("error") > 0) w.emit("error", new Error("etcd watch refused: the daemon is leaving its group"));
    });
  };
  if (wm.watchers.length === 0) return;
  await Promise.race([Promise.all([...wm.watchers].map((w) => w.cancel().catch(() => {}))), new Promise((r) => setTimeout(r, ms).unref())]);
  if (wm.watchers.length === 0) return;
  wm.watchers = [];
  try {
    if (wm.state === 2 /* connected */) wm.destroyStream(); // no more events for watchers it no longer knows
  } catch {
    // already going down
  }
}

/** Resolves once etcd answers a read; after `timeoutMs`, a StoreError naming the endpoints. */
export async function waitForEtcd(client: Etcd3, endpoints: readonly string[], prefix: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await client.namespace(prefix).get(GROUP_KEY).options({ deadline: Math.min(end, Date.now() + ETCD_CALL_TIMEOUT_MS) }).exec();
      return;
    } catch (err) {
      last = err;
    }
    if (Date.now() + 100 >= end) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new StoreError(
    `cannot reach etcd at ${endpoints.join(", ")} within ${Math.round(timeoutMs / 100) / 10} s (${etcdReason(last)}): ` +
      "check that etcd is running there, that these are its client URLs (etcd.endpoints in mgr.json, e.g. " +
      '["http://10.0.0.1:2379"]), and that no firewall blocks them',
    { cause: last },
  );
}

/**
 * One prefix, one group. The first daemon records `group` (the group identity: by default the
 * cluster the group manages, see runtime/daemon/backends.ts) in P group; a daemon whose identity
 * differs is refused, and so is a prefix that already holds keys tsmgr did not write, or that
 * lies inside (or contains) another group's prefix.
 */
export async function checkGroup(client: Etcd3, prefix: string, group: string, name: string, endpoints: readonly string[]): Promise<void> {
  const where = `etcd ${endpoints.join(",")}`;
  const fix = `give each group its own etcd.prefix in mgr.json`;
  const ns = client.namespace(prefix);
  try {
    // an enclosing group (its prefix is a "/"-boundary ancestor of ours)
    for (const outer of ancestors(prefix)) {
      const kv = (await client.get(outer + GROUP_KEY).exec()).kvs[0];
      const marker = kv ? parseMarker(kv.value.toString("utf8")) : undefined;
      if (marker) {
        throw new StoreError(
          `etcd.prefix ${JSON.stringify(prefix)} lies inside the prefix ${JSON.stringify(outer)} of another tsmgr group ` +
            `(${describeMarker(marker)}) on ${where}: its keys would mix with that group's; ${fix} that does not overlap another`,
        );
      }
    }
    const cur = await ns.get(GROUP_KEY).exec();
    let kv: IKeyValue | undefined = cur.kvs[0];
    if (!kv) {
      const present = await ns.getAll().limit(5).keys();
      if (present.length > 0) {
        throw new StoreError(
          `etcd.prefix ${JSON.stringify(prefix)} on ${where} already holds keys that no tsmgr group wrote (e.g. ` +
            `${present.slice(0, 3).map((k) => JSON.stringify(prefix + k)).join(", ")}) and no group marker ${JSON.stringify(prefix + GROUP_KEY)}: ` +
            `it belongs to something else; ${fix}, one that holds nothing yet`,
        );
      }
      const marker = JSON.stringify({ tsmgr: 1, group, created_by: name, created_at: new Date().toISOString() });
      const res = await ns.if(GROUP_KEY, "Create", "==", 0).then(ns.put(GROUP_KEY).value(marker)).else(ns.get(GROUP_KEY)).commit();
      if (res.succeeded) return;
      kv = res.responses[0]?.response_range?.kvs[0];
      if (!kv) throw new StoreError(`the group marker ${prefix + GROUP_KEY} on ${where} vanished while being read: try again`);
    }
    const marker = parseMarker(kv.value.toString("utf8"));
    if (!marker) {
      throw new StoreError(
        `${JSON.stringify(prefix + GROUP_KEY)} on ${where} is not a tsmgr group marker (value ${JSON.stringify(kv.value.toString("utf8").slice(0, 80))}): ` +
          `etcd.prefix ${JSON.stringify(prefix)} belongs to something else; ${fix}`,
      );
    }
    if (marker.group !== group) {
      throw new StoreError(
        `etcd.prefix ${JSON.stringify(prefix)} on ${where} belongs to another tsmgr group: ${describeMarker(marker)}, ` +
          `while this daemon's group is ${JSON.stringify(group)}. Daemons of one group must manage the same cluster; two unrelated ` +
          `groups sharing a prefix would overwrite each other's store and fight over one election: ${fix} (or, if this daemon ` +
          `belongs to that group, point it at the same cluster)`,
      );
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot check the group marker ${prefix + GROUP_KEY} on ${where} (${etcdReason(err)}): check that etcd is running and reachable`, { cause: err });
  }
}

interface Marker {
  tsmgr: number;
  group: string;
  created_by?: string;
  created_at?: string;
}

function parseMarker(s: string): Marker | undefined {
  try {
    const m = JSON.parse(s) as Marker;
    return m && typeof m === "object" && m.tsmgr === 1 && typeof m.group === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

function describeMarker(m: Marker): string {
  return `group ${JSON.stringify(m.group)}${m.created_by ? `, started by daemon ${m.created_by}` : ""}${m.created_at ? ` at ${m.created_at}` : ""}`;
}

/** "a/b/c/" → ["", "a/", "a/b/"]: the prefixes another group could hold that enclose this one. */
function ancestors(prefix: string): string[] {
  const out = [""];
  for (let i = prefix.indexOf("/"); i >= 0 && i < prefix.length - 1; i = prefix.indexOf("/", i + 1)) out.push(prefix.slice(0, i + 1));
  return out.filter((p) => p !== prefix);
}

function toChange(type: string, kv: IKeyValue): Change {
  const key = kv.key.toString("utf8").slice(KV_DIR.length);
  return type === "Delete" ? [key, null] : [key, kv.value.toString("utf8")];
}

/** Deleting keys that do not exist leaves the revision alone: then the answer's revision is someone else's. */
function changedSomething(part: readonly Change[], res: ITxnResponse): boolean {
  if (part.some(([, v]) => v !== null)) return true;
  return res.responses.some((r) => Number(r.response_delete_range?.deleted ?? 0) > 0);
}

function chunk(batch: readonly Change[], maxOps: number): Change[][] {
  const out: Change[][] = [];
  let cur: Change[] = [];
  let bytes = 0;
  for (const c of batch) {
    const size = Buffer.byteLength(c[0]) + (c[1] === null ? 0 : Buffer.byteLength(c[1])) + 64;
    if (cur.length > 0 && (cur.length >= maxOps || bytes + size > MAX_TXN_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(c);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function partial(stored: readonly Change[], batch: readonly Change[]): string {
  if (stored.length === 0) return "";
  return ` (${stored.length} of the ${batch.length} changes of this batch had already been stored in earlier transactions: etcd caps one transaction at ${MAX_TXN_OPS} operations)`;
}

function writeFailure(err: unknown): string {
  const why = etcdReason(err);
  if (/DEADLINE_EXCEEDED|deadline/i.test(why)) {
    return `etcd did not confirm the write within ${ETCD_CALL_TIMEOUT_MS / 1000} s (${why}); it was not acknowledged and may or may not have been applied: check etcd's health`;
  }
  if (/too large|too many operations/i.test(why)) return `etcd refused the write as too large (${why}): store smaller values`;
  return `etcd did not take the write (${why}): check that etcd is running and reachable`;
}

/** A short reason from an etcd3/gRPC/cockatiel error. */
export function etcdReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const name = err.constructor?.name && err.constructor.name !== "Error" ? `${err.constructor.name}: ` : "";
  // gRPC appends an empty "Resolution note:" to connection errors
  const msg = err.message.split("\n")[0]!.replace(/\s*Resolution note:\s*$/, "").replace(/[.\s]+$/, "");
  return `${name}${msg}`;
}
