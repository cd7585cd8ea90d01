// What a hostile module cannot do with fetch() (issue 18 item 4): reach a host it was not
// granted, directly or by a redirect; reach the daemon's own loopback services through a
// granted name that resolves to 127.0.0.1 (a DNS trick or rebinding); read files; smuggle
// header lines. Every refusal is PermissionDenied naming modules.NAME.allow.fetch. All traffic
// stays on 127.0.0.1: names other than localhost resolve through a test resolver.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Resolver } from "../../runtime/api/fetch-policy.ts";
import { webBox, type WebBox } from "../sandbox/_web.ts";
import { startServer, type TestServer } from "../api/_fetch-server.ts";

let srv: TestServer;
let box: WebBox | undefined;
test.before(async () => {
  srv = await startServer();
});
test.after(() => srv.close());
test.after.each(() => {
  box?.dispose();
  box = undefined;
});

/** A resolver answering from a table; it never asks DNS. `asked` counts lookups per name. */
function table(map: Record<string, string[]>, asked: Record<string, number> = {}): Resolver {
  return async (host) => {
    asked[host] = (asked[host] ?? 0) + 1;
    const addrs = map[host];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return addrs.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

const tryFetch = (u: string, init = "{}") =>
  `try { const r = await fetch(${JSON.stringify(u)}, ${init}); return "fetched " + r.status; } catch (e) { return e.name + ": " + e.message; }`;

test("fetch() to a host that is not granted is PermissionDenied naming modules.NAME.allow.fetch, before any connection", async () => {
  const asked: Record<string, number> = {};
  box = await webBox({ grants: ["api.example.com"], resolve: table({}, asked) });
  assert.is(
    await box.run(tryFetch("http://evil.example.net/x")),
    'PermissionDenied: module "web" requires fetch access to "evil.example.net:80": grant it in mgr.json at modules.web.allow.fetch',
  );
  assert.is(
    await box.run(tryFetch(`http://127.0.0.1:${srv.port}/echo`)),
    `PermissionDenied: module "web" requires fetch access to "127.0.0.1:${srv.port}": grant it in mgr.json at modules.web.allow.fetch`,
  );
  assert.equal(asked, {}, "nothing was even resolved");
});

test("a redirect to a host that is not granted is refused at that hop, naming where it came from", async () => {
  box = await webBox({ grants: [`127.0.0.1:${srv.port}`] });
  srv.seen.length = 0;
  const out = await box.run(tryFetch(`http://127.0.0.1:${srv.port}/redirect?to=http://127.0.0.2:${srv.port}/echo`));
  assert.is(
    out,
    `PermissionDenied: module "web" requires fetch access to "127.0.0.2:${srv.port}" (a redirect from "http://127.0.0.1:${srv.port}/redirect?to=http://127.0.0.2:${srv.port}/echo"): grant it in mgr.json at modules.web.allow.fetch`,
  );
  assert.equal(srv.seen, [`GET /redirect?to=http://127.0.0.2:${srv.port}/echo`], "the refused hop was never requested");
});

test('a granted name resolving to a loopback address needs a grant of that address: "localhost" alone does not reach 127.0.0.1', async () => {
  box = await webBox({ grants: ["localhost"] });
  const out = await box.run<string>(tryFetch(`http://localhost:${srv.port}/echo`));
  assert.match(
    out,
    new RegExp(
      `^PermissionDenied: module "web" may not fetch "localhost:${srv.port}": it resolves to (127\\.0\\.0\\.1|::1), a loopback or link-local address, which needs its own grant: add "(127\\.0\\.0\\.1|\\[::1\\]):${srv.port}" to modules\\.web\\.allow\\.fetch in mgr\\.json$`,
    ),
  );
  box.dispose();
  box = await webBox({ grants: ["localhost", `127.0.0.1:${srv.port}`, `[::1]:${srv.port}`] });
  assert.is(
    await box.run(tryFetch(`http://localhost:${srv.port}/echo`)),
    "fetched 200",
    "with the address granted too",
  );
});

test("a wildcard grant cannot be turned on the daemon by DNS: names resolving to loopback, link-local, 0.0.0.0 or mapped IPv6 are refused", async () => {
  const resolve = table({
    "a.example.com": ["127.0.0.1"],
    "b.example.com": ["169.254.169.254"],
    "c.example.com": ["0.0.0.0"],
    "d.example.com": ["::ffff:127.0.0.1"],
    "e.example.com": ["10.9.9.9", "::1"],
    "f.example.com": ["fe80::1"],
  });
  box = await webBox({ grants: ["*.example.com"], resolve });
  for (const h of ["a", "b", "c", "d", "e", "f"]) {
    assert.match(
      await box.run<string>(tryFetch(`http://${h}.example.com/`)),
      /^PermissionDenied: .*a loopback or link-local address, which needs its own grant/,
      h,
    );
  }
  assert.match(
    await box.run<string>(tryFetch("http://example.com/")),
    /^PermissionDenied: module "web" requires fetch access to "example.com:80"/,
    "a wildcard does not grant the domain itself",
  );
});

test("the checked address is the one connected to: a name is resolved once per hop and never again (no rebinding)", async () => {
  const asked: Record<string, number> = {};
  box = await webBox({
    grants: [`rebind.test:${srv.port}`, `127.0.0.1:${srv.port}`],
    resolve: table({ "rebind.test": ["127.0.0.1"] }, asked),
  });
  // rebind.test exists only in the test resolver: had Node looked it up again, the request would fail
  assert.is(await box.run(tryFetch(`http://rebind.test:${srv.port}/echo`)), "fetched 200");
  assert.is(srv.lastHeaders.host, `rebind.test:${srv.port}`);
  assert.equal(asked, { "rebind.test": 1 });
});

test("file: URLs and other schemes are PermissionDenied; a redirect to file: too", async () => {
  box = await webBox({ grants: [`127.0.0.1:${srv.port}`] });
  assert.is(
    await box.run(tryFetch("file:///etc/passwd")),
    'PermissionDenied: module "web" may not fetch file: URLs: fetch() reaches only http: and https: hosts granted in mgr.json at modules.web.allow.fetch (and data: URLs)',
  );
  assert.match(
    await box.run<string>(tryFetch(`http://127.0.0.1:${srv.port}/redirect?to=file:///etc/passwd`)),
    /^PermissionDenied: module "web" may not fetch file: URLs \(a redirect from /,
  );
  assert.match(
    await box.run<string>(tryFetch("ftp://127.0.0.1/x")),
    /^PermissionDenied: module "web" may not fetch ftp: URLs/,
  );
});

test("header injection: CR/LF in a header value is refused in the isolate and, if forged past it, by the host", async () => {
  box = await webBox({ grants: [`127.0.0.1:${srv.port}`] });
  const out = await box.run<string>(
    tryFetch(`http://127.0.0.1:${srv.port}/echo`, `{ headers: { "x-a": "1\\r\\nx-injected: 1" } }`),
  );
  assert.match(out, /^TypeError: Headers: the value of "x-a" contains a NUL, CR or LF character/);
  // what the host does with a request head the isolate never would have sent
  const forged = JSON.stringify({
    id: 99,
    method: "GET",
    url: `http://127.0.0.1:${srv.port}/echo`,
    headers: [["x-a", "1\r\nx-injected: 1"]],
    redirect: "follow",
    hasBody: false,
  });
  const answer = await box.fetcher.fetch(forged, "");
  assert.is(
    answer,
    "e" +
      JSON.stringify({
        name: "TypeError",
        message: 'fetch(): the value of header "x-a" contains a NUL, CR or LF character',
      }),
  );
  const badMethod = JSON.stringify({
    id: 100,
    method: "GET /admin HTTP/1.1\r\n",
    url: `http://127.0.0.1:${srv.port}/echo`,
    headers: [],
    redirect: "follow",
    hasBody: false,
  });
  assert.is(JSON.parse((await box.fetcher.fetch(badMethod, "")).slice(1)).name, "TypeError");
});

test("a module cannot set Host or other forbidden headers to reach another virtual host; credentials do not follow a cross-origin redirect", async () => {
  box = await webBox({ grants: [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, `[::1]:${srv.port}`] });
  await box.run(
    tryFetch(
      `http://127.0.0.1:${srv.port}/echo`,
      `{ headers: { host: "etcd.internal", "transfer-encoding": "chunked", authorization: "Bearer t" } }`,
    ),
  );
  assert.is(srv.lastHeaders.host, `127.0.0.1:${srv.port}`);
  assert.is(srv.lastHeaders["transfer-encoding"], undefined);
  assert.is(srv.lastHeaders.authorization, "Bearer t");
  const out = await box.run(
    tryFetch(
      `http://127.0.0.1:${srv.port}/redirect?to=http://localhost:${srv.port}/echo`,
      `{ headers: { authorization: "Bearer t" } }`,
    ),
  );
  assert.is(out, "fetched 200");
  assert.is(srv.lastHeaders.authorization, undefined, "authorization was dropped at the cross-origin hop");
});

test.run();
