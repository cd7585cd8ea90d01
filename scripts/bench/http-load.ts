// The HTTP load generator, run as a separate process by http.ts:
//   node --import tsx scripts/bench/http-load.ts URL CONCURRENCY DURATION_MS WARMUP_MS
// Keeps CONCURRENCY requests in flight over keep-alive connections to URL (127.0.0.1 only) and
// prints one JSON line: {requests, errors, seconds, p50_ms, p99_ms}.
import { Agent, request } from "node:http";

const [url = "", conc = "32", dur = "3000", warm = "500"] = process.argv.slice(2);
const u = new URL(url);
if (u.hostname !== "127.0.0.1") {
  console.error("http-load: only 127.0.0.1 is allowed");
  process.exit(2);
}
const agent = new Agent({ keepAlive: true, maxSockets: Number(conc) });

function get(): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: "GET" }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(5000, () => req.destroy());
    req.end();
  });
}

async function phase(ms: number, record: boolean): Promise<{ n: number; errors: number; lat: number[] }> {
  const end = performance.now() + ms;
  const lat: number[] = [];
  let n = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: Number(conc) }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await get();
        if (status !== 200) errors++;
        if (record) lat.push(performance.now() - t0);
        n++;
      }
    }),
  );
  return { n, errors, lat };
}

await phase(Number(warm), false);
const t0 = performance.now();
const r = await phase(Number(dur), true);
const seconds = (performance.now() - t0) / 1000;
r.lat.sort((a, b) => a - b);
const at = (p: number) =>
  r.lat[Math.min(r.lat.length - 1, Math.max(0, Math.ceil((p / 100) * r.lat.length) - 1))] ?? null;
process.stdout.write(
  JSON.stringify({ requests: r.n, errors: r.errors, seconds, p50_ms: at(50), p99_ms: at(99) }) + "\n",
);
agent.destroy();
