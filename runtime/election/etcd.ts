// Election for daemons on several machines: a campaign on an etcd lease (etcd3@1.1.2, pinned:
// the guard reads the campaign's private lease), with fencing.
//
// Keys under the group prefix P (layout in runtime/etcd/group.ts):
//   P election/mgr/LEASE  each live daemon's candidate key, on its own lease (TTL = ceil(election.leaseMs
//                         / 1000) s, or more if the server raises it): value {name, gid, addr, asok}. These
//                         keys are the member list: a daemon that dies vanishes with its lease. The
//                         leader is the key with the lowest create revision; that revision is the
//                         fencing token (etcd revisions only grow, so every new leader's is higher).
//   P mgrmap              {epoch, token, name, gid, addr, asok, services}: written only by the active, in
//                         transactions guarded by `Create(leader key) == token`. The map shows an
//                         active only when this record carries the current leader's token.
//   P fail                `tsmgr mgr fail`: {token, by, at}, written only while that token leads; the
//                         active holding it stops its modules, resigns and stays out until another wins.
//
// Safety (docs/etcd.md, "Why the election keeps its own guard"): etcd3 reports a lost lease only after 2 × TTL,
// while the server expires it after 1 × TTL. So this daemon keeps its own guard: it may act
// only while now < (SEND time of the last answered keep-alive) + granted TTL − margin, on the
// monotonic clock, checked every 50 ms, on SIGCONT and before every fenced write. When the
// guard trips, the term is over for good: the daemon steps down (stops its modules), resigns
// best effort and campaigns again. Every write only the active may make (module store writes
// through EtcdStore, the mgr map) is guarded in etcd by the token, so a daemon that missed all
// of this (a stall) still cannot write once another daemon leads.
import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Campaign, Etcd3, Election as EtcdLibElection, IKeyValue, Lease, Namespace, Watcher } from "etcd3";
import { Errno, StoreError } from "../errors.ts";
import {
  checkGroup,
  createEtcdClient,
  dropWatches,
  etcdReason,
  waitForEtcd,
  ETCD_OPEN_TIMEOUT_MS,
  type Fence,
  type FenceProvider,
} from "../etcd/index.ts";
import type { Election, Member, MgrMap, Role } from "./types.ts";

export interface EtcdElectionOptions {
  endpoints: string[];
  /** the group's key prefix, e.g. "tsmgr/" */
  prefix: string;
  /** a client to share with the store; `stop()` does not close it. Default: its own. */
  client?: Etcd3;
  name: string;
  addr: string;
  asok: string;
  /** lease TTL in ms, rounded up to whole seconds (etcd leases count seconds) */
  leaseMs: number;
  onError?: (err: Error) => void;
  /** When set, `start()` first checks the group marker (needed when the store is not on etcd). */
  group?: string;
  /** How long before the lease could expire the active stops acting. Default max(250, TTL/5), at most TTL/2. */
  marginMs?: number;
}

const ELECTION = "mgr";
const ELECTION_DIR = `election/${ELECTION}/`;
const MGRMAP_KEY = "mgrmap";
const FAIL_KEY = "fail";
const GUARD_TICK_MS = 50;

interface MapRecord {
  epoch: number;
  token: string;
  name: string;
  gid: number;
  addr: string;
  asok: string;
  services: Record<string, string>;
}

interface Candidate {
  member: Member;
  create: number;
}

/** One campaign, from creation to its end; never resumed once over. */
interface Term {
  campaign: Campaign;
  lease: Lease;
  /** the leader key relative to the prefix, and its create revision, once elected */
  key?: string;
  token?: string;
  epoch: number;
  /** monotonic ms before which the lease is surely alive on the server (0 = not granted yet) */
  validUntil: number;
  /** the lease, the key or the leadership is gone: no more fenced writes */
  lost: boolean;
  /** the term is ending (lost, failed, stopping) */
  over: boolean;
  why: string;
  ended: Promise<string>;
  end(why: string, lost: boolean): void;
  timer: NodeJS.Timeout;
  failed: boolean;
}

const now = () => performance.now();

export class EtcdElection implements Election {
  readonly #o: EtcdElectionOptions;
  readonly #client: Etcd3;
  readonly #owns: boolean;
  readonly #ns: Namespace;
  readonly #election: EtcdLibElection;
  readonly #me: Member;
  readonly #ttlS: number;
  readonly #marginMs: number;
  #role: Role | undefined;
  #onRole: (role: Role) => Promise<void> = async () => {};
  #switching: Promise<void> = Promise.resolve();
  #term: Term | undefined;
  #candidates = new Map<string, Candidate>();
  #record: MapRecord | undefined;
  #watchers: Watcher[] = [];
  #published: Record<string, string> = {};
  #mapWrites: Promise<void> = Promise.resolve();
  #nameTaken = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #firstRole: (() => void) | undefined;
  readonly #onCont = () => this.#checkGuard();

  constructor(o: EtcdElectionOptions) {
    this.#o = o;
    this.#owns = !o.client;
    this.#client = o.client ?? createEtcdClient(o.endpoints);
    this.#ns = this.#client.namespace(o.prefix);
    this.#me = { name: o.name, gid: randomInt(1, 2 ** 31), addr: o.addr, asok: o.asok };
    this.#ttlS = Math.max(1, Math.ceil(o.leaseMs / 1000));
    this.#election = this.#ns.election(ELECTION, this.#ttlS);
    const ttlMs = this.#ttlS * 1000;
    this.#marginMs = o.marginMs ?? Math.min(ttlMs / 2, Math.max(250, ttlMs / 5));
  }

  /** This daemon's member record (gid is random per start). */
  get member(): Member {
    return this.#me;
  }

  /** Another live daemon of the group used this name when this one started (known once `start()` ran). */
  nameTaken(): boolean {
    return this.#nameTaken;
  }

  async start(onRole: (role: Role) => Promise<void>): Promise<void> {
    this.#onRole = onRole;
    const { endpoints, prefix } = this.#o;
    if (this.#o.group !== undefined) {
      await waitForEtcd(this.#client, endpoints, prefix, ETCD_OPEN_TIMEOUT_MS);
      await checkGroup(this.#client, prefix, this.#o.group, this.#o.name, endpoints);
    }
    try {
      await this.#loadState();
    } catch (e) {
      throw new StoreError(
        `cannot read the election state from etcd ${endpoints.join(",")} prefix ${JSON.stringify(prefix)} (${etcdReason(e)}): check that etcd is running and reachable`,
        { cause: e },
      );
    }
    this.#nameTaken = [...this.#candidates.values()].some(
      (c) => c.member.name === this.#me.name && c.member.gid !== this.#me.gid,
    );
    if (this.#nameTaken) {
      this.#report(
        new Error(
          `another live member of this group is already named ${this.#me.name} (another daemon, or this daemon's previous run whose ` +
            `lease has not expired yet): ids must be unique, fix "id" in one of the mgr.json files`,
        ),
      );
    }
    process.on("SIGCONT", this.#onCont);
    const first = new Promise<void>((resolve) => (this.#firstRole = resolve));
    // if etcd cannot decide quickly, start as standby (the campaign goes on)
    const fallback = setTimeout(() => this.#announceStandby(), this.#ttlS * 1000 + 1000);
    this.#loop = this.#run();
    await first;
    clearTimeout(fallback);
    await this.#switching;
  }

  isActive(): boolean {
    if (this.#role !== "active") return false;
    this.#checkGuard();
    return this.#role === "active";
  }

  map(): MgrMap {
    const byCreate = [...this.#candidates.values()].sort((a, b) => a.create - b.create);
    const leader = byCreate[0];
    const t = this.#term;
    let active: Member | undefined;
    let services: Record<string, string> = {};
    const rec = this.#record;
    if (this.#role === "active" && t?.token) {
      active = this.#me;
      services = this.#published;
    } else if (leader && rec && rec.token === String(leader.create)) {
      active = leader.member;
      services = rec.services;
    }
    const seen = new Set<number>(active ? [active.gid] : []);
    const standbys: MgrMap["standbys"] = [];
    for (const c of byCreate) {
      if (seen.has(c.member.gid)) continue;
      seen.add(c.member.gid);
      standbys.push({ name: c.member.name, gid: c.member.gid, addr: c.member.addr, asok: c.member.asok });
    }
    standbys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.gid - b.gid));
    return {
      epoch: Math.max(rec?.epoch ?? 0, t?.epoch ?? 0),
      active_name: active?.name ?? "",
      active_gid: active?.gid ?? 0,
      active_addr: active?.addr ?? "",
      active_asok: active?.asok ?? "",
      available: active !== undefined,
      standbys,
      services: { ...services },
    };
  }

  publishServices(services: Record<string, string>): void {
    this.#published = { ...services };
    const t = this.#term;
    if (this.#role === "active" && t?.token) this.#writeMap(t);
  }

  async fail(who?: string): Promise<string> {
    const m = this.map();
    if (!m.available) return "no daemon is active";
    if (who !== undefined && who !== m.active_name) {
      if (m.standbys.some((s) => s.name === who)) return `mgr.${who} is a standby: nothing to fail`;
      throw Object.assign(new Error(`no daemon named ${who} in the group`), { errno: Errno.ENOENT });
    }
    const mine = this.#term;
    let key: string | undefined;
    let token: string | undefined;
    if (this.#role === "active" && mine?.token) {
      key = mine.key;
      token = mine.token;
    } else {
      for (const [k, c] of this.#candidates) {
        if (c.member.gid === m.active_gid) {
          key = k;
          token = String(c.create);
        }
      }
    }
    if (!key || !token) return "no daemon is active";
    const request = JSON.stringify({ token, by: this.#me.name, at: new Date().toISOString() });
    const res = await this.#ns.if(key, "Create", "==", token).then(this.#ns.put(FAIL_KEY).value(request)).commit();
    if (!res.succeeded) return `mgr.${m.active_name} was no longer active`;
    if (mine?.token === token && !mine.over) {
      mine.failed = true;
      mine.end("`tsmgr mgr fail` asked it to step down", false);
    }
    return `failed mgr.${m.active_name}`;
  }

  /** The fence for EtcdStore: the leader key and token while this daemon's leadership is valid. */
  fence(): FenceProvider {
    return {
      current: () => this.#currentFence(),
      rejected: (f) => {
        const t = this.#term;
        if (t && t.token === f.createRevision && !t.lost) {
          this.#check(t);
          t.end("etcd refused a fenced write: its leader key is gone or was replaced", true);
        }
      },
    };
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    process.off("SIGCONT", this.#onCont);
    this.#firstRole?.();
    const t = this.#term;
    // Like the SQLite election: no onRole here, the daemon already stopped its modules.
    if (t && !t.over) t.end("the daemon is stopping", false);
    this.#role = "standby";
    await this.#switching;
    if (t) await Promise.race([this.#resign(t, 0), sleep(1500)]);
    this.#watchers = [];
    await Promise.race([this.#loop, sleep(500)]);
    // ours, and those of campaigns that were still waiting for a predecessor to go
    const electionNs = (this.#election as unknown as { namespace: Namespace }).namespace;
    await Promise.all([dropWatches(this.#ns), dropWatches(electionNs)]);
    if (this.#owns) this.#client.close();
  }

  // ---- the loop ------------------------------------------------------------------------

  async #run(): Promise<void> {
    let backoff = 100;
    while (!this.#stopped) {
      const began = now();
      let failed = false;
      try {
        failed = await this.#oneTerm();
      } catch (e) {
        this.#report(new Error(`campaign failed (${etcdReason(e)}): trying again`));
        this.#announceStandby();
      }
      if (this.#stopped) break;
      if (failed) {
        // after `mgr fail`, stay out until another daemon leads (or a lease time passed)
        await this.#until(() => this.#otherLeader(), this.#ttlS * 1000 + 500);
      } else if (now() - began < this.#ttlS * 1000) {
        // a campaign that ended this quickly failed (etcd away?): back off before the next
        await sleep(backoff);
        backoff = Math.min(1000, backoff * 2);
      } else backoff = 100;
    }
  }

  /** Runs one campaign to its end. Returns true when it ended by `mgr fail`. */
  async #oneTerm(): Promise<boolean> {
    const t = this.#newTerm();
    this.#term = t;
    const won = await Promise.race([
      t.campaign.wait().then(
        () => true,
        () => false,
      ),
      t.ended.then(() => false),
    ]);
    if (won && !t.over) {
      try {
        const leaseId = await t.lease.grant();
        const key = ELECTION_DIR + leaseId;
        const kv = (await this.#ns.get(key).exec()).kvs[0];
        if (!kv) t.end("its campaign key vanished (the lease expired) before it took office", true);
        else if (!this.#valid(t)) t.end("its lease may have expired before it took office", true);
        else {
          t.key = key;
          t.token = kv.create_revision;
          this.#candidates.set(key, { member: this.#me, create: Number(kv.create_revision) });
          await this.#claimMap(t);
          if (!t.over && !this.#stopped) void this.#switchTo("active");
        }
      } catch (e) {
        t.end(`could not take office (${etcdReason(e)})`, true);
      }
    } else if (!t.over) {
      t.end("the campaign failed", true);
    }
    const why = await t.ended;
    if (this.#stopped) return false;
    if (this.#role === "active") this.#stepDown(why);
    else if (!t.token) {
      this.#announceStandby();
      this.#reportStandby(why);
    }
    // modules stop before the key goes: after `mgr fail`, the next active must not start while ours run
    await this.#switching;
    // while etcd is away, keep trying: a revoked lease lets the next campaign win as soon as etcd is back
    void this.#resign(t, 30_000);
    return t.failed;
  }

  #newTerm(): Term {
    const started = now();
    const campaign = this.#election.campaign(JSON.stringify(this.#me));
    const lease = (campaign as unknown as { lease: Lease }).lease; // private in etcd3 1.1.2 (pinned)
    let end!: (why: string) => void;
    const ended = new Promise<string>((r) => (end = r));
    const sent: number[] = [];
    const t: Term = {
      campaign,
      lease,
      epoch: 0,
      validUntil: 0,
      lost: false,
      over: false,
      why: "",
      ended,
      failed: false,
      timer: setInterval(() => this.#check(t), GUARD_TICK_MS),
      end: (why, lost) => {
        if (lost) t.lost = true;
        if (!t.over) {
          t.over = true;
          t.why = why;
          end(why);
        }
        // a lost leadership stops the modules now, not a microtask later
        if (lost && t === this.#term && this.#role === "active" && !this.#stopped) this.#stepDown(why);
      },
    };
    t.timer.unref();
    const extend = (from: number, ttlS: number) => {
      t.validUntil = Math.max(t.validUntil, from + ttlS * 1000 - this.#marginMs);
    };
    lease.grant().then(
      () => extend(started, this.#ttlS),
      () => undefined,
    );
    lease.on("keepaliveEstablished", () => (sent.length = 0)); // answers on the old stream never come
    lease.on("keepaliveFired", () => sent.push(now())); // count from the SEND time, not the reply
    lease.on("keepaliveSucceeded", (res) => {
      const at = sent.shift();
      if (at !== undefined) extend(at, Number(res.TTL));
    });
    lease.on("lost", () => undefined);
    campaign.on("error", (e) => {
      this.#check(t);
      t.end(`etcd3 reported the campaign lost (${etcdReason(e)})`, true);
    });
    (campaign as unknown as NodeJS.EventEmitter).on("_isWaiting", () => {
      if (t === this.#term && !t.over) this.#announceStandby();
    });
    return t;
  }

  /** The guard: the term is lost once its lease could have expired on the server. */
  #check(t: Term): void {
    if (t.lost || t.validUntil === 0 || now() < t.validUntil) return;
    const wall = (mono: number) => new Date(Date.now() - (now() - mono)).toISOString();
    t.end(
      `no keep-alive of its lease was answered in time: the lease (TTL ${this.#ttlS} s) could expire on etcd from ` +
        `${wall(t.validUntil + this.#marginMs)} on, so it stopped acting at ${wall(t.validUntil)}, ${this.#marginMs} ms before`,
      true,
    );
  }

  #checkGuard(): void {
    const t = this.#term;
    if (t) this.#check(t);
  }

  #valid(t: Term): boolean {
    this.#check(t);
    return !t.lost && t.validUntil > 0 && now() < t.validUntil;
  }

  #currentFence(): Fence {
    const t = this.#term;
    const who = `this daemon (mgr.${this.#me.name})`;
    if (this.#stopped) throw new StoreError(`${who} has left its group: the write was not stored`);
    if (!t?.token || !t.key)
      throw new StoreError(
        `${who} is not the active daemon of its group: the write was not stored; the active daemon takes writes`,
      );
    if (!this.#valid(t))
      throw new StoreError(
        `${who} is no longer the active daemon of its group (${t.why || "its lease could have expired"}): the write was not stored`,
      );
    return { key: t.key, createRevision: t.token };
  }

  /** The new active writes the mgr map with the next epoch, guarded by its token. */
  async #claimMap(t: Term): Promise<void> {
    const cur = (await this.#ns.get(MGRMAP_KEY).exec()).kvs[0];
    const prev = cur ? parseRecord(cur.value.toString("utf8")) : undefined;
    t.epoch = Math.max(prev?.epoch ?? 0, this.#record?.epoch ?? 0);
    await this.#writeMap(t);
  }

  #writeMap(t: Term): Promise<void> {
    const write = async () => {
      if (t.lost || !t.token || !t.key || this.#stopped) return;
      t.epoch++;
      const rec: MapRecord = {
        epoch: t.epoch,
        token: t.token,
        name: this.#me.name,
        gid: this.#me.gid,
        addr: this.#me.addr,
        asok: this.#me.asok,
        services: this.#published,
      };
      try {
        this.#currentFence();
        const res = await this.#ns
          .if(t.key, "Create", "==", t.token)
          .then(this.#ns.put(MGRMAP_KEY).value(JSON.stringify(rec)))
          .commit();
        if (!res.succeeded) t.end("etcd refused its mgr map write: its leader key is gone or was replaced", true);
        else if (!this.#record || this.#record.epoch <= rec.epoch) this.#record = rec;
      } catch (e) {
        if (e instanceof StoreError) t.end(e.message, true);
        else this.#report(new Error(`could not publish the mgr map (${etcdReason(e)})`));
      }
    };
    this.#mapWrites = this.#mapWrites.then(write, write);
    return this.#mapWrites;
  }

  #switchTo(role: Role): Promise<void> {
    if (role === this.#role) return this.#switching;
    this.#role = role;
    this.#switching = this.#switching.then(() => this.#onRole(role)).catch((e) => this.#report(e as Error));
    const first = this.#firstRole;
    this.#firstRole = undefined;
    if (first) void this.#switching.then(first);
    return this.#switching;
  }

  #stepDown(why: string): void {
    this.#report(new Error(`stepping down, this daemon is no longer the active one: ${why}`));
    void this.#switchTo("standby");
  }

  #lastStandbyReport = -Infinity;

  /** A standby's campaign ended (etcd away?): say so, at most every 5 s. */
  #reportStandby(why: string): void {
    if (now() - this.#lastStandbyReport < 5000) return;
    this.#lastStandbyReport = now();
    this.#report(new Error(`campaign ended (${why}): campaigning again`));
  }

  #announceStandby(): void {
    if (this.#role === undefined && !this.#stopped) void this.#switchTo("standby");
  }

  /** Best effort: revoke the lease (the key goes with it); keep trying for `retryMs` if etcd is away. */
  async #resign(t: Term, retryMs: number): Promise<void> {
    t.lost = true;
    t.over = true;
    clearInterval(t.timer);
    const until = now() + retryMs;
    try {
      await t.campaign.resign();
      return;
    } catch {
      // etcd unreachable: the lease expires by itself; revoking it sooner lets the next leader in sooner
    }
    while (now() < until && !this.#stopped) {
      await sleep(300);
      try {
        await t.lease.revoke();
        return;
      } catch {
        // keep trying
      }
    }
  }

  #otherLeader(): boolean {
    const leader = [...this.#candidates.values()].sort((a, b) => a.create - b.create)[0];
    return leader !== undefined && leader.member.gid !== this.#me.gid;
  }

  async #until(cond: () => boolean, ms: number): Promise<void> {
    const end = now() + ms;
    while (!this.#stopped && !cond() && now() < end) await sleep(50);
  }

  // ---- the group's state, kept current by a watch --------------------------------------

  async #loadState(): Promise<void> {
    const list = await this.#ns.getAll().prefix(ELECTION_DIR).exec();
    const rev = list.header.revision;
    const rec = (await this.#ns.get(MGRMAP_KEY).revision(rev).exec()).kvs[0];
    const candidates = new Map<string, Candidate>();
    for (const kv of list.kvs) {
      const c = parseCandidate(kv);
      if (c) candidates.set(kv.key.toString("utf8"), c);
    }
    this.#candidates = candidates;
    const own = this.#term;
    if (own?.key && own.token && !own.lost)
      this.#candidates.set(own.key, { member: this.#me, create: Number(own.token) });
    if (rec) this.#record = parseRecord(rec.value.toString("utf8")) ?? this.#record;
    const from = String(Number(rev) + 1);
    const election = this.#ns.watch().prefix(ELECTION_DIR).startRevision(from).watcher();
    const others = this.#ns.watch().key(FAIL_KEY).startRevision(from).watcher();
    const map = this.#ns.watch().key(MGRMAP_KEY).startRevision(from).watcher();
    this.#watchers = [election, others, map];
    for (const w of this.#watchers) {
      w.on("put", (kv) => this.#onPut(kv));
      w.on("delete", (kv) => this.#onDelete(kv));
      w.on("error", (e) => void this.#rewatch(e));
      w.on("disconnected", () => undefined); // etcd3 reconnects and resumes from the last revision
    }
  }

  /** A watch was cancelled by the server (e.g. compaction): read the state again and watch from there. */
  async #rewatch(err: Error): Promise<void> {
    const old = this.#watchers;
    if (old.length === 0 || this.#stopped) return;
    this.#watchers = [];
    for (const w of old) void w.cancel().catch(() => {});
    this.#report(new Error(`election watch cancelled (${etcdReason(err)}): reading the group's state again`));
    for (let delay = 100; !this.#stopped; delay = Math.min(1000, delay * 2)) {
      try {
        await this.#loadState();
        return;
      } catch {
        await sleep(delay);
      }
    }
  }

  #onPut(kv: IKeyValue): void {
    const key = kv.key.toString("utf8");
    if (key.startsWith(ELECTION_DIR)) {
      const c = parseCandidate(kv);
      if (c) this.#candidates.set(key, c);
    } else if (key === MGRMAP_KEY) {
      const rec = parseRecord(kv.value.toString("utf8"));
      if (rec && (!this.#record || rec.epoch >= this.#record.epoch || rec.token !== this.#record.token))
        this.#record = rec;
    } else if (key === FAIL_KEY) {
      let token: unknown;
      try {
        token = (JSON.parse(kv.value.toString("utf8")) as { token?: unknown }).token;
      } catch {
        return;
      }
      const t = this.#term;
      if (t?.token !== undefined && t.token === token && !t.over) {
        t.failed = true;
        t.end("`tsmgr mgr fail` asked it to step down", false);
      }
    }
  }

  #onDelete(kv: IKeyValue): void {
    const key = kv.key.toString("utf8");
    if (!key.startsWith(ELECTION_DIR)) return;
    this.#candidates.delete(key);
    const t = this.#term;
    if (t?.key === key && !t.lost) {
      this.#check(t); // after a stall, the guard's reason (and its time) comes first
      t.end("its leader key was deleted (lease expired or revoked)", true);
    }
  }

  #report(err: Error): void {
    try {
      this.#o.onError?.(err);
    } catch {
      // a failing reporter must not break the election
    }
  }
}

function parseCandidate(kv: IKeyValue): Candidate | undefined {
  try {
    const m = JSON.parse(kv.value.toString("utf8")) as Member;
    if (typeof m?.name !== "string" || typeof m.gid !== "number") return undefined;
    return {
      member: { name: m.name, gid: m.gid, addr: String(m.addr ?? ""), asok: String(m.asok ?? "") },
      create: Number(kv.create_revision),
    };
  } catch {
    return undefined;
  }
}

function parseRecord(s: string): MapRecord | undefined {
  try {
    const r = JSON.parse(s) as MapRecord;
    if (typeof r?.epoch !== "number" || typeof r.token !== "string") return undefined;
    return { ...r, services: r.services && typeof r.services === "object" ? r.services : {} };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
