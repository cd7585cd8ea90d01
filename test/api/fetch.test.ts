// fetch() under modules.NAME.allow.fetch (issue 18 item 4), from a real isolate to a local
// server on 127.0.0.1: what a granted module gets, and the limits (size, time, concurrency,
// abort). The refusals a hostile module meets are in test/security/fetch.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { webBox, type WebBox } from "../sandbox/_web.ts";
import { startServer, type TestServer } from "./_fetch-server.ts";

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

const granted = (limits = {}) => webBox({ grants: [`127.0.0.1:${srv.port}`], limits });
const url = (path: string) => `http://127.0.0.1:${srv.port}${path}`;

test("fetch() to a granted address: status, headers, JSON and a POST body cross intact", async () => {
  box = await granted();
  const out = await box.run(`
    const r = await fetch(${JSON.stringify(url("/echo"))}, { method: "POST", body: JSON.stringify({ a: "ü" }), headers: { "x-token": "t1" } });
    const j = await r.json();
    return [r.status, r.ok, r.headers.get("content-type"), r.headers.getSetCookie(), j.method, j.body, j.headers["x-token"], j.headers["content-type"], r.url, r.redirected];`);
  assert.equal(out, [
    200,
    true,
    "application/json",
    ["a=1", "b=2"],
    "POST",
    '{"a":"ü"}',
    "t1",
    "text/plain;charset=UTF-8",
    url("/echo"),
    false,
  ]);
});

test("fetch() returns binary bodies byte for byte", async () => {
  box = await granted();
  assert.equal(
    await box.run(`return [...(await (await fetch(${JSON.stringify(url("/bytes"))})).bytes())]`),
    [0, 1, 2, 254, 255],
  );
});

test("fetch() follows a redirect within the grant, turning a 303 POST into a GET", async () => {
  box = await granted();
  const out = await box.run(`
    const r = await fetch(${JSON.stringify(url("/redirect?status=303&to=/echo"))}, { method: "POST", body: "x" });
    const j = await r.json();
    return [r.redirected, r.url, j.method, j.body];`);
  assert.equal(out, [true, url("/echo"), "GET", ""]);
});

test("redirect: manual answers the redirect itself; redirect: error refuses it", async () => {
  box = await granted();
  const out = await box.run(`
    const r = await fetch(${JSON.stringify(url("/redirect?status=301&to=/x"))}, { redirect: "manual" });
    let err;
    try { await fetch(${JSON.stringify(url("/redirect"))}, { redirect: "error" }); } catch (e) { err = e.name; }
    return [r.status, r.headers.get("location"), err];`);
  assert.equal(out, [301, "/x", "TypeError"]);
});

test("a body over limits.maxFetchBytes is cut off with LimitExceeded naming the limit, streamed or declared", async () => {
  box = await granted({ maxFetchBytes: 1024 * 1024 });
  const out = await box.run<string[]>(`
    const r = [];
    for (const p of ["/huge", "/declared-huge"]) {
      try { await fetch("http://127.0.0.1:${srv.port}" + p); r.push("fetched"); } catch (e) { r.push(e.name + ": " + e.message); }
    }
    return r;`);
  for (const m of out)
    assert.match(
      m,
      /^LimitExceeded: fetch\(\): the response body is larger than 1048576 bytes .*limits\.maxFetchBytes in mgr\.json/,
    );
});

test("a server that never finishes is cut off at limits.fetchTimeoutMs with a TimeoutError", async () => {
  box = await granted({ fetchTimeoutMs: 200 });
  const out = await box.run(
    `try { await fetch(${JSON.stringify(url("/slow"))}); return "fetched"; } catch (e) { return [e.name, e.message]; }`,
  );
  assert.equal(out, [
    "TimeoutError",
    `fetch("${url("/slow")}"): no complete answer within 200 ms (limits.fetchTimeoutMs in mgr.json)`,
  ]);
});

test("AbortController aborts a fetch in flight; the host drops the request", async () => {
  box = await granted();
  const out = await box.run(`
    const c = new AbortController();
    const p = fetch(${JSON.stringify(url("/slow"))}, { signal: c.signal });
    setTimeout(() => c.abort(), 50);
    try { await p; return "fetched"; } catch (e) { return [e.name, c.signal.aborted]; }`);
  assert.equal(out, ["AbortError", true]);
  const pre = await box.run(
    `try { await fetch(${JSON.stringify(url("/echo"))}, { signal: AbortSignal.abort() }); return "fetched"; } catch (e) { return e.name; }`,
  );
  assert.is(pre, "AbortError");
});

test("no more than limits.maxConcurrentFetches run at once: the rest wait their turn and all complete", async () => {
  box = await granted({ maxConcurrentFetches: 2, fetchTimeoutMs: 3000 });
  // four requests that never finish: two at a time reach the server, each ended by its own timeout
  srv.slowMax = 0;
  const out = await box.run(`
    const all = [0, 1, 2, 3].map(() => fetch(${JSON.stringify(url("/slow"))}, { signal: AbortSignal.timeout(150) }).catch((e) => e.name));
    return await Promise.all(all);`);
  assert.equal(out, ["TimeoutError", "TimeoutError", "TimeoutError", "TimeoutError"]);
  assert.ok(srv.slowMax <= 2, `${srv.slowMax} requests were open at the server at once`);
  const ok = await box.run(
    `return (await Promise.all([1, 2, 3, 4, 5].map(() => fetch(${JSON.stringify(url("/echo"))}).then((r) => r.status)))).join()`,
  );
  assert.is(ok, "200,200,200,200,200");
});

test("data: URLs are decoded, capped like any body", async () => {
  box = await granted({ maxFetchBytes: 1024 });
  const out = await box.run(`
    const r = await fetch("data:text/plain;base64,aMOp");
    let big;
    try { await fetch("data:," + "x".repeat(2000)); } catch (e) { big = e.name; }
    return [await r.text(), r.headers.get("content-type"), big];`);
  assert.equal(out, ["hé", "text/plain", "LimitExceeded"]);
});

test.run();
