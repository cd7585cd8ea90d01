// Module HTTP: a module granted `allow.net` serves a trivial handler through `this.serveHttp`
// (scripts/bench/modules/web.ts); the daemon runs in this process and the load comes from a
// separate process (scripts/bench/http-load.ts: http.Agent keep-alive, 32 requests in flight,
// 3 s after 0.5 s of warm-up), only to 127.0.0.1. Each request crosses into the isolate and back.
import { createServer } from "node:net";
import { join } from "node:path";
import { inProcessDaemon, moduleDir, ROOT, spawnNode, tempDir, waitFor, within, type GroupContext } from "./lib.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("http");
  moduleDir(dir, [{ template: "web", file: "web.ts" }]);
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const bd = await inProcessDaemon(dir, { modules: { web: { enabled: true, allow: { net: [addr] } } } });
  try {
    await waitFor(
      async () => (await fetch(`http://${addr}/`)).status === 200,
      `the web module answering on ${addr}`,
      10_000,
      50,
    );
    const load = spawnNode([
      "--import",
      "tsx",
      join(ROOT, "scripts", "bench", "http-load.ts"),
      `http://${addr}/`,
      "32",
      "3000",
      "500",
    ]);
    const code = await within(load.exited, 20_000, "the HTTP load generator");
    const line = load
      .output()
      .trim()
      .split("\n")
      .find((l) => l.startsWith("{"));
    if (code !== 0 || !line) throw new Error(`http-load exited ${code}: ${load.output().slice(-500)}`);
    const r = JSON.parse(line) as { requests: number; errors: number; seconds: number; p50_ms: number; p99_ms: number };
    const what = `GET / to the web module's serveHttp handler on ${addr}, 32 in flight, keep-alive, separate load process`;
    ctx.set(
      "http_req_per_sec",
      r.requests / r.seconds,
      `${what}: ${r.requests} requests in ${r.seconds.toFixed(1)} s${r.errors ? `, ${r.errors} not 200` : ""} (issue target, not in the DESIGN table)`,
    );
    ctx.set("http_p50_ms", r.p50_ms, `latency under that load`);
    ctx.set("http_p99_ms", r.p99_ms, `latency under that load`);
    void ctx;
  } finally {
    await bd.stop();
  }
}
