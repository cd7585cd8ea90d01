// The command protocol end to end: the admin socket and the HTTP API with garbage, oversize and
// unauthorized requests; caps against perms; module results of every bad shape; load errors of
// COMMANDS; a hung command not blocking others.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { useDaemon } from "../_daemon.ts";
import type { TestDaemon } from "../_util.ts";

const daemons = useDaemon(test);
let d: TestDaemon;
const daemonWith = (names: string[], config: Record<string, unknown> = {}) =>
  daemons.start({ fixtures: names, config });

/** Sends raw text on the admin socket and collects `n` answer lines. */
function raw(path: string, text: string, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = "";
    s.setEncoding("utf8");
    s.on("connect", () => s.write(text));
    s.on("data", (c: string) => {
      buf += c;
      const lines = buf.split("\n").filter(Boolean);
      if (lines.length >= n) {
        s.destroy();
        resolve(lines);
      }
    });
    s.on("error", reject);
    s.on("close", () => resolve(buf.split("\n").filter(Boolean)));
  });
}

test("the admin socket answers garbage with EINVAL and keeps serving the same connection", async () => {
  d = await daemonWith(["good"]);
  const lines = await raw(d.asokPath, 'not json\n{"argv": 5}\n{"argv":["good","ping"],"id":7}\n', 3);
  const [a, b, c] = lines.map((l) => JSON.parse(l));
  assert.is(a.retval, -22);
  assert.match(a.stderr, /request is not valid JSON/);
  assert.is(b.retval, -22);
  assert.match(b.stderr, /argv must be an array of strings/);
  assert.equal(c, { id: 7, retval: 0, stdout: "pong", stderr: "" });
});

test("the admin socket refuses an oversize request and the daemon keeps answering", async () => {
  d = await daemonWith(["good"]);
  const lines = await raw(d.asokPath, "x".repeat(1024 * 1024 + 10), 1);
  assert.match(JSON.parse(lines[0]!).stderr, /request larger than 1048576 bytes: refused/);
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
});

test("many requests on one connection are answered, matched by id", async () => {
  d = await daemonWith(["good"]);
  const reqs =
    Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: i, argv: ["good", "echo", `m${i}`] })).join("\n") + "\n";
  const lines = (await raw(d.asokPath, reqs, 20)).map((l) => JSON.parse(l) as { id: number; stdout: string });
  for (const l of lines) assert.is(l.stdout, `m${l.id}`);
  assert.is(new Set(lines.map((l) => l.id)).size, 20);
});

test("HTTP callers need a key; its caps decide, and a refused command never reaches the module", async () => {
  d = await daemonWith(["outputs"], { http: { listen: "127.0.0.1:0" } });
  const url = `http://${d.httpAddress}/api/v1/command`;
  type Answer = { status: number; json(): Promise<{ retval: number; stdout: string; stderr: string }> };
  const post = (body: unknown, key?: string): Promise<Answer> =>
    fetch(url, {
      method: "POST",
      headers: key ? { authorization: `Bearer ${key}` } : {},
      body: typeof body === "string" ? body : JSON.stringify(body),
    }) as Promise<Answer>;
  const none = await post({ argv: ["status"] });
  assert.is(none.status, 401);
  assert.match((await none.json()).stderr, /missing key: send Authorization: Bearer KEY/);
  assert.is((await post({ argv: ["status"] }, "wrong")).status, 401);
  const ro = JSON.parse((await d.command(["auth", "add", "reader", "--caps", "r"], { format: "json" })).stdout)
    .key as string;
  const rw = JSON.parse((await d.command(["auth", "add", "writer", "--caps", "rw"], { format: "json" })).stdout)
    .key as string;
  const okRead = await post({ argv: ["status"], format: "json" }, ro);
  assert.is(okRead.status, 200);
  assert.is((await okRead.json()).retval, 0);
  const denied = await post({ argv: ["out", "write"] }, ro);
  assert.is(denied.status, 403);
  assert.match((await denied.json()).stderr, /access denied: "out write" needs "w" caps; this caller has "r"/);
  assert.is((await d.command(["out", "calls"])).stdout, "0", "the module was not called");
  const allowed = await (await post({ cmd: { prefix: "out write" } }, rw)).json();
  assert.is(allowed.stdout, "written");
  assert.is((await post("{ broken", rw)).status, 400);
  assert.is((await post("x".repeat(1024 * 1024 + 1), rw)).status, 413);
  assert.is((await fetch(url)).status, 405);
  assert.is((await d.command(["auth", "ls"])).stdout, "mgr.peer: *\nreader: r\nwriter: rw");
});

test("a module's bad results are refused with a message: huge, non-string, nothing; a tuple is accepted", async () => {
  d = await daemonWith(["outputs"], { limits: { maxOutputBytes: 1024 * 1024 } });
  const huge = await d.command(["out", "huge", "2"]);
  assert.is(huge.retval, -27);
  assert.match(
    huge.stderr,
    /module outputs returned 2097152 bytes of output: the limit is 1048576 \(limits\.maxOutputBytes in mgr\.json\)/,
  );
  const obj = await d.command(["out", "object"]);
  assert.is(obj.retval, -22);
  assert.match(obj.stderr, /stdout must be a string, got object: use JSON\.stringify\(\) for data/);
  assert.match((await d.command(["out", "nothing"])).stderr, /returned a bad command result: nothing/);
  assert.equal(await d.command(["out", "tuple"]), { retval: 0, stdout: "from a tuple", stderr: "" });
});

test("a malformed descriptor in COMMANDS is a load error naming the module and the descriptor", async () => {
  d = await daemonWith(["good", "bad_descriptor"]);
  const s = d.modules().find((m) => m.name === "bad_descriptor")!;
  assert.is(s.state, "failed");
  assert.match(
    s.error!.message,
    /module bad_descriptor: COMMANDS\[0\]: bad descriptor "bad thing name=x,type=CephFoo": .*CephFoo/,
  );
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
});

test("a command prefix already taken by another module is a load error for the later module", async () => {
  d = await daemonWith(["dup_a", "dup_b"]);
  assert.is(d.modules().find((m) => m.name === "dup_a")!.state, "active");
  const b = d.modules().find((m) => m.name === "dup_b")!;
  assert.match(
    b.error!.message,
    /command "dup ping" is already provided by module dup_a: command prefixes must be unique/,
  );
  assert.is((await d.command(["dup", "ping"])).stdout, "a");
});

test("a hung command times out with ETIMEDOUT while other commands are answered meanwhile", async () => {
  d = await daemonWith(["sandbox_probe", "good"], { limits: { callTimeoutMs: 800 } });
  const hung = d.command(["probe", "wait"]);
  const t0 = Date.now();
  assert.is((await d.command(["good", "ping"])).stdout, "pong");
  assert.is((await d.command(["status"])).retval, 0);
  assert.ok(Date.now() - t0 < 500, "other commands were not held up");
  assert.is((await hung).retval, -110);
});

test("help lists built-in and module commands with their descriptors; -f json gives the table", async () => {
  d = await daemonWith(["good"]);
  const plain = (await d.command(["help"])).stdout;
  assert.match(plain, /good echo <text>\n {4}echoes \(module good\)/);
  assert.match(plain, /config-key set <key> \[<val>\]/);
  const json = JSON.parse((await d.command(["help"], { format: "json" })).stdout) as {
    cmd: string;
    perm: string;
    module: string;
  }[];
  assert.ok(json.some((c) => c.cmd === "good echo name=text,type=CephString" && c.perm === "r" && c.module === "good"));
});

test("wrong-typed and missing arguments are EINVAL naming the argument, value and type", async () => {
  d = await daemonWith(["good"]);
  const unknown = await d.command({ prefix: "good echo", text: "x", extra: 1 });
  assert.equal(
    [unknown.retval, unknown.stderr.split("\n")[0]],
    [-22, 'invalid command: unknown argument "extra" for "good echo"; it takes text'],
  );
  const missing = await d.command(["good", "echo"]);
  assert.is(missing.retval, -22);
  assert.match(missing.stderr, /text/);
  const notInt = await d.command(["sim", "host", "add", "h9", "many"]);
  assert.equal(
    [notInt.retval, notInt.stderr.split("\n")[0]],
    [-22, 'invalid command: unused arguments: "many" (osds "many" is not a CephInt (expected an integer))'],
  );
  const range = await d.command({ prefix: "sim host add", name: "h9", osds: 500 });
  assert.is(range.retval, -22);
  assert.match(range.stderr, /osds "?500"? is out of range: must be between 1 and 100/, range.stderr);
  assert.is(
    (await d.command(["good", "ping"])).stdout,
    "pong",
    "nothing ran for the refused commands, the daemon answers",
  );
});

test.run();
