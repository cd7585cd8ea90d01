// Real etcd servers for the etcd tests: one member or a 3-member cluster on free loopback
// ports, data in a temp dir, stopped by pid. Tuned timeouts (heartbeat 50 ms, election 500 ms)
// let the server grant 1 s leases. No etcd installed: `npm test` leaves these files out, saying so
// (test/_needs.ts); run directly, or under TSMGR_REQUIRE_ALL=1, they fail naming what to install.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { etcdPath, missingMessage, probe } from "../_needs.ts";

/** Throws, with what to install, when the etcd server is missing. */
export function requireEtcd(): void {
  const why = probe("etcd");
  if (why) throw new Error(`this test file ${missingMessage("etcd", why)}, or point TSMGR_TEST_ETCD at an etcd binary`);
}

/** The daemon must pick its backends through runtime/daemon/backends.ts for the daemon-level tests. */
export function requireWiring(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const src = readFileSync(join(root, "runtime", "daemon", "daemon.ts"), "utf8");
  if (!src.includes("openStoreBackend") || !src.includes("createElection")) {
    throw new Error(
      "runtime/daemon/daemon.ts does not pick its backends through runtime/daemon/backends.ts yet " +
        "(openStoreBackend/createElection): apply the daemon.ts wiring patch of the etcd backends",
    );
  }
}

function etcdBin(): string {
  return etcdPath() ?? "etcd";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface EtcdMember {
  name: string;
  clientPort: number;
  peerPort: number;
  endpoint: string;
  dataDir: string;
  proc: ChildProcess | undefined;
  exited: Promise<void> | undefined;
}

export interface EtcdCluster {
  dir: string;
  members: EtcdMember[];
  /** every member's client URL */
  endpoints: string[];
  /** SIGKILL (default) or SIGTERM one member and wait for it to exit */
  stopMember(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** starts a stopped member again on its data dir (same ports) and waits until it is healthy */
  startMember(i: number): Promise<void>;
  /** SIGSTOP / SIGCONT */
  pauseMember(i: number): void;
  resumeMember(i: number): void;
  /** kills every member and removes the data dirs */
  destroy(): Promise<void>;
}

// etcd servers still running when this process ends (a test run killed half-way) go with it
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) p.kill("SIGKILL");
});

/** Starts `n` members (1 or 3) and resolves once every member answers /health. */
export async function startEtcd(n = 1): Promise<EtcdCluster> {
  requireEtcd();
  const dir = mkdtempSync(join(tmpdir(), "tsmgr-etcd-"));
  const members: EtcdMember[] = [];
  for (let i = 0; i < n; i++) {
    const clientPort = await freePort();
    let peerPort = await freePort();
    while (peerPort === clientPort) peerPort = await freePort();
    members.push({
      name: `m${i + 1}`,
      clientPort,
      peerPort,
      endpoint: `http://127.0.0.1:${clientPort}`,
      dataDir: join(dir, `m${i + 1}`),
      proc: undefined,
      exited: undefined,
    });
  }
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(",");
  const token = `tsmgr-test-${process.pid}-${members[0]!.clientPort}`; // one per cluster
  const launch = (m: EtcdMember) => {
    // etcd reads every ETCD_* variable as a flag: keep ours out of its environment
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ETCD_")));
    const args = [
      "--name",
      m.name,
      "--data-dir",
      m.dataDir,
      "--logger=zap",
      `--log-outputs=${m.dataDir}.log`,
      "--listen-client-urls",
      m.endpoint,
      "--advertise-client-urls",
      m.endpoint,
      "--listen-peer-urls",
      `http://127.0.0.1:${m.peerPort}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${m.peerPort}`,
      "--initial-cluster",
      initialCluster,
      "--initial-cluster-state",
      "new",
      "--initial-cluster-token",
      token,
      "--heartbeat-interval=50",
      "--election-timeout=500",
    ];
    const proc = spawn(etcdBin(), args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    proc.stderr!.on("data", (d) => (err = (err + d).slice(-4000)));
    m.proc = proc;
    live.add(proc);
    m.exited = new Promise<void>((r) =>
      proc.on("exit", () => {
        live.delete(proc);
        r();
      }),
    );
    proc.on("error", (e) => (err += String(e)));
    return () => err;
  };
  const cluster: EtcdCluster = {
    dir,
    members,
    endpoints: members.map((m) => m.endpoint),
    async stopMember(i, signal = "SIGKILL") {
      const m = members[i]!;
      if (!m.proc || m.proc.exitCode !== null || m.proc.signalCode !== null) return;
      m.proc.kill(signal);
      const done = await Promise.race([m.exited!.then(() => true), idle(8000).then(() => false)]);
      if (!done) {
        m.proc.kill("SIGKILL");
        await m.exited;
      }
      m.proc = undefined;
    },
    async startMember(i) {
      const m = members[i]!;
      const stderr = launch(m);
      await healthy(m, stderr, 15_000);
    },
    pauseMember(i) {
      members[i]!.proc?.kill("SIGSTOP");
    },
    resumeMember(i) {
      members[i]!.proc?.kill("SIGCONT");
    },
    async destroy() {
      for (const m of members) {
        if (m.proc && m.proc.exitCode === null) {
          m.proc.kill("SIGCONT");
          m.proc.kill("SIGKILL");
        }
      }
      await Promise.race([Promise.all(members.map((m) => m.exited)), idle(5000)]);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
  try {
    const errs = members.map((m) => launch(m));
    await Promise.all(members.map((m, i) => healthy(m, errs[i]!, 20_000)));
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}

async function healthy(m: EtcdMember, stderr: () => string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (m.proc && (m.proc.exitCode !== null || m.proc.signalCode !== null)) {
      throw new Error(`etcd member ${m.name} exited during start (code ${m.proc.exitCode}): ${stderr().slice(-1500)}`);
    }
    try {
      const r = await fetch(`${m.endpoint}/health`, { signal: AbortSignal.timeout(500) });
      if (r.ok && ((await r.json()) as { health?: string }).health === "true") return;
    } catch {
      // not up yet
    }
    await sleep(20);
  }
  throw new Error(
    `etcd member ${m.name} (${m.endpoint}) was not healthy within ${timeoutMs} ms: ${stderr().slice(-1500)}`,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A sleep that does not keep the process alive (for the losing side of a race). */
export function idle(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Every value `key` had, in commit order (the tests never compact, so etcd keeps the history). */
export async function keyHistory(endpoints: string[], key: string): Promise<string[]> {
  const { createEtcdClient } = await import("../../runtime/etcd/index.ts");
  const client = createEtcdClient(endpoints);
  try {
    const head = await client.get(key).exec();
    const last = Number(head.kvs[0]?.mod_revision ?? 0);
    if (last === 0) return [];
    const values: string[] = [];
    const w = await client.watch().key(key).startRevision("1").create();
    await new Promise<void>((resolve) => {
      w.on("put", (kv) => {
        values.push(kv.value.toString());
        if (Number(kv.mod_revision) >= last) resolve();
      });
      setTimeout(resolve, 3000).unref();
    });
    await w.cancel();
    return values;
  } finally {
    client.close();
  }
}

/** The index of the member that is the raft leader now. */
export async function raftLeader(cluster: EtcdCluster): Promise<number> {
  for (let i = 0; i < cluster.members.length; i++) {
    const m = cluster.members[i]!;
    if (!m.proc) continue;
    try {
      const r = await fetch(`${m.endpoint}/v3/maintenance/status`, {
        method: "POST",
        body: "{}",
        signal: AbortSignal.timeout(1000),
      });
      const s = (await r.json()) as { header: { member_id: string }; leader: string };
      if (s.header.member_id === s.leader) return i;
    } catch {
      // that member is down
    }
  }
  throw new Error("no etcd member says it is the raft leader");
}

/**
 * `suite.before(fn)`, except that an error in `fn` fails every test with its message: uvu drops
 * errors thrown in a `before` hook without a word (e.g. etcd missing, or not wired yet).
 */
export function setUp(
  suite: { before: ((fn: () => Promise<void>) => void) & { each(fn: (state: { __test__?: string }) => void): void } },
  fn: () => Promise<void>,
): void {
  let error: unknown;
  suite.before(async () => {
    try {
      await fn();
    } catch (e) {
      error = e;
    }
  });
  suite.before.each((state) => {
    // TSMGR_TEST_TRACE=1 names each test as it starts (to find a slow or stuck one)
    if (process.env.TSMGR_TEST_TRACE) process.stderr.write(`\n[${new Date().toISOString()}] ${state.__test__ ?? ""}\n`);
    if (error) throw error;
  });
}
