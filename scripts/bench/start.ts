// Daemon start with 100 enabled modules, and what 100 idle modules cost afterwards.
// A child daemon (`bin/tsmgr.js daemon -c FILE`) with 100 copies of scripts/bench/modules/fan.ts,
// all enabled in mgr.json. Time is from spawning the process until `module ls` reports all 100
// active (polled every 20 ms over the admin socket): node + the daemon's own sources, store,
// election, then the modules. "Cold" removes the bundle cache (DATADIR/bundles) first, "warm"
// keeps the one the previous start wrote. The companion `start_daemon_empty_ms` is the same
// daemon with no module enabled: the floor the module start sits on. Idle CPU is /proc/PID/stat
// utime+stime over 3 s of wall time after the start settled, no events, no commands.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NoDaemon, requestAsok } from "../../runtime/http/index.ts";
import {
  BIN,
  cpuMs,
  median,
  moduleDir,
  sleep,
  spawnNode,
  tempDir,
  writeDaemonConfig,
  type GroupContext,
} from "./lib.ts";

const N = 100;
const name = (i: number) => `fan_${String(i).padStart(3, "0")}`;
const prefix = (i: number) => `fan${String(i).padStart(3, "0")}`;

interface StartRun {
  /** spawn → the admin socket answered `status` */
  statusMs: number;
  /** modules active when `status` first answered */
  activeAtStatus: number;
  /** spawn → every enabled module active */
  allMs: number;
  pid: number;
  kill: () => Promise<void>;
}

/** Asks `module ls`; undefined while the socket does not answer yet. */
async function activeCount(asok: string): Promise<number | undefined> {
  try {
    const r = await requestAsok(asok, { argv: ["module", "ls"], format: "json" }, 5000);
    if (r.retval !== 0) return undefined;
    const ls = JSON.parse(r.stdout) as { modules: { state: string; enabled: boolean }[] };
    return ls.modules.filter((m) => m.enabled && m.state === "active").length;
  } catch (e) {
    if (e instanceof NoDaemon) return undefined;
    throw e;
  }
}

/** Spawns the daemon of `cfg` and waits until `want` modules are active (at most 60 s). */
async function startRun(cfg: string, asok: string, want: number): Promise<StartRun> {
  const t0 = performance.now();
  const { proc, output, exited } = spawnNode([BIN, "daemon", "-c", cfg], { cwd: join(cfg, "..") });
  let gone = false;
  void exited.then(() => (gone = true));
  let statusMs = -1;
  let activeAtStatus = 0;
  for (;;) {
    if (gone) throw new Error(`the daemon exited during start: ${output().slice(-1500)}`);
    if (performance.now() - t0 > 60_000)
      throw new Error(`${want} modules not active within 60 s: ${output().slice(-800)}`);
    const n = await activeCount(asok);
    if (n !== undefined && statusMs < 0) {
      statusMs = performance.now() - t0;
      activeAtStatus = n;
    }
    if (n !== undefined && n >= want) break;
    await sleep(20);
  }
  const allMs = performance.now() - t0;
  const kill = async () => {
    proc.kill("SIGKILL");
    await exited;
  };
  return { statusMs, activeAtStatus, allMs, pid: proc.pid!, kill };
}

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("start");
  moduleDir(
    dir,
    Array.from({ length: N }, (_, i) => ({
      template: "fan",
      file: `${name(i)}.ts`,
      replace: [['"fan ', `"${prefix(i)} `]] as [string, string][],
    })),
  );
  const modules = Object.fromEntries(Array.from({ length: N }, (_, i) => [name(i), { enabled: true }]));
  const cfg = writeDaemonConfig(dir, "mgr.json", { modules });
  const emptyDir = tempDir("start-empty");
  writeFileSync(join(emptyDir, "keep"), "");
  const emptyCfg = writeDaemonConfig(emptyDir, "mgr.json", { modulePath: "." });
  const asok = join(dir, "data", "mgr.bench.asok");
  const emptyAsok = join(emptyDir, "data", "mgr.bench.asok");

  const empty: number[] = [];
  const cold: StartRun[] = [];
  const warm: StartRun[] = [];
  let idlePct: number | null = null;
  // warm-up, not measured: bin/tsmgr.js (re)builds the daemon's own bundle on the first start
  // after a source changed, which no operator's start after the first pays
  await (await startRun(emptyCfg, emptyAsok, 0)).kill();
  for (let i = 0; i < 3 && ctx.ok(20_000); i++) {
    const e = await startRun(emptyCfg, emptyAsok, 0);
    empty.push(e.allMs);
    await e.kill();
    rmSync(join(dir, "data", "bundles"), { recursive: true, force: true });
    const c = await startRun(cfg, asok, N);
    cold.push(c);
    await c.kill();
    const w = await startRun(cfg, asok, N);
    warm.push(w);
    if (i === 0) {
      await sleep(2500);
      const c0 = cpuMs(w.pid);
      const t0 = performance.now();
      await sleep(3000);
      idlePct = ((cpuMs(w.pid) - c0) / (performance.now() - t0)) * 100;
    }
    await w.kill();
  }
  const ms = (runs: StartRun[]) => median(runs.map((r) => r.allMs));
  const n = `n=${cold.length}`;
  ctx.set(
    "start_100_modules_ms",
    ms(cold),
    `process spawn → ${N} fan modules enabled in mgr.json all active, empty bundle cache (${n}; runs ${cold.map((r) => Math.round(r.allMs)).join(", ")} ms)`,
  );
  ctx.set(
    "start_100_modules_warm_ms",
    ms(warm),
    `same with the bundle cache the previous start wrote (${n}; runs ${warm.map((r) => Math.round(r.allMs)).join(", ")} ms)`,
  );
  ctx.set(
    "start_daemon_empty_ms",
    median(empty),
    `process spawn → admin socket answers, no module: node, the daemon's sources, store, election (${n})`,
  );
  const w = warm[0];
  ctx.set(
    "start_status_first_ms",
    w ? median(warm.map((r) => r.statusMs)) : null,
    `warm start: process spawn → first 'module ls' answered; ${warm.map((r) => r.activeAtStatus).join(", ")} of ${N} modules were active then`,
  );
  ctx.set(
    "start_100_modules_after_socket_ms",
    median(warm.map((r) => r.allMs - r.statusMs)),
    `warm start: first 'module ls' answered → all ${N} active: the modules' own part, without node and the daemon's sources (${n})`,
  );
  ctx.set(
    "idle_100_modules_cpu_pct",
    idlePct,
    `daemon CPU over 3 s with ${N} idle modules (2.5 s after the warm start), no events or commands; 100% = one core`,
  );
}
