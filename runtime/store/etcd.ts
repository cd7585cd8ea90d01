// The etcd store backend: the store of a group of daemons on several machines, kept in a real
// etcd cluster under P kv/ (the key layout: runtime/etcd/group.ts; the client: runtime/etcd/client.ts).
//
// Guarantees: `loadAll()` is one consistent read (paged at one revision). `commit()` is one
// etcd transaction (guarded by the active's fence when one is set) and resolves once etcd
// committed it (raft quorum, fsync'd); etcd caps a transaction at --max-txn-ops (128) operations,
// so a larger batch goes as several transactions in order (see `commit`). `watch()` follows
// P kv/ from the revision of the load, so nothing is missed across reconnects, and leaves out
// the changes this store made itself.
import {
  ComparatorBuilder,
  type Etcd3,
  type IKeyValue,
  type IOperation,
  type ITxnResponse,
  type Namespace,
  type Watcher,
} from "etcd3";
import { StoreError } from "../errors.ts";
import {
  checkGroup,
  createEtcdClient,
  dropWatches,
  etcdReason,
  waitForEtcd,
  ETCD_CALL_TIMEOUT_MS,
  ETCD_OPEN_TIMEOUT_MS,
  type Fence,
  type FenceProvider,
} from "../etcd/index.ts";
import type { Change, StoreBackend } from "./types.ts";

/** etcd's default --max-txn-ops. */
const MAX_TXN_OPS = 128;
/** Stay well below etcd's default --max-request-bytes (1.5 MiB). */
const MAX_TXN_BYTES = 1024 * 1024;
const PAGE = 2000;

export const KV_DIR = "kv/";

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
      throw new StoreError(
        `cannot read the store from ${this.description} (${etcdReason(err)}): check that etcd is running and reachable`,
        { cause: err },
      );
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
    const ns = this.#ns as unknown as {
      kv: ConstructorParameters<typeof ComparatorBuilder>[0];
      nsApplicator: ConstructorParameters<typeof ComparatorBuilder>[1];
    };
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
      process.emitWarning(
        `${this.description}: watch cancelled (${etcdReason(err)}); reloading the store to resync`,
        "StoreWatchWarning",
      );
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
  if (/too large|too many operations/i.test(why))
    return `etcd refused the write as too large (${why}): store smaller values`;
  return `etcd did not take the write (${why}): check that etcd is running and reachable`;
}
