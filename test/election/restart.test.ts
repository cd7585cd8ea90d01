// A daemon restarted after a crash (kill -9, OOM, power cut of the process) takes back its own
// lease at once instead of waiting for it to lapse, as Ceph's monitor replaces an active mgr
// whose name beacons again with a new gid; a live daemon's lease is never taken that way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { SqliteElection } from "../../runtime/election/sqlite.ts";
import { cleanup, cli, spawnDaemon, tempDir, writeConfig } from "../_util.ts";

let dir = "";
test.after.each(() => cleanup(dir));

const opts = (file: string, name: string, leaseMs = 60_000) => ({ file, name, addr: "", asok: "", leaseMs });

/** A pid that was just used and is free now. */
function deadPid(): number {
  const r = spawnSync("true");
  return r.pid!;
}

/** The lease file as a crashed daemon named `name` left it: holding, for a minute more. */
function leftByCrash(file: string, name: string, pid: number, host = hostname()): void {
  const e = new SqliteElection(opts(file, name));
  e.stop(); // creates the tables; a stopped election holds nothing
  const db = new Database(file);
  const now = Date.now();
  db.prepare("UPDATE lease SET holder = ?, gid = 7, expires_at = ?, epoch = 3 WHERE id = 1").run(name, now + 60_000);
  db.prepare(
    "INSERT OR REPLACE INTO members (name, gid, addr, asok, seen_at, pid, host) VALUES (?, 7, '', '', ?, ?, ?)",
  ).run(name, now, pid, host);
  db.close();
}

test("restarted under its name after its process died, a daemon takes its lease at once", async () => {
  dir = tempDir();
  const file = join(dir, "election.db");
  leftByCrash(file, "a", deadPid());
  const e = new SqliteElection(opts(file, "a"));
  const roles: string[] = [];
  await e.start(async (r) => void roles.push(r));
  try {
    assert.equal(roles, ["active"]);
    assert.is(e.nameTaken(), false, "a dead predecessor is not a name clash");
    assert.is(e.map().active_name, "a");
    assert.is(e.map().epoch, 4, "a new epoch: the old one's writes are fenced");
  } finally {
    await e.stop();
  }
});

test("a lease whose holder is alive, or is another daemon, or ran on another host, is waited for", async () => {
  for (const [who, name, pid, host] of [
    ["a live process under the same name", "a", process.pid, hostname()],
    ["another daemon's, dead", "b", deadPid(), hostname()],
    ["the same name on another host", "a", deadPid(), "elsewhere.example"],
  ] as const) {
    dir = tempDir();
    const file = join(dir, "election.db");
    leftByCrash(file, name, pid, host);
    const e = new SqliteElection(opts(file, "a"));
    const roles: string[] = [];
    await e.start(async (r) => void roles.push(r));
    try {
      assert.equal(roles, ["standby"], who);
      assert.is(e.map().active_name, name, who);
      assert.is(e.nameTaken(), name === "a", who);
    } finally {
      await e.stop();
      cleanup(dir);
    }
  }
});

test("kill -9 of a lone daemon with a one-minute lease: restarted, it is active again without waiting a minute", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  const cfg = writeConfig(dir, { id: "a", election: { leaseMs: 60_000 } });
  const first = await spawnDaemon(cfg);
  const before = JSON.parse((await cli(["-c", cfg, "status", "-f", "json"])).stdout);
  first.proc.kill("SIGKILL");
  await first.exited;
  const again = await spawnDaemon(cfg); // answers status within 30 s, or throws
  try {
    const map = JSON.parse((await cli(["-c", cfg, "status", "-f", "json"])).stdout);
    assert.is(map.active_name, "a");
    assert.is(map.epoch, before.epoch + 1, "the restarted daemon took the lease (a new epoch), not the dead one's");
    assert.is.not(map.active_gid, before.active_gid);
    assert.not.match(again.output(), /ids must be unique/);
  } finally {
    again.proc.kill("SIGTERM");
    await again.exited;
  }
});

test.run();
