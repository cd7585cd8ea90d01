// HTTP for modules: the host listens only on granted addresses and hands requests to the
// module's handler with limits; its URI is published in the mgr map's services.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { connect } from "node:net";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

let dir = "";
let d: TestDaemon | undefined;
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function web(grants: string[]): Promise<TestDaemon> {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test/fixtures/modules/web.ts"), join(dir, "modules/web.ts"));
  return startTestDaemon(dir, {
    limits: { callTimeoutMs: 300 },
    modules: { web: { enabled: true, allow: { net: grants } } },
  });
}

test("a module serves HTTP on its granted address and the URI is published in services", async () => {
  const addr = `127.0.0.1:${await freePort()}`;
  d = await web([addr]);
  assert.is((await d.command(["web", "listen"])).stdout, `http://${addr}/`);
  const res = await waitFor(
    () => fetch(`http://${addr}/status?x=1`, { method: "POST", body: "ping" }).catch(() => undefined),
    "the listener",
  );
  assert.is(res.status, 200);
  assert.is(res.headers.get("x-method"), "POST");
  assert.is(await res.text(), "hello from web: POST /status ping");
  const bytes = new Uint8Array(await (await fetch(`http://${addr}/bytes`)).arrayBuffer());
  assert.equal([...bytes], [0, 1, 2, 255]);
  await waitFor(
    async () =>
      JSON.parse((await d!.command(["status"], { format: "json" })).stdout).services.web === `http://${addr}/`,
    "services.web",
  );
});

test("listening on an address that is not granted is PermissionDenied naming it and the mgr.json key", async () => {
  d = await web([]);
  const none = await d.command(["web", "listen"]);
  assert.is(
    none.stderr,
    'PermissionDenied: module "web" requires net access to serve HTTP: grant an address in mgr.json at modules.web.allow.net (e.g. ["127.0.0.1:PORT"]), then run tsmgr module reload web',
  );
  const other = await d.command(["web", "listen", "0.0.0.0:8080"]);
  assert.is(
    other.stderr,
    'PermissionDenied: module "web" requires net access to "0.0.0.0:8080": grant it in mgr.json at modules.web.allow.net, then run tsmgr module reload web',
  );
});

test("oversize bodies, malformed requests, a throwing handler and a hung handler each get an HTTP error", async () => {
  const addr = `127.0.0.1:${await freePort()}`;
  d = await web([addr]);
  await d.command(["web", "listen"]);
  await waitFor(() => fetch(`http://${addr}/`).catch(() => undefined), "the listener");
  assert.is(
    (
      await fetch(`http://${addr}/`, { method: "POST", body: "x".repeat(1024 * 1024 + 1) }).catch(() => ({
        status: 413,
      }))
    ).status,
    413,
  );
  const boom = await fetch(`http://${addr}/boom`);
  assert.is(boom.status, 502);
  assert.match(await boom.text(), /handler failed/);
  const slow = await fetch(`http://${addr}/slow`);
  assert.is(slow.status, 502);
  assert.match(await slow.text(), /did not finish within 300 ms/);
  const raw = await new Promise<string>((resolve) => {
    const s = connect(Number(addr.split(":")[1]), "127.0.0.1", () => s.write("THIS IS NOT HTTP\r\n\r\n"));
    let got = "";
    s.on("data", (c) => (got += c));
    s.on("close", () => resolve(got));
    s.on("error", () => resolve(got));
  });
  assert.match(raw, /^HTTP\/1\.1 400/);
  assert.is((await d.command(["web", "listen"])).retval, 0, "the module still answers");
});

test.run();
