// Real daemon processes (`tsmgr daemon`) grouped through a real etcd: kill -9 of the active,
// a paused active (SIGSTOP past its lease, then SIGCONT) that must neither act nor write once
// another daemon leads, and the refusals at start seen from the command line (exit code 2).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requestAsok } from "../../runtime/http/index.ts";
import { BIN, cleanup, ROOT, spawnDaemon, tempDir, waitFor } from "../_util.ts";
import { freePort, idle, keyHistory, requireWiring, sleep, startEtcd, setUp, type EtcdCluster } from "./_etcd.ts";

type Child = Awaited<ReturnType<typeof spawnDaemon>>;

let etcd: EtcdCluster;
let dir = "";
let children: Child[] = [];
let prefixNo = 0;

setUp(test, async () => {
  requireWiring();
  etcd = await startEtcd(1);
});
test.after.each(async () => {
  for (const c of children) {
    c.proc.kill("SIGCONT");
    c.proc.kill("SIGKILL");
    await Promise.race([c.exited, idle(3000)]);
  }
  children = [];
  if (dir) cleanup(dir);
  dir = "";
});
test.after(async () => {
  await etcd?.destroy();
});

/** A group of child daemons in `dir`, each with its own data dir (as on separate machines). */
function group(modules: string[], leaseMs = 1000, extra: Record<string, unknown> = {}) {
  dir = tempDir("tsmgr-etcd-fo-");
  mkdirSync(join(dir, "modules"));
  for (const m of modules) {
    const src =
      m === "ticker"
        ? join(ROOT, "test", "etcd", "modules", "ticker.ts")
        : join(ROOT, "test", "fixtures", "modules", `${m}.ts`);
    copyFileSync(src, join(dir, "modules", `${m}.ts`));
  }
  const prefix = `fo${++prefixNo}-${process.pid}/`;
  const cfg = (id: string) => {
    const f = join(dir, `mgr-${id}.json`);
    writeFileSync(
      f,
      JSON.stringify({
        id,
        modulePath: "modules",
        dataDir: `data-${id}`,
        hotReload: false,
        http: { listen: "" },
        cluster: { sim: { hosts: 2, osdsPerHost: 2, tickMs: 0 } },
        store: { backend: "etcd" },
        election: { backend: "etcd", leaseMs },
        etcd: { endpoints: etcd.endpoints, prefix },
        modules: Object.fromEntries(modules.map((m) => [m, { enabled: true }])),
        ...extra,
      }),
    );
    return f;
  };
  const asok = (id: string) => join(dir, `data-${id}`, `mgr.${id}.asok`);
  const start = async (id: string) => {
    const c = await spawnDaemon(cfg(id));
    children.push(c);
    return c;
  };
  return { prefix, cfg, asok, start };
}

async function ask(asok: string, argv: string[], format?: "json") {
  try {
    return await requestAsok(asok, format ? { argv, format } : { argv }, 1000);
  } catch {
    return { retval: -111, stdout: "", stderr: "no daemon" };
  }
}

async function mapOf(
  asok: string,
): Promise<{ active_name: string; available: boolean; standbys: { name: string }[]; epoch: number } | undefined> {
  const r = await ask(asok, ["status"], "json");
  return r.retval === 0 ? JSON.parse(r.stdout) : undefined;
}

interface Rec {
  time: string;
  msg: string;
  module?: string;
  level: number;
}
function records(output: string): Rec[] {
  const out: Rec[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as Rec);
    } catch {
      // a partial line
    }
  }
  return out;
}

test("kill -9 of the active: a standby answers as active within 3 s, and the killed daemon rejoins as standby", async () => {
  const g = group(["with_standby"]);
  await g.start("a");
  const b = await g.start("b");
  await waitFor(
    async () => (await mapOf(g.asok("a")))?.standbys.some((s) => s.name === "b"),
    "b listed as standby",
    5000,
  );
  assert.match((await ask(g.asok("b"), ["ws", "who"])).stdout, /^active on a count=1/);
  const a = children[0]!;
  const t0 = performance.now();
  a.proc.kill("SIGKILL");
  let answer = "";
  await waitFor(
    async () => {
      answer = (await ask(g.asok("b"), ["ws", "who"])).stdout;
      return answer.startsWith("active on b");
    },
    "b to answer as active",
    6000,
  );
  const ms = performance.now() - t0;
  assert.match(answer, /^active on b count=2/, "b started the module with a's stored state");
  assert.ok(ms <= 3000, `failover took ${Math.round(ms)} ms`);
  await a.exited;
  children = children.filter((c) => c !== a);
  await g.start("a");
  await waitFor(
    async () => {
      const m = await mapOf(g.asok("a"));
      return m?.active_name === "b" && m.standbys.some((s) => s.name === "a");
    },
    "a listed as standby of b",
    5000,
  );
  assert.ok(b.output().includes("this daemon is now active"));
});

test("a paused active (SIGSTOP past its lease, SIGCONT): its writes are refused and its modules stop; it never acts after the new active started", async () => {
  const g = group(["ticker"]);
  const a = await g.start("a");
  const b = await g.start("b");
  await waitFor(() => /tick ok a:\d+/.test(a.output()), "a's ticker to write", 5000);
  await waitFor(
    async () => (await mapOf(g.asok("b")))?.standbys.some((s) => s.name === "b"),
    "b listed as standby",
    5000,
  );
  a.proc.kill("SIGSTOP");
  const stoppedAt = Date.now();
  try {
    await waitFor(
      async () => (await mapOf(g.asok("b")))?.active_name === "b",
      "b to become active while a is paused",
      6000,
    );
    await waitFor(() => /tick ok b:\d+/.test(b.output()), "b's ticker to write", 3000);
    await sleep(Math.max(0, stoppedAt + 2500 - Date.now())); // well past a's 1 s lease
  } finally {
    a.proc.kill("SIGCONT");
  }
  const resumedAt = Date.now();
  await waitFor(() => /bye (ok|rejected) a/.test(a.output()), "a to stop its ticker", 5000);
  await waitFor(
    () => records(a.output()).some((r) => r.msg === "this daemon is standby" && Date.parse(r.time) >= resumedAt - 50),
    "a to go standby",
    5000,
  );
  await sleep(300);

  const recA = records(a.output());
  const recB = records(b.output());
  // 1. a noticed on its own that its lease could have expired, and stepped down
  const down = recA.find((r) =>
    r.msg.includes(
      "stepping down, this daemon is no longer the active one: no keep-alive of its lease was answered in time",
    ),
  );
  assert.ok(down, `a logged the step-down: ${a.output().slice(-3000)}`);
  // 2. by its own clock, a stopped acting before b took office
  const stoppedActing = Date.parse(/it stopped acting at (\S+),/.exec(down!.msg)![1]!);
  const bActive = Date.parse(recB.find((r) => r.msg === "this daemon is now active")!.time);
  assert.ok(
    stoppedActing < bActive,
    `a's leadership ended at ${new Date(stoppedActing).toISOString()}, b became active at ${new Date(bActive).toISOString()}`,
  );
  // 3. a's writes after the pause were refused (its module's shutdown write at least)
  const refused = recA.filter((r) => /^(tick|bye) rejected a/.test(r.msg));
  assert.ok(refused.length >= 1, "a tried to write and was refused");
  for (const r of refused)
    assert.match(
      r.msg,
      /no longer the active daemon of its group|not the active daemon of its group|no longer the active one of its group/,
    );
  assert.not.ok(recA.some((r) => r.msg.startsWith("bye ok a")));
  // 4. etcd's history of the ticker's key: every write of a precedes every write of b
  const history = await keyHistory(etcd.endpoints, `${g.prefix}kv/mgr/ticker/tick`);
  const firstB = history.findIndex((v) => v.startsWith("b:"));
  assert.ok(firstB > 0, `history has a's then b's ticks: ${history.slice(-5).join(" ")}`);
  const lateA = history.slice(firstB).filter((v) => v.startsWith("a:"));
  assert.equal(lateA, [], "no write of a landed after b's first");
  // and every tick a logged as stored is in etcd (acknowledged means stored)
  const aHist = new Set(history.filter((v) => v.startsWith("a:")));
  for (const r of recA) {
    const m = /^tick ok (a:\d+)$/.exec(r.msg);
    if (m) assert.ok(aHist.has(m[1]!), `${m[1]} was acknowledged but is not in etcd's history`);
  }
  // 5. a is a standby now, b still active
  const m = await mapOf(g.asok("a"));
  assert.is(m?.active_name, "b");
  assert.ok(m?.standbys.some((s) => s.name === "a"));
});

function runDaemon(cfgFile: string, timeoutMs = 15_000): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(BIN, ["daemon", "-c", cfgFile], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (d) => (output += d));
    p.stderr.on("data", (d) => (output += d));
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code, output, ms: Date.now() - t0 });
    });
  });
}

test("unreachable endpoints at start: `tsmgr daemon` exits 2 with a message naming them", async () => {
  const g = group([]);
  const endpoints = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
  const f = join(dir, "bad.json");
  writeFileSync(
    f,
    JSON.stringify({
      id: "z",
      dataDir: "data-z",
      modulePath: "modules",
      http: { listen: "" },
      store: { backend: "etcd" },
      election: { backend: "etcd" },
      etcd: { endpoints, prefix: g.prefix },
    }),
  );
  const r = await runDaemon(f);
  assert.is(r.code, 2, r.output);
  assert.match(r.output, new RegExp(`cannot reach etcd at ${endpoints.join(", ")} within 4 s`));
  assert.match(r.output, /check that etcd is running there/);
  assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
});

test("a second, unrelated group on the same prefix: `tsmgr daemon` exits 2 and explains", async () => {
  const g = group([]);
  await g.start("a");
  const f = join(dir, "other.json");
  writeFileSync(
    f,
    JSON.stringify({
      id: "other",
      dataDir: "data-o",
      modulePath: "modules",
      http: { listen: "" },
      cluster: { sim: { hosts: 5, osdsPerHost: 1, seed: 3 } },
      store: { backend: "etcd" },
      election: { backend: "etcd" },
      etcd: { endpoints: etcd.endpoints, prefix: g.prefix },
    }),
  );
  const r = await runDaemon(f);
  assert.is(r.code, 2, r.output);
  assert.match(
    r.output,
    /belongs to another tsmgr group: group "simulated cluster hosts=2 osdsPerHost=2 seed=1", started by daemon a at /,
  );
  assert.match(r.output, /give each group its own etcd\.prefix in mgr\.json/);
  assert.ok((await mapOf(g.asok("a")))?.available, "the group kept its active daemon");
});

test.run();
