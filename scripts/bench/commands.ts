// Command round trip over the admin socket: a child daemon (`bin/tsmgr.js daemon -c FILE`, the
// real process) with the bench module; this process is the client, with connections kept open,
// one JSON request per line, answers matched by id (runtime/http/asok.ts serves many requests
// per connection). The command is `bench ping`: parse + validate + route + one call into the
// module's isolate + a constant answer. Also `daemon.command` in-process (no socket) for the
// daemon's own share of the round trip.
import { join } from "node:path";
import {
  AsokClient,
  childDaemon,
  inProcessDaemon,
  median,
  moduleDir,
  must,
  pct,
  tempDir,
  writeDaemonConfig,
  type GroupContext,
} from "./lib.ts";

const PING = { argv: ["bench", "ping"] };

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("cmd");
  moduleDir(dir, [{ template: "bench", file: "bench.ts" }]);
  const cfg = writeDaemonConfig(dir, "mgr.json", { modules: { bench: { enabled: true } } });
  const child = await childDaemon(cfg, join(dir, "data", "mgr.bench.asok"), ["bench", "ping"]);
  const clients: AsokClient[] = [];
  try {
    const one = await AsokClient.connect(child.asok);
    clients.push(one);
    await one.must(["bench", "ping"]);
    // warm-up (JIT on both sides)
    for (let i = 0; i < 500; i++) await one.request(PING);

    // 1 client, sequential
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 5000 && performance.now() - t0 < 8000; i++) {
      const s = performance.now();
      const r = await one.request(PING);
      if (r.retval !== 0) throw new Error(`bench ping: ${r.stderr}`);
      lat.push(performance.now() - s);
    }
    const secs1 = (performance.now() - t0) / 1000;
    ctx.set(
      "command_rtt_p50_ms",
      median(lat),
      `'bench ping' over the admin socket of a child daemon, 1 client, sequential, ${lat.length} requests (client in another process)`,
    );
    ctx.set("command_rtt_p99_ms", pct(lat, 99), `same ${lat.length} requests as command_rtt_p50_ms`);
    ctx.set("commands_per_sec_1c", lat.length / secs1, `1 client, one request in flight`);

    // a built-in for comparison: no isolate involved
    const blat: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = performance.now();
      await one.request({ argv: ["status"] });
      blat.push(performance.now() - s);
    }
    ctx.set(
      "command_builtin_rtt_p50_ms",
      median(blat),
      `built-in 'status' (no isolate call), same socket, 1 client, n=${blat.length}`,
    );

    // 16 clients, each with one request in flight, ~3 s
    for (let i = 0; i < 15; i++) clients.push(await AsokClient.connect(child.asok));
    const lat16: number[] = [];
    let errors = 0;
    const run16 = async (ms: number, record: boolean) => {
      const end = performance.now() + ms;
      let n = 0;
      await Promise.all(
        clients.map(async (c) => {
          while (performance.now() < end) {
            const s = performance.now();
            const r = await c.request(PING);
            if (r.retval !== 0) errors++;
            if (record) lat16.push(performance.now() - s);
            n++;
          }
        }),
      );
      return n;
    };
    await run16(500, false);
    const s16 = performance.now();
    const n16 = await run16(3000, true);
    const secs16 = (performance.now() - s16) / 1000;
    ctx.set(
      "commands_per_sec",
      n16 / secs16,
      `'bench ping', 16 clients × 1 request in flight on kept-open connections, ${n16} requests in ${secs16.toFixed(1)} s${errors ? `, ${errors} errors` : ""}`,
    );
    ctx.set("command_rtt_16c_p50_ms", median(lat16), `round trip under the 16-client load`);
    ctx.set("command_rtt_16c_p99_ms", pct(lat16, 99), `round trip under the 16-client load`);
  } finally {
    for (const c of clients) c.close();
    child.proc.kill("SIGKILL");
  }

  // the daemon's share: daemon.command() in-process, no socket, no JSON framing
  const idir = tempDir("cmd-inproc");
  moduleDir(idir, [{ template: "bench", file: "bench.ts" }]);
  const bd = await inProcessDaemon(idir, { modules: { bench: { enabled: true } } });
  try {
    await must(bd.d, ["bench", "ping"]);
    for (let i = 0; i < 500; i++) await bd.d.command(["bench", "ping"]);
    const lat: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = performance.now();
      await bd.d.command(["bench", "ping"]);
      lat.push((performance.now() - s) * 1000);
    }
    ctx.set(
      "command_inproc_p50_us",
      median(lat),
      `daemon.command(['bench','ping']) in-process: validate, route, one isolate call; n=${lat.length}`,
    );
  } finally {
    await bd.stop();
  }
}
