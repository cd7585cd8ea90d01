// The dashboard in a real headless browser (Debian's chromium through playwright-core) against
// two daemons run as child processes sharing one data dir: a browser pointed at the standby
// lands on the active's page; after the active is killed -9, the other daemon serves it; and the
// killed daemon, restarted, is now the standby that sends the browser over.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { chromiumPath, missingMessage, probe } from "../_needs.ts";
import { cleanup, ROOT, spawnDaemon, tempDir, waitFor } from "../_util.ts";
import { fetchWhenUp, freePort } from "./_support.ts";

type Child = Awaited<ReturnType<typeof spawnDaemon>>;

/** Writes DIR/ID.json for a child daemon of the group that shares DIR/data. */
function daemonConfig(dir: string, id: string, apiPort: number, dashPort: number): string {
  const file = join(dir, `${id}.json`);
  const cfg = {
    id,
    modulePath: join(ROOT, "modules"),
    dataDir: "data",
    hotReload: false,
    http: { listen: `127.0.0.1:${apiPort}` },
    election: { leaseMs: 1000 },
    cluster: { sim: { hosts: 2, osdsPerHost: 2, seed: 1, tickMs: 0 } },
    modules: { dashboard: { enabled: true, allow: { net: [`127.0.0.1:${dashPort}`] } } },
  };
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

/** Waits until a plain GET (no redirects followed) of url answers `status`. */
function answers(url: string, status: number, timeoutMs = 15_000): Promise<Response> {
  return waitFor(
    async () => {
      const res = await fetchWhenUp(url, { redirect: "manual" }, timeoutMs);
      return res.status === status ? res : undefined;
    },
    `${url} to answer ${status}`,
    timeoutMs,
  );
}

async function kill(child: Child | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill(signal);
  await child.exited;
}

test("a browser sent to the standby lands on the active's page, before and after the active is killed -9", async () => {
  const why = probe("chromium");
  assert.not.ok(why, `this test drives a real browser: it ${missingMessage("chromium", why ?? "")} (CI installs it)`);
  const dir = tempDir();
  const [apiA, apiB, dashA, dashB] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const urlA = `http://127.0.0.1:${dashA}/`;
  const urlB = `http://127.0.0.1:${dashB}/`;
  const fileA = daemonConfig(dir, "a", apiA, dashA);
  const fileB = daemonConfig(dir, "b", apiB, dashB);
  let a: Child | undefined;
  let b: Child | undefined;
  let browser: Browser | undefined;
  try {
    a = await spawnDaemon(fileA); // first in the group: active
    await answers(urlA, 200);
    b = await spawnDaemon(fileB); // standby
    await answers(urlB, 303);

    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
    const page = await browser.newPage();

    // 1. the standby's address redirects the browser to the active's page
    const first = await page.goto(urlB);
    assert.is(first?.status(), 200);
    assert.is(page.url(), urlA);
    assert.is(first?.request().redirectedFrom()?.url(), urlB);
    assert.match((await page.textContent("#health")) ?? "", /^HEALTH_(OK|WARN|ERR)$/);
    assert.is(await page.textContent("#served-by"), "a");
    assert.match((await page.textContent("#osds")) ?? "", /OSDs: 4 total, 4 up, 4 in/);
    assert.match(await page.title(), /tsmgr dashboard: HEALTH_/);

    // 2. kill -9 the active: b takes over and serves the page at its own address
    a.proc.kill("SIGKILL");
    await a.exited;
    const t0 = Date.now();
    await answers(urlB, 200);
    const failoverMs = Date.now() - t0;
    const second = await page.goto(urlB);
    assert.is(second?.status(), 200);
    assert.is(page.url(), urlB, "no redirect any more: b is active");
    assert.is(second?.request().redirectedFrom(), null);
    assert.is(await page.textContent("#served-by"), "b");
    assert.match((await page.textContent("#health")) ?? "", /^HEALTH_/);
    assert.ok(failoverMs < 10_000, `failover took ${failoverMs} ms`);

    // 3. a comes back as the standby, and now redirects to b
    a = await spawnDaemon(fileA);
    await answers(urlA, 303);
    await page.goto(urlA);
    assert.is(page.url(), urlB);
    assert.is(await page.textContent("#served-by"), "b");
  } finally {
    await browser?.close();
    await kill(b, "SIGTERM");
    await kill(a, "SIGTERM");
    cleanup(dir);
  }
});

test.run();
