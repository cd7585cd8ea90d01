// Module start figures, with the shipped hello module (modules/hello/index.ts).
//
// Main figures: a ModuleRunner is driven directly, the same class and services the daemon uses
// (real esbuild, real isolate, real SQLite store, the simulated cluster), and the time taken is
// from `runner.start("active")` until the first command (`hello count`) was answered by the
// running module: bundle + isolate + prelude + bundle run + constructor + serve() started + one
// call. This leaves out what is not module start (command routing, the durable write of
// `module enable`). A new runner each run means a new esbuild context (no incremental state);
// "cold" also gives each run an empty bundle-cache dir, "cached" a warm one. The esbuild service
// process is shared by the whole bench process (esbuild starts it once per process), so it is warm.
//
// Companions go through an in-process daemon: `module enable hNN` → first `hNN count` answered,
// with a copy of hello per run (commands renamed so they don't collide), then disable + enable
// again for the cached path (the bundle cache hit happens before any esbuild work).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSimCluster } from "../../runtime/cluster/index.ts";
import { defaultModuleConfig } from "../../runtime/config/index.ts";
import { ModuleRunner, type RunnerServices } from "../../runtime/daemon/module-runner.ts";
import { BundleCache, ModuleBuilder } from "../../runtime/loader/index.ts";
import { KvStore, openSqliteStore } from "../../runtime/store/index.ts";
import { ProgressEvents } from "../../runtime/daemon/progress.ts";
import {
  benchConfig,
  inProcessDaemon,
  median,
  moduleDir,
  must,
  pct,
  quietLogger,
  ROOT,
  tempDir,
  type GroupContext,
} from "./lib.ts";

const HELLO = join(ROOT, "modules", "hello", "index.ts");

export async function run(ctx: GroupContext): Promise<void> {
  const dir = tempDir("cold");
  const cfg = benchConfig(dir, { modulePath: join(ROOT, "modules") });
  const { logger, lines } = quietLogger();
  const kv = await KvStore.open(openSqliteStore(join(dir, "store.db")));
  const cluster = createSimCluster(cfg.cluster.sim);
  const services = (cache: BundleCache): RunnerServices => ({
    config: cfg,
    cache,
    logger,
    cluster,
    kv,
    moduleConfig: (n) => cfg.modules[n] ?? defaultModuleConfig(),
    activeUri: () => "",
    sendCommand: async () => ({ retval: -95, stdout: "", stderr: "not in the bench" }),
    setHealthChecks: () => {},
    serveHttp: () => {
      throw new Error("no HTTP in this bench");
    },
    stopHttp: () => {},
    remote: async () => {
      throw new Error("no remote calls in this bench");
    },
    progress: new ProgressEvents(),
    checkCommands: () => {},
    changed: () => {},
  });
  /** One start, timed: runner.start → first command answered. */
  const startOnce = async (cache: BundleCache): Promise<number> => {
    const runner = new ModuleRunner("hello", HELLO, services(cache));
    const t0 = performance.now();
    await runner.start("active");
    const r = await runner.handleCommand("", { prefix: "hello count" });
    const ms = performance.now() - t0;
    const ok = runner.running && r.retval === 0;
    await runner.dispose();
    if (!ok)
      throw new Error(
        `hello did not start: ${r.stderr || runner.status(true).error?.message || lines.slice(-3).join(" | ")}`,
      );
    return ms;
  };

  try {
    const warmCache = new BundleCache(join(dir, "cache-warm"));
    await startOnce(warmCache); // fills the warm cache; also starts esbuild's service
    for (let i = 0; i < 3; i++) {
      await startOnce(new BundleCache(join(dir, `cache-w${i}`)));
      await startOnce(warmCache);
    }
    const cold: number[] = [];
    const cached: number[] = [];
    // interleaved, so drift (GC, page cache, the other core) hits both the same
    for (let i = 0; i < 60 && ctx.ok(25_000); i++) {
      cold.push(await startOnce(new BundleCache(join(dir, `cache-${i}`))));
      cached.push(await startOnce(warmCache));
    }
    const n = `n=${cold.length}`;
    ctx.set(
      "cold_start_p50_ms",
      median(cold),
      `hello: new runner, empty bundle cache: esbuild context+build, isolate, construct, serve(), first command (${n}; esbuild service warm)`,
    );
    ctx.set("cold_start_p95_ms", pct(cold, 95), `same runs as cold_start_p50_ms (${n})`);
    ctx.set(
      "cached_start_p50_ms",
      median(cached),
      `hello: new runner, warm on-disk bundle cache (hash of every input checked), isolate, construct, serve(), first command (${n})`,
    );
    ctx.set("cached_start_p95_ms", pct(cached, 95), `same runs as cached_start_p50_ms (${n})`);

    // where cold start goes: a fresh ModuleBuilder's first build, and a cache lookup
    const build: number[] = [];
    const lookup: number[] = [];
    for (let i = 0; i < 30 && ctx.ok(20_000); i++) {
      const b = new ModuleBuilder("hello", HELLO, cfg.modulePath);
      const t0 = performance.now();
      await b.build();
      build.push(performance.now() - t0);
      await b.dispose();
      const t1 = performance.now();
      if (!warmCache.get("hello", HELLO)) throw new Error("the warm bundle cache missed");
      lookup.push(performance.now() - t1);
    }
    ctx.set(
      "cold_start_bundle_p50_ms",
      median(build),
      `part of cold start: new esbuild context + first rebuild of hello (with sdk, external source map), n=${build.length}`,
    );
    ctx.set(
      "cache_lookup_p50_ms",
      median(lookup),
      `part of cached start: BundleCache.get (read entry JSON, hash every input file), n=${lookup.length}`,
    );
  } finally {
    await kv.close();
  }

  // through the daemon: module enable → first command, per fresh copy of hello
  const ddir = tempDir("cold-daemon");
  const N = 25;
  const names = Array.from({ length: N }, (_, i) => `hello_${String(i).padStart(2, "0")}`);
  const hello = (k: number) => `h${String(k).padStart(2, "0")}`;
  moduleDir(ddir, [], Object.fromEntries(names.map((nm, k) => [`${nm}/index.ts`, helloCopy(hello(k))])));
  const bd = await inProcessDaemon(ddir, {});
  try {
    const d = bd.d;
    const enableOnce = async (k: number) => {
      const t0 = performance.now();
      await must(d, ["module", "enable", names[k]!]);
      await must(d, [hello(k), "count"]);
      return performance.now() - t0;
    };
    const cold: number[] = [];
    const cached: number[] = [];
    for (let k = 0; k < N && ctx.ok(3000); k++) {
      const c = await enableOnce(k);
      await must(d, ["module", "disable", names[k]!]);
      const w = await enableOnce(k);
      await must(d, ["module", "disable", names[k]!]);
      if (k < 2) continue; // warm-up
      cold.push(c);
      cached.push(w);
    }
    ctx.set(
      "cold_start_enable_p50_ms",
      median(cold),
      `in-process daemon: 'module enable' (incl. its durable store write) → first command answered, fresh module, n=${cold.length}`,
    );
    ctx.set(
      "cached_start_enable_p50_ms",
      median(cached),
      `same after 'module disable': bundle from the on-disk cache, n=${cached.length}`,
    );
  } finally {
    await bd.stop();
  }
}

/** hello with its command prefix renamed, so many copies can run in one daemon. */
function helloCopy(prefix: string): string {
  return readFileSync(HELLO, "utf8").split('"hello ').join(`"${prefix} `);
}
