// The daemon's files are its owner's alone (issue 21 item 10): in a data dir that already exists
// with mode 0755, store.db and its WAL were created 0644 (readable by every local user, and they
// hold the auth keys). Files are created 0600 whatever the umask, and the daemon warns when the
// data dir itself is wider than 0700.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteElection } from "../../runtime/election/index.ts";
import { openSqliteStore } from "../../runtime/store/index.ts";
import { cleanup, startTestDaemon, tempDir } from "../_util.ts";

const mode = (f: string) => (statSync(f).mode & 0o777).toString(8).padStart(4, "0");
let dir = "";
let umask = 0;

test.before.each(() => {
  dir = tempDir("tsmgr-modes-");
  umask = process.umask(0o022);
});
test.after.each(() => {
  process.umask(umask);
  cleanup(dir);
});

function openDir(): string {
  const data = join(dir, "data");
  mkdirSync(data);
  chmodSync(data, 0o755);
  return data;
}

test("store.db, its -wal and -shm are created 0600 in a 0755 data dir, whatever the umask", async () => {
  const file = join(openDir(), "store.db");
  const store = openSqliteStore(file);
  await store.commit([["k", "v"]]);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    assert.ok(existsSync(f), f);
    assert.is(mode(f), "0600", f);
  }
  await store.close();
});

test("an existing store.db and WAL left 0644 are made 0600 when opened", async () => {
  const file = join(openDir(), "store.db");
  const first = openSqliteStore(file);
  await first.commit([["k", "v"]]);
  await first.close();
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o644);
  writeFileSync(`${file}-wal`, "", { flag: "a" });
  chmodSync(`${file}-wal`, 0o644);
  const again = openSqliteStore(file);
  await again.commit([["k", "w"]]);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) assert.is(mode(f), "0600", f);
  await again.close();
});

test("election.db and its WAL are created 0600", async () => {
  const file = join(openDir(), "election.db");
  const e = new SqliteElection({ file, name: "a", addr: "", asok: "", leaseMs: 1000 });
  try {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) assert.is(mode(f), "0600", f);
    assert.is(mode(file), "0600");
  } finally {
    await e.stop();
  }
});

test("a daemon whose data dir is wider than 0700 warns, naming the dir and the chmod that fixes it", async () => {
  const data = openDir();
  const d = await startTestDaemon(dir, { dataDir: data });
  try {
    const warning = d.logs.find((l) => l.msg.includes("chmod 700"));
    assert.ok(warning, "a warning about the data dir's mode");
    assert.is(warning!.level, 40);
    assert.match(warning!.msg, `data dir ${data} has mode 0755`);
    assert.match(warning!.msg, `chmod 700 ${data}`);
    assert.is(mode(join(data, "store.db")), "0600");
    assert.is(mode(join(data, "election.db")), "0600");
  } finally {
    await d.stop();
  }
});

test("a daemon whose data dir is 0700 does not warn", async () => {
  const data = join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  const d = await startTestDaemon(dir, { dataDir: data });
  try {
    assert.not.ok(d.logs.some((l) => l.msg.includes("chmod 700")));
  } finally {
    await d.stop();
  }
});

test.run();
