// `tsmgr status` end to end (process start → answer printed → exit) beside the floors it competes
// with, run interleaved so the machine's load hits each the same: a bare `node -e 0`, and the
// real `ceph status` against a dev cluster (scripts/ceph-dev-cluster.sh) where Ceph is
// installed. The tsmgr daemon is a child with no module. `tsmgr` is run as an executable (its
// shebang, as a shell runs it). Besides wall time, the CPU each run used (the bench's waited-for
// children's utime+stime from /proc/self/stat, 10 ms ticks, summed over all runs) gives a ratio
// that load barely moves.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, childDaemon, median, ROOT, tempDir, writeDaemonConfig, type GroupContext } from "./lib.ts";

const CLK_TCK = 100;

/** CPU of this process's waited-for children so far (ms). */
function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime are fields 16 and 17: 13 and 14 after "pid (comm) "
  return ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
}

interface Timed {
  wall: number;
  cpu: number;
}

/** Runs a command to its exit; wall time and CPU (ms). Fails on a non-zero exit. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", reject);
    p.on("exit", (code) => {
      const wall = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(0, 400)}`));
      else resolve({ wall, cpu: childrenCpuMs() - c0 });
    });
  });
}

/** A Ceph dev cluster for `ceph status`, or undefined (with why) where Ceph is not installed. */
async function cephCluster(ctx: GroupContext): Promise<{ env: NodeJS.ProcessEnv; down: () => Promise<void> } | string> {
  if (!existsSync("/usr/bin/ceph") || !existsSync("/usr/bin/ceph-mon"))
    return "Ceph is not installed (apt-get install ceph-mon ceph-mgr ceph-osd ceph-common)";
  const dir = tempDir("cli-ceph");
  const script = join(ROOT, "scripts", "ceph-dev-cluster.sh");
  const run = (args: string[]) => timed("bash", [script, ...args], process.env, ROOT);
  try {
    await run(["up", join(dir, "c")]);
  } catch (e) {
    return `the dev cluster did not come up: ${(e as Error).message.slice(0, 200)}`;
  }
  void ctx;
  const env = { ...process.env, CEPH_CONF: join(dir, "c", "ceph.conf") };
  return { env, down: async () => void (await run(["purge", join(dir, "c")]).catch(() => {})) };
}

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("cli");
  const cfg = writeDaemonConfig(dir, "mgr.json", { modulePath: "." });
  const child = await childDaemon(cfg, join(dir, "data", "mgr.bench.asok"));
  const ceph = await cephCluster(ctx);
  const env = { ...process.env, NO_COLOR: "1" };
  const runs: Record<"node" | "tsmgr" | "ceph", Timed[]> = { node: [], tsmgr: [], ceph: [] };
  try {
    // warm-up: the client bundle is (re)built on first use, page cache
    await timed(BIN, ["status", "-c", cfg], env, dir);
    if (typeof ceph !== "string") await timed("ceph", ["status"], ceph.env, dir);
    for (let i = 0; i < 30 && ctx.ok(8000); i++) {
      runs.node.push(await timed(process.execPath, ["-e", "0"], env, dir));
      runs.tsmgr.push(await timed(BIN, ["status", "-c", cfg], env, dir));
      if (typeof ceph !== "string") runs.ceph.push(await timed("ceph", ["status"], ceph.env, dir));
    }
  } finally {
    child.proc.kill("SIGKILL");
    if (typeof ceph !== "string") await ceph.down();
  }
  const p50 = (k: keyof typeof runs) => median(runs[k].map((r) => r.wall));
  const cpu = (k: keyof typeof runs) => runs[k].reduce((a, r) => a + r.cpu, 0) / Math.max(1, runs[k].length);
  const n = `n=${runs.tsmgr.length} each, interleaved`;
  ctx.set("cli_status_ms", p50("tsmgr"), `'tsmgr status' against a child daemon, process start → exit, p50 (${n})`);
  ctx.set("cli_node_ms", p50("node"), `bare 'node -e 0', p50 (${n})`);
  ctx.set("cli_status_vs_node_ratio", p50("tsmgr") / p50("node"), `p50 of 'tsmgr status' / p50 of 'node -e 0' (${n})`);
  ctx.set(
    "cli_status_vs_node_cpu_ratio",
    cpu("tsmgr") / cpu("node"),
    `mean CPU (user+sys) of 'tsmgr status' / of 'node -e 0': ${cpu("tsmgr").toFixed(0)} / ${cpu("node").toFixed(0)} ms (${n})`,
  );
  if (typeof ceph === "string") ctx.set("cli_status_vs_ceph_ratio", null, ceph);
  else
    ctx.set(
      "cli_status_vs_ceph_ratio",
      p50("tsmgr") / p50("ceph"),
      `p50 of 'tsmgr status' / p50 of 'ceph status' against a one-OSD dev cluster: ${p50("tsmgr").toFixed(0)} / ${p50("ceph").toFixed(0)} ms (${n})`,
    );
}
