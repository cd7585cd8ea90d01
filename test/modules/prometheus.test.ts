// The shipped prometheus module: /metrics in the text exposition format, built from the cluster
// data on notify (not on scrape), and the standby's empty /metrics with a link to the active.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { fetchWhenUp, freePort, parseExposition, type Scrape } from "./_support.ts";

function promConfig(port: number, id = "t"): Record<string, unknown> {
  return {
    id,
    modulePath: join(ROOT, "modules"),
    modules: { prometheus: { enabled: true, allow: { net: [`127.0.0.1:${port}`] } } },
  };
}

async function scrape(port: number): Promise<Scrape> {
  const res = await fetchWhenUp(`http://127.0.0.1:${port}/metrics`);
  assert.is(res.status, 200);
  return parseExposition(await res.text());
}

async function status(
  d: TestDaemon,
): Promise<{ scrapes: number; rebuilds: Record<string, number>; errors: number; uri: string }> {
  const r = await d.command(["prometheus", "status"]);
  assert.is(r.retval, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function clusterJson<T>(d: TestDaemon, name: string): T {
  return JSON.parse(d.cluster.getJson(name)!) as T;
}

let dir = "";
const daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons.splice(0).reverse()) await d.stop();
  cleanup(dir);
});

async function start(overrides: Record<string, unknown>): Promise<TestDaemon> {
  const d = await startTestDaemon(dir, overrides);
  daemons.push(d);
  return d;
}

test("/metrics is valid exposition text with one ceph_osd_up per OSD of the cluster", async () => {
  dir = tempDir();
  const port = await freePort();
  const d = await start(promConfig(port));
  const res = await fetchWhenUp(`http://127.0.0.1:${port}/metrics`);
  assert.is(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const m = parseExposition(await res.text()); // throws on any invalid line

  const osdMap = clusterJson<{ osds: { osd: number; up: number; in: number }[]; pools: { pool: number }[] }>(
    d,
    "osd_map",
  );
  assert.is(m.find("ceph_osd_up").length, osdMap.osds.length);
  assert.is(m.find("ceph_osd_in").length, osdMap.osds.length);
  for (const o of osdMap.osds) assert.is(m.value("ceph_osd_up", { ceph_daemon: `osd.${o.osd}` }), o.up);
  assert.is(m.find("ceph_osd_metadata").length, osdMap.osds.length);
  assert.is(m.value("ceph_health_status"), 0);

  // pools: metadata, df numbers and PG states per pool
  assert.is(m.find("ceph_pool_metadata").length, osdMap.pools.length);
  const summary = clusterJson<{ all: Record<string, number> }>(d, "pg_summary");
  const totalPgs = Object.values(summary.all).reduce((a, b) => a + b, 0);
  assert.is(
    m.find("ceph_pg_total").reduce((a, s) => a + s.value, 0),
    totalPgs,
  );
  assert.is(
    m.find("ceph_pg_active").reduce((a, s) => a + s.value, 0),
    totalPgs,
  );
  for (const p of osdMap.pools)
    assert.ok(
      m.find("ceph_pool_stored", { pool_id: String(p.pool) }).length === 1,
      `ceph_pool_stored of pool ${p.pool}`,
    );
  assert.ok(m.value("ceph_cluster_total_bytes") > 0);

  // perf counters, by daemon, typed as Ceph declares them
  assert.is(m.types.get("ceph_osd_op_w"), "counter");
  assert.is(m.find("ceph_osd_op_w").length, osdMap.osds.length);
  assert.ok(m.value("ceph_osd_op_w", { ceph_daemon: "osd.0" }) > 0);
  assert.ok(m.value("ceph_osd_op_r_latency_count", { ceph_daemon: "osd.0" }) > 0);
  assert.ok(m.value("ceph_osd_op_r_latency_sum", { ceph_daemon: "osd.0" }) > 0);
  assert.ok(m.find("ceph_mon_quorum_status").length >= 1);
  assert.ok(m.samples.length > 200, `${m.samples.length} samples`);

  const index = await fetch(`http://127.0.0.1:${port}/`);
  assert.match(await index.text(), /<a href="\/metrics">/);
  assert.is((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
  assert.is((await status(d)).uri, `http://127.0.0.1:${port}/`);
});

test("the cache is rebuilt on notify, never by a scrape", async () => {
  dir = tempDir();
  const port = await freePort();
  const d = await start(promConfig(port));
  await scrape(port);
  const before = await status(d);
  for (let i = 0; i < 5; i++) await scrape(port);
  const after = await status(d);
  assert.equal(after.rebuilds, before.rebuilds, "a scrape rebuilt the cache");
  assert.is(after.scrapes, before.scrapes + 5);

  assert.is((await d.command(["sim", "osd", "down", "1"])).retval, 0);
  const m = await waitFor(async () => {
    const s = await scrape(port);
    return s.value("ceph_osd_up", { ceph_daemon: "osd.1" }) === 0 && s.value("ceph_health_status") === 1
      ? s
      : undefined;
  }, "osd.1 down and HEALTH_WARN in the metrics");
  assert.ok(m.find("ceph_health_detail", { name: "OSD_DOWN" }).length === 1);
  const rebuilt = await status(d);
  assert.ok(rebuilt.rebuilds.osd! > after.rebuilds.osd! && rebuilt.rebuilds.health! > after.rebuilds.health!);
  assert.is(rebuilt.errors, 0);
});

test("an OSD without metadata yet and a removed OSD leave the exposition valid", async () => {
  dir = tempDir();
  const port = await freePort();
  const d = await start(promConfig(port));
  const added = await d.command(["sim", "osd", "add"]);
  assert.is(added.retval, 0);
  assert.is((await d.command(["sim", "osd", "rm", "2"])).retval, 0);
  const daemon = `osd.${added.stdout}`;
  const m = await waitFor(async () => {
    const s = await scrape(port);
    return s.find("ceph_osd_up", { ceph_daemon: daemon }).length === 1 &&
      s.find("ceph_osd_up", { ceph_daemon: "osd.2" }).length === 0
      ? s
      : undefined;
  }, "the new OSD in and osd.2 out of ceph_osd_up");
  // known to the osd_map, not yet described: no metadata and no counters, but up/in are there
  assert.is(m.find("ceph_osd_metadata", { ceph_daemon: daemon }).length, 0);
  assert.is(m.find("ceph_osd_op_w", { ceph_daemon: daemon }).length, 0);
  assert.is(m.find("ceph_osd_metadata", { ceph_daemon: "osd.2" }).length, 0);
  const osds = clusterJson<{ osds: unknown[] }>(d, "osd_map").osds.length;
  assert.is(m.find("ceph_osd_up").length, osds);
  assert.is((await status(d)).errors, 0);
});

test("a standby answers /metrics with an empty 200 and its index page links the active", async () => {
  dir = tempDir();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await start(promConfig(portA, "a"));
  const b = await start(promConfig(portB, "b"));
  assert.ok(a.isActive());
  assert.not.ok(b.isActive());
  const metrics = await fetchWhenUp(`http://127.0.0.1:${portB}/metrics`);
  assert.is(metrics.status, 200);
  assert.is(await metrics.text(), "");
  const index = await waitFor(async () => {
    const text = await (await fetch(`http://127.0.0.1:${portB}/`)).text();
    return text.includes("href=") ? text : undefined;
  }, "the standby's index page to link the active");
  assert.match(index, new RegExp(`<a href="http://127\\.0\\.0\\.1:${portA}/metrics">`));
  assert.ok((await scrape(portA)).samples.length > 0, "the active serves the metrics");
});

test.run();
