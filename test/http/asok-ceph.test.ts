// The admin socket speaks two protocols, told apart by a connection's first bytes: tsmgr's
// JSON lines, and Ceph's admin-socket protocol (a command ended by NUL, answered with a 4-byte
// big-endian length and the output) that `ceph --admin-daemon` speaks. A stub handler echoes
// what the daemon would be asked; the real daemon and the real `ceph` binary are in ceph-cli.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { AdminSocket, requestAsok, type WireRequest } from "../../runtime/http/index.ts";
import { cleanup, tempDir, waitFor } from "../_util.ts";

let dir = "";
let s: AdminSocket | undefined;
test.after.each(async () => {
  await s?.close();
  s = undefined;
  cleanup(dir);
});

const BIG = "x".repeat(16 << 20);
const COMMANDS = [
  { cmd: "status", desc: "show status", module: "tsmgr", perm: "r" },
  {
    cmd: "osd pool create name=pool,type=CephPoolname name=pg_num,type=CephInt,range=0,req=false",
    desc: "create a pool",
    module: "tsmgr",
    perm: "rw",
  },
];

async function open(opts: Parameters<typeof AdminSocket.listen>[2] = {}): Promise<AdminSocket> {
  dir = tempDir();
  const handler = async (req: WireRequest) => {
    const prefix = req.cmd?.prefix ?? req.argv?.[0];
    if (prefix === "big") return { retval: 0, stdout: BIG, stderr: "" };
    if (prefix === "slow") await new Promise((r) => setTimeout(r, 300));
    if (prefix === "fail") return { id: req.id, retval: -2, stdout: "partial", stderr: "error obtaining 'k'" };
    return {
      id: req.id,
      retval: 0,
      stdout: JSON.stringify({ cmd: req.cmd, argv: req.argv, format: req.format }),
      stderr: "",
    };
  };
  s = await AdminSocket.listen(join(dir, "t.asok"), handler, { commands: () => COMMANDS, ...opts });
  return s;
}

/** Sends raw bytes; resolves with everything received until the daemon closes. */
function raw(path: string, bytes: Buffer | string): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const c = connect(path, () => c.write(bytes));
    c.on("data", (d: Buffer) => chunks.push(d));
    c.on("close", () => resolve(Buffer.concat(chunks)));
    c.on("error", () => {});
  });
}

/** Splits a Ceph answer into its length field and payload. */
function framed(b: Buffer): { length: number; text: string } {
  return { length: b.readUInt32BE(0), text: b.subarray(4).toString("utf8") };
}

test("a NUL-terminated Ceph command gets a length-framed answer and the connection closes", async () => {
  const a = await open();
  const out = framed(await raw(a.path, '{"prefix": "status"}\0'));
  const text = JSON.stringify({ cmd: { prefix: "status" }, format: "json-pretty" });
  assert.equal(out, { length: Buffer.byteLength(text), text });
  const json = framed(await raw(a.path, '{"prefix": "osd pool create", "pool": "rbd", "format": "json"}\0'));
  assert.equal(JSON.parse(json.text), { cmd: { prefix: "osd pool create", pool: "rbd" }, format: "json" });
});

test('a newline-terminated {"prefix": ...} first line is Ceph\'s protocol too, as Ceph accepts it', async () => {
  const a = await open();
  assert.equal(JSON.parse(framed(await raw(a.path, '{"prefix": "status"}\n')).text).cmd, { prefix: "status" });
});

test("the line protocol keeps working: several requests on one connection, answers matched by id", async () => {
  const a = await open();
  const got = await new Promise<string>((resolve) => {
    let text = "";
    const c = connect(a.path, () =>
      c.write('{"id":1,"argv":["status"]}\n{"id":2,"cmd":{"prefix":"status"}}\nnot json\n'),
    );
    c.on("data", (d) => {
      text += d;
      if (text.split("\n").length > 3) resolve(text);
    });
  });
  const lines = got
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { id?: number; retval: number });
  assert.equal(lines.map((l) => [l.id, l.retval]).sort(), [
    [undefined, -22],
    [1, 0],
    [2, 0],
  ]);
  assert.is((await requestAsok(a.path, { argv: ["status"] }, 2000)).retval, 0);
});

test("a failed command is Ceph's ERROR preamble with errno and strerror, then the message and output", async () => {
  const a = await open();
  assert.is(
    framed(await raw(a.path, '{"prefix": "fail"}\0')).text,
    "ERROR: (2) No such file or directory\nerror obtaining 'k'\npartial",
  );
});

test("get_command_descriptions answers every command in the shape of Ceph's (the real mgr's keys)", async () => {
  const a = await open();
  const real = JSON.parse(
    readFileSync("/work/shared/fixtures/ceph-16.2.15/commands/mgr-command-descriptions.json", "utf8"),
  ) as Record<string, object>;
  const ours = JSON.parse(framed(await raw(a.path, '{"prefix": "get_command_descriptions"}\0')).text) as Record<
    string,
    { sig: unknown[] }
  >;
  assert.equal(Object.keys(ours), ["cmd000", "cmd001", "cmd002", "cmd003"]);
  for (const d of Object.values(ours)) assert.equal(Object.keys(d), Object.keys(real.cmd000!));
  assert.equal(ours.cmd002, { sig: ["status"], help: "show status", module: "tsmgr", perm: "r", flags: 0 });
  assert.equal(ours.cmd003!.sig, [
    "osd",
    "pool",
    "create",
    { name: "pool", type: "CephPoolname" },
    { name: "pg_num", range: "0", req: "false", type: "CephInt" },
  ]);
});

test("Ceph's old binary protocol: four bytes, the first 0; request 0 is the protocol version", async () => {
  const a = await open();
  assert.equal(framed(await raw(a.path, Buffer.from([0, 0, 0, 0]))), { length: 1, text: "2" });
  assert.equal(JSON.parse(framed(await raw(a.path, Buffer.from([0, 0, 0, 1]))).text).cmd, {
    prefix: "perfcounters_dump",
  });
});

test("bad input: a length-prefixed payload, garbage before NUL, and JSON without a prefix each get a framed answer", async () => {
  const a = await open();
  const payload = '{"prefix": "status"}';
  const prefixed = Buffer.concat([Buffer.from([0, 0, 0, payload.length]), Buffer.from(payload)]);
  assert.equal(
    JSON.parse(framed(await raw(a.path, prefixed)).text).cmd,
    { prefix: "foo" },
    "read as the old protocol's unknown request, as Ceph does",
  );
  assert.is(
    framed(await raw(a.path, Buffer.concat([Buffer.from([0xff, 0xfe, 0x7b, 0x7b]), Buffer.from([0])]))).text,
    "ERROR: (22) Invalid argument\ninvalid json\n",
  );
  assert.is(
    framed(await raw(a.path, '{"format": "json"}\0')).text,
    "ERROR: (22) Invalid argument\ninvalid json, missing format and/or prefix\n",
  );
  assert.is(
    framed(await raw(a.path, '["status"]\0')).text,
    "ERROR: (22) Invalid argument\ninvalid json, missing format and/or prefix\n",
  );
});

test("a command without its NUL is refused and closed after requestMs", async () => {
  const a = await open({ requestMs: 200 });
  const got = JSON.parse((await raw(a.path, '{"prefix": "status"}')).toString("utf8")) as {
    retval: number;
    stderr: string;
  };
  assert.equal(got, {
    retval: -22,
    stdout: "",
    stderr: "request not complete within 200 ms (end it with a newline): refused",
  });
});

test("a 100 MB command is refused at 1 MiB without being buffered, and the socket keeps answering", async () => {
  const a = await open();
  const chunk = Buffer.alloc(1 << 16, 0x61);
  const { sent, answer } = await new Promise<{ sent: number; answer: string }>((resolve) => {
    let sent = 0;
    let answer = "";
    let closed = false;
    const c = connect(a.path);
    c.on("data", (d) => (answer += d));
    c.on("error", () => {});
    c.on("close", () => {
      closed = true;
      resolve({ sent, answer });
    });
    const pump = () => {
      while (!closed && sent < 100 << 20) {
        sent += chunk.length;
        if (!c.write(chunk)) return void c.once("drain", pump);
      }
      c.end();
    };
    c.on("connect", pump);
  });
  assert.ok(sent < 16 << 20, `the daemon closed the connection after ${sent} bytes, long before 100 MB`);
  assert.match(answer, /request larger than 1048576 bytes: refused/);
  assert.is((await requestAsok(a.path, { argv: ["status"] }, 2000)).retval, 0);
});

test("a client that disconnects mid-answer (16 MiB) or before it leaves the socket answering", async () => {
  const a = await open();
  await new Promise<void>((resolve) => {
    const c = connect(a.path, () => c.write('{"prefix": "big"}\0'));
    c.once("data", () => {
      c.destroy();
      resolve();
    });
    c.on("error", () => {});
  });
  const early = connect(a.path, () => early.end('{"prefix": "slow"}\0'));
  early.on("error", () => {});
  early.destroy();
  await new Promise((r) => setTimeout(r, 350));
  assert.is(framed(await raw(a.path, '{"prefix": "status"}\0')).length > 0, true);
  assert.is((await requestAsok(a.path, { argv: ["status"] }, 2000)).retval, 0);
});

test("idle connections are capped (the oldest shed first) and closed after idleMs; status still answers", async () => {
  const a = await open({ limits: { maxConnections: 8, idleMs: 300 } });
  const socks = await Promise.all(
    Array.from(
      { length: 40 },
      () =>
        new Promise<ReturnType<typeof connect>>((r) => {
          const c = connect(a.path, () => r(c));
          c.on("error", () => {});
        }),
    ),
  );
  const closed = socks.map((c) => new Promise((r) => c.on("close", r)));
  await waitFor(() => a.guard.size <= 8, "the cap");
  assert.is(
    (await requestAsok(a.path, { argv: ["status"] }, 2000)).retval,
    0,
    "status answers while idle connections fill the cap",
  );
  await Promise.all(closed);
  assert.ok(a.guard.shed >= 32, `shed ${a.guard.shed}`);
  await waitFor(() => a.guard.size === 0, "idle connections closed");
});

test("a long request is not shed or timed out as idle", async () => {
  const a = await open({ limits: { maxConnections: 2, idleMs: 100 } });
  const slow = raw(a.path, '{"prefix": "slow"}\0');
  await waitFor(() => a.guard.size === 1, "the slow request's connection");
  const others = await Promise.all([
    requestAsok(a.path, { argv: ["status"] }, 2000),
    requestAsok(a.path, { argv: ["status"] }, 2000),
  ]);
  assert.ok(others.some((r) => r.retval === 0));
  assert.equal(JSON.parse(framed(await slow).text).cmd, { prefix: "slow" });
});

test.run();
