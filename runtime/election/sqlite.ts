// Election for daemons on one machine: a lease row in an SQLite file in the shared data dir.
// The holder renews it every leaseMs/4; when it lapses (holder killed or stuck) any standby
// takes it with a higher epoch. Fencing: the active gives up its modules when it could not
// renew for leaseMs minus a safety margin, which is before any standby may take over.
// A daemon restarted after a crash takes its own lapsed-to-be lease at once, as Ceph's monitor
// replaces an active mgr whose name beacons with a new gid: when the holder has this daemon's
// name and its recorded process, on this host, is gone, nobody can still be acting on it.
import Database from "better-sqlite3";
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { StoreError } from "../errors.ts";
import type { Election, Member, MgrMap, Role } from "./types.ts";
import { sqliteOwnerOnly } from "../store/owner-only.ts";

interface LeaseRow {
  holder: string;
  gid: number;
  expires_at: number;
  epoch: number;
  services: string;
  fail_gid: number;
}

export interface SqliteElectionOptions {
  file: string;
  name: string;
  addr: string;
  asok: string;
  leaseMs: number;
  onError?: (err: Error) => void;
}

export class SqliteElection implements Election {
  readonly #o: SqliteElectionOptions;
  readonly #db: Database.Database;
  readonly #me: Member;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** undefined until the first tick, so the first role is always announced */
  #role: Role | undefined;
  #onRole: (role: Role) => Promise<void> = async () => {};
  #switching: Promise<void> = Promise.resolve();
  #validUntil = 0;
  #holdUntil = 0;
  #map: MgrMap;
  #services = "{}";
  #nameTaken = false;
  /** the gid of this daemon's previous run when that process is gone (its lease is ours to take) */
  #deadPredecessorGid = 0;
  /** this machine's name, recorded with the pid of each member */
  readonly #host = hostname();
  #stopped = false;
  /** every statement, compiled once (a renewal runs every leaseMs/4) */
  #sql!: Record<
    | "setServices"
    | "requestFail"
    | "release"
    | "leave"
    | "heartbeat"
    | "lease"
    | "releaseForFail"
    | "renew"
    | "take"
    | "alive",
    Database.Statement
  >;

  constructor(o: SqliteElectionOptions) {
    this.#o = o;
    this.#me = { name: o.name, gid: randomInt(1, 2 ** 31), addr: o.addr, asok: o.asok };
    this.#tickMs = Math.max(25, Math.floor(o.leaseMs / 4));
    try {
      mkdirSync(dirname(o.file), { recursive: true });
      sqliteOwnerOnly(o.file);
      this.#db = new Database(o.file, { timeout: this.#tickMs });
      this.#db.pragma("journal_mode = WAL");
      sqliteOwnerOnly(o.file); // the -wal and -shm files exist now
      this.#db.pragma("synchronous = NORMAL");
      this.#db.exec(`
        CREATE TABLE IF NOT EXISTS lease (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, gid INTEGER NOT NULL,
          expires_at INTEGER NOT NULL, epoch INTEGER NOT NULL, services TEXT NOT NULL DEFAULT '{}', fail_gid INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS members (name TEXT PRIMARY KEY, gid INTEGER NOT NULL, addr TEXT NOT NULL, asok TEXT NOT NULL, seen_at INTEGER NOT NULL);
        INSERT OR IGNORE INTO lease (id, holder, gid, expires_at, epoch) VALUES (1, '', 0, 0, 0);`);
      // files written before members recorded their process
      const cols = this.#db.prepare("PRAGMA table_info(members)").all() as { name: string }[];
      if (!cols.some((c) => c.name === "pid"))
        this.#db.exec(
          "ALTER TABLE members ADD COLUMN pid INTEGER NOT NULL DEFAULT 0; ALTER TABLE members ADD COLUMN host TEXT NOT NULL DEFAULT ''",
        );
      this.#sql = {
        setServices: this.#db.prepare("UPDATE lease SET services = ? WHERE id = 1 AND gid = ?"),
        requestFail: this.#db.prepare("UPDATE lease SET fail_gid = gid WHERE id = 1"),
        release: this.#db.prepare("UPDATE lease SET expires_at = 0 WHERE id = 1 AND gid = ?"),
        leave: this.#db.prepare("DELETE FROM members WHERE name = ? AND gid = ?"),
        heartbeat: this.#db.prepare(
          "INSERT INTO members (name, gid, addr, asok, seen_at, pid, host) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET gid = excluded.gid, addr = excluded.addr, asok = excluded.asok, seen_at = excluded.seen_at, pid = excluded.pid, host = excluded.host",
        ),
        lease: this.#db.prepare("SELECT * FROM lease WHERE id = 1"),
        releaseForFail: this.#db.prepare("UPDATE lease SET expires_at = 0, fail_gid = 0 WHERE id = 1"),
        renew: this.#db.prepare("UPDATE lease SET expires_at = ? WHERE id = 1"),
        take: this.#db.prepare(
          "UPDATE lease SET holder = ?, gid = ?, expires_at = ?, epoch = epoch + 1, services = ?, fail_gid = 0 WHERE id = 1",
        ),
        alive: this.#db.prepare("SELECT name, gid, addr, asok FROM members WHERE seen_at > ? ORDER BY name"),
      };
    } catch (e) {
      throw new StoreError(
        `cannot open the election file ${o.file}: ${(e as Error).message}: move it aside or point dataDir elsewhere`,
      );
    }
    this.#map = this.#readMap(Date.now());
    const other = this.#db.prepare("SELECT gid, seen_at, pid, host FROM members WHERE name = ?").get(o.name) as
      { gid: number; seen_at: number; pid: number; host: string } | undefined;
    if (other && Date.now() - other.seen_at < 2 * o.leaseMs) {
      if (other.host === this.#host && other.pid > 0 && !processAlive(other.pid)) this.#deadPredecessorGid = other.gid;
      else this.#nameTaken = true;
    }
  }

  nameTaken(): boolean {
    return this.#nameTaken;
  }

  async start(onRole: (role: Role) => Promise<void>): Promise<void> {
    this.#onRole = onRole;
    await this.#tick();
    await this.#switching;
  }

  isActive(): boolean {
    return this.#role === "active";
  }

  map(): MgrMap {
    return this.#map;
  }

  publishServices(services: Record<string, string>): void {
    this.#services = JSON.stringify(services);
    if (this.#role === "active") {
      this.#sql.setServices.run(this.#services, this.#me.gid);
      this.#map = this.#readMap(Date.now());
    }
  }

  async fail(who?: string): Promise<string> {
    const m = this.#readMap(Date.now());
    if (!m.available) return "no daemon is active";
    if (who !== undefined && who !== m.active_name) {
      if (m.standbys.some((s) => s.name === who)) return `mgr.${who} is a standby: nothing to fail`;
      throw Object.assign(new Error(`no daemon named ${who} in the group`), { errno: 2 });
    }
    this.#sql.requestFail.run();
    if (this.#role === "active") await this.#kick();
    return `failed mgr.${m.active_name}`;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#switching;
    try {
      this.#sql.release.run(this.#me.gid);
      this.#sql.leave.run(this.#me.name, this.#me.gid);
    } catch {
      // the file may be gone (data dir removed): nothing to hand over
    }
    this.#role = "standby";
    this.#db.close();
  }

  // ---- the loop ------------------------------------------------------------------------

  /** Runs the next tick now instead of at its time (one loop, never two). */
  #kick(): Promise<void> {
    clearTimeout(this.#timer);
    return this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const started = performance.now();
    let holding = false;
    try {
      holding = this.#renew();
      if (holding) this.#validUntil = started + this.#o.leaseMs - this.#tickMs;
    } catch (e) {
      this.#o.onError?.(e as Error);
      // could not reach the file: hold on only while the last renewal is still valid
      holding = this.#role === "active" && performance.now() < this.#validUntil;
    }
    // Not awaited: starting or stopping modules can take longer than a lease, and renewals must
    // go on meanwhile. #switching serializes the role changes themselves.
    void this.#switchTo(holding ? "active" : "standby");
    if (this.#stopped) return;
    clearTimeout(this.#timer); // a kick may have raced the timer: keep exactly one loop
    this.#timer = setTimeout(() => void this.#tick(), this.#tickMs);
  }

  #switchTo(role: Role): Promise<void> {
    if (role === this.#role) return this.#switching;
    this.#role = role;
    this.#switching = this.#switching.then(() => this.#onRole(role)).catch((e) => this.#o.onError?.(e as Error));
    return this.#switching;
  }

  /** One renewal or takeover attempt, in one transaction. True while this daemon holds the lease. */
  #renew(): boolean {
    const me = this.#me;
    const tx = this.#db.transaction((): boolean => {
      const now = Date.now();
      this.#sql.heartbeat.run(me.name, me.gid, me.addr, me.asok, now, process.pid, this.#host);
      const row = this.#sql.lease.get() as LeaseRow;
      let holding = false;
      if (row.gid === me.gid && row.expires_at >= now) {
        if (row.fail_gid === me.gid) {
          // `mgr fail`: release now and stay out for a while so a standby takes over
          this.#sql.releaseForFail.run();
          this.#holdUntil = now + 2 * this.#tickMs + this.#o.leaseMs / 2;
        } else {
          this.#sql.renew.run(now + this.#o.leaseMs);
          holding = true;
        }
      } else if (
        (row.expires_at < now || (row.gid === this.#deadPredecessorGid && row.holder === me.name)) &&
        now >= this.#holdUntil
      ) {
        this.#sql.take.run(me.name, me.gid, now + this.#o.leaseMs, this.#services);
        holding = true;
      }
      this.#map = this.#readMap(now);
      return holding;
    });
    return tx.immediate();
  }

  #readMap(now: number): MgrMap {
    const row = this.#sql.lease.get() as LeaseRow;
    const alive = this.#sql.alive.all(now - 2 * this.#o.leaseMs) as Member[];
    const available = row.holder !== "" && row.expires_at >= now;
    const active = alive.find((m) => m.gid === row.gid);
    let services: Record<string, string> = {};
    try {
      services = available ? (JSON.parse(row.services) as Record<string, string>) : {};
    } catch {
      services = {};
    }
    return {
      epoch: row.epoch,
      active_name: available ? row.holder : "",
      active_gid: available ? row.gid : 0,
      active_addr: available ? (active?.addr ?? "") : "",
      active_asok: available ? (active?.asok ?? "") : "",
      available,
      standbys: alive
        .filter((m) => !available || m.gid !== row.gid)
        .map((m) => ({ name: m.name, gid: m.gid, addr: m.addr, asok: m.asok })),
      services,
    };
  }
}

/** Whether a process of this host is running (a pid of another user's process counts as running). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
