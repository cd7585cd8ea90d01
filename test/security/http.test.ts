// Attacks on the host's HTTP framing: a module's response headers must never decide where
// its response ends (response splitting on keep-alive connections), and header names or
// values a client would misread are refused with a 500 the operator can see in the log.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { waitFor } from "../_util.ts";
import { freePort, parseResponses, pipelined } from "../http/_raw.ts";
import { Arena, traceTests } from "./_harness.ts";

let a: Arena | undefined;
traceTests(test);
test.after.each(async () => {
  await a?.close();
  a = undefined;
});

async function splitter(): Promise<number> {
  const port = await freePort();
  a = await Arena.open({ hostile: { http_split_response: { allow: { net: [`127.0.0.1:${port}`] } } } });
  await waitFor(() => fetch(`http://127.0.0.1:${port}/`).catch(() => undefined), "the module's HTTP server");
  return port;
}

const FORGED = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nforged";

test("a module's short Content-Length cannot split its response: three pipelined requests get three responses", async () => {
  const port = await splitter();
  const res = parseResponses(await pipelined(port, ["/short-length", "/", "/"]));
  assert.equal(
    res.map((r) => [r.status, r.body]),
    [
      [200, `HELLO${FORGED}`],
      [200, "fine"],
      [200, "fine"],
    ],
  );
  assert.is(res[0]!.headers["content-length"], String(`HELLO${FORGED}`.length), "the host framed the body itself");
  await a!.checkHost();
});

test("a module's Transfer-Encoding, Connection, Keep-Alive, Upgrade and Trailer headers are dropped", async () => {
  const port = await splitter();
  const res = parseResponses(await pipelined(port, ["/chunked", "/"]));
  assert.equal(
    res.map((r) => [r.status, r.body]),
    [
      [200, `0\r\n\r\n${FORGED}`],
      [200, "fine"],
    ],
  );
  const h = res[0]!.headers;
  assert.equal([h["transfer-encoding"], h.upgrade, h.trailer], [undefined, undefined, undefined]);
  assert.is(h["content-length"], String(`0\r\n\r\n${FORGED}`.length), "the host framed the body itself");
  assert.is(h["keep-alive"], "timeout=5", "the host's keep-alive, not the module's");
  await a!.checkHost();
});

test("CR/LF or NUL in a header value, a bad header name and a 1xx status are a 500 naming the reason, and logged", async () => {
  const port = await splitter();
  const cases: [string, RegExp][] = [
    ["/crlf-value", /^module sent an invalid response: header "x-note" has a value with control characters/],
    ["/nul-value", /^module sent an invalid response: header "x-note" has a value with control characters/],
    ["/bad-name", /^module sent an invalid response: header name "x bad\\r\\nname" is not a valid HTTP token/],
    ["/informational", /^module sent an invalid response: status 101 is not an integer from 200 to 599/],
  ];
  for (const [path, why] of cases) {
    const res = parseResponses(await pipelined(port, [path, "/"]));
    assert.equal(
      res.map((r) => r.status),
      [500, 200],
      path,
    );
    assert.match(res[0]!.body, why, path);
    assert.is(res[1]!.body, "fine");
  }
  const warned = a!.d.logs.filter(
    (l) => l.module === "http_split_response" && /HTTP response to GET .* refused/.test(l.msg),
  );
  assert.is(warned.length, 4, "each refusal is logged with the module's name");
  await a!.checkHost();
});

test.run();
