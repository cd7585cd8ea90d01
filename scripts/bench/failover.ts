// Failover: two child daemons (`bin/tsmgr.js daemon -c a.json|b.json`, ids a and b) share one
// data dir with the SQLite election at the DESIGN default lease, election.leaseMs = 2000. Each
// round: find the active, SIGKILL it, and time until the survivor answers `bench id` with its
// own id (it runs the module as the new active; while it is standby it forwards, and the dead
// active cannot answer). The survivor's admin socket is polled every 10 ms with requestAsok.
// The killed daemon is restarted and must show up as a standby before the next round.
import { join } from "node:path";
import { requestAsok } from "../../runtime/http/index.ts";
import {
  childDaemon,
  median,
  moduleDir,
  sleep,
  tempDir,
  writeDaemonConfig,
  type ChildDaemon,
  type GroupContext,
} from "./lib.ts";

const LEASE_MS = 2000;
const ROUNDS = 10;

interface MgrMap {
  active_name: string;
  available: boolean;
  standbys: { name: string }[];
}

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("failover");
  moduleDir(dir, [{ template: "bench", file: "bench.ts" }]);
  const ids = ["a", "b"] as const;
  const cfg = Object.fromEntries(
    ids.map((id) => [
      id,
      writeDaemonConfig(dir, `${id}.json`, {
        id,
        election: { leaseMs: LEASE_MS },
        modules: { bench: { enabled: true } },
      }),
    ]),
  );
  const asok = (id: string) => join(dir, "data", `mgr.${id}.asok`);
  const daemons: Record<string, ChildDaemon> = {};
  const ask = async (id: string, argv: string[], format?: "json") => {
    try {
      return await requestAsok(asok(id), format ? { argv, format } : { argv }, 1000);
    } catch {
      return { retval: -111, stdout: "", stderr: "no daemon" };
    }
  };
  const map = async (id: string): Promise<MgrMap | undefined> => {
    const r = await ask(id, ["status"], "json");
    return r.retval === 0 ? (JSON.parse(r.stdout) as MgrMap) : undefined;
  };
  /** Waits until `id` is up and listed as a standby of the active `other`. */
  const standbyReady = async (id: string, other: string) => {
    const end = performance.now() + 20_000;
    while (performance.now() < end) {
      const m = await map(other);
      if (m?.available && m.active_name === other && m.standbys.some((s) => s.name === id)) return;
      await sleep(50);
    }
    throw new Error(`daemon ${id} did not show up as a standby of ${other} within 20 s`);
  };

  try {
    daemons.a = await childDaemon(cfg.a!, asok("a"), ["bench", "id"]);
    daemons.b = await childDaemon(cfg.b!, asok("b"));
    await standbyReady("b", "a");
    const samples: number[] = [];
    let failures = 0;
    for (let round = 0; round < ROUNDS && ctx.ok(12_000); round++) {
      const m = (await map("a")) ?? (await map("b"));
      if (!m?.available) throw new Error("no active daemon before the kill");
      const victim = m.active_name;
      const survivor = victim === "a" ? "b" : "a";
      const dead = daemons[victim]!;
      const t0 = performance.now();
      process.kill(dead.pid, "SIGKILL");
      let ms: number | undefined;
      while (performance.now() - t0 < 15_000) {
        const r = await ask(survivor, ["bench", "id"]);
        if (r.retval === 0 && r.stdout === survivor) {
          ms = performance.now() - t0;
          break;
        }
        await sleep(10);
      }
      await dead.exited;
      if (ms === undefined) failures++;
      else samples.push(ms);
      // bring the killed one back as the new standby
      daemons[victim] = await childDaemon(cfg[victim]!, asok(victim));
      await standbyReady(victim, survivor);
      await sleep(200 + Math.random() * LEASE_MS); // kill at a random point of the lease cycle
    }
    if (samples.length === 0) throw new Error(`no failover completed within 15 s (${failures} rounds)`);
    const n = `${samples.length} kills${failures ? `, ${failures} without takeover within 15 s` : ""}`;
    ctx.set(
      "failover_ms",
      median(samples),
      `SIGKILL of the active → the standby answers 'bench id' as active; election.leaseMs ${LEASE_MS} (DESIGN default), SQLite election; median of ${n}`,
    );
    ctx.set("failover_max_ms", Math.max(...samples), `worst of the same ${n}`);
    ctx.set("failover_min_ms", Math.min(...samples), `best of the same ${n}`);
  } finally {
    for (const d of Object.values(daemons)) d.proc.kill("SIGKILL");
  }
}
