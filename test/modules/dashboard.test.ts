// The shipped dashboard module over plain HTTP: the active serves the status page, a standby
// answers every request with a 303 to the active (or 503 while there is none), and after a
// failover the former standby serves the page itself.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { fetchWhenUp, freePort } from "./_support.ts";

function dashConfig(id: string, port: number, enabled = true): Record<string, unknown> {
  return {
    id,
    modulePath: join(ROOT, "modules"),
    election: { leaseMs: 1000 },
    modules: { dashboard: { enabled, allow: { net: [`127.0.0.1:${port}`] } } },
  };
}

/** GET without following redirects, once the address answers with `status`. */
async function getWhen(url: string, status: number, init: RequestInit = {}): Promise<Response> {
  return waitFor(async () => {
    const res = await fetchWhenUp(url, { redirect: "manual", ...init });
    return res.status === status ? res : undefined;
  }, `${url} to answer ${status}`);
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

test("the active serves the status page with health, OSDs up/in and pools", async () => {
  dir = tempDir();
  const port = await freePort();
  const d = await start(dashConfig("a", port));
  const res = await getWhen(`http://127.0.0.1:${port}/`, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assert.match(html, /<span id="health">HEALTH_OK<\/span>/);
  assert.match(html, /OSDs: 4 total, 4 up, 4 in</);
  assert.match(html, /<td>rbdpool<\/td>/);
  assert.match(html, /Served by tsmgr daemon <span id="served-by">a<\/span>/);
  const api = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
    osds: { total: number };
    pools: { name: string }[];
    health: { status: string };
  };
  assert.is(api.osds.total, 4);
  assert.equal(
    api.pools.map((p) => p.name),
    ["device_health_metrics", "rbdpool"],
  );
  assert.is((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);

  // the page follows the cluster: an OSD down, and a new OSD (booting: not up or in yet, no metadata)
  await d.command(["sim", "osd", "down", "1"]);
  await d.command(["sim", "osd", "add"]);
  const after = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  assert.match(after, /<span id="health">HEALTH_WARN<\/span>/);
  assert.match(after, /<b>OSD_DOWN<\/b>/);
  assert.match(after, /OSDs: 5 total, 3 up, 4 in \(1 not reporting metadata yet\)</, after.match(/OSDs:[^<]*/)?.[0]);
});

test("a standby answers every request with a 303 to the active's page; after failover it serves the page", async () => {
  dir = tempDir();
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await start(dashConfig("a", portA));
  const b = await start(dashConfig("b", portB));
  assert.ok(a.isActive() && !b.isActive());

  const root = await getWhen(`http://127.0.0.1:${portB}/`, 303);
  assert.is(root.headers.get("location"), `http://127.0.0.1:${portA}/`);
  const deep = await fetch(`http://127.0.0.1:${portB}/api/status?x=1`, { redirect: "manual" });
  assert.is(deep.status, 303);
  assert.is(deep.headers.get("location"), `http://127.0.0.1:${portA}/api/status?x=1`);
  const post = await fetch(`http://127.0.0.1:${portB}/anything`, { method: "POST", body: "x", redirect: "manual" });
  assert.is(post.status, 303, "every request, whatever its method or path");
  // fetch following the redirect lands on the active's page
  const followed = await fetch(`http://127.0.0.1:${portB}/`);
  assert.is(followed.url, `http://127.0.0.1:${portA}/`);
  assert.match(await followed.text(), /<span id="served-by">a</);

  // Ceph's other standby behaviour, an error status, is one option away (set through the active)
  assert.is((await a.command(["config", "set", "mgr", "mgr/dashboard/standby_behaviour", "error"])).retval, 0);
  await getWhen(`http://127.0.0.1:${portB}/`, 500);
  assert.is((await a.command(["config", "rm", "mgr", "mgr/dashboard/standby_behaviour"])).retval, 0);
  await getWhen(`http://127.0.0.1:${portB}/`, 303);

  await a.stop(); // hands the lease over at once
  const page = await getWhen(`http://127.0.0.1:${portB}/`, 200);
  assert.match(await page.text(), /<span id="served-by">b</);
  assert.ok(b.isActive());
});

test("a standby answers 503 while no active daemon serves a dashboard", async () => {
  dir = tempDir();
  const [portA, portB] = [await freePort(), await freePort()];
  await start(dashConfig("a", portA, false)); // active, without the dashboard
  await start(dashConfig("b", portB));
  const res = await getWhen(`http://127.0.0.1:${portB}/`, 503);
  assert.match(await res.text(), /no active manager/);
});

test.run();
