// Connection floods: many idle TCP connections must neither exhaust the daemon's descriptors
// nor lock real clients out. Each listener is capped (per listener and per peer, the oldest
// idle connection shed first), idle connections close after a few seconds, and the admin
// socket keeps answering throughout.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { HttpApi, requestAsok, type WireRequest } from "../../runtime/http/index.ts";
import { BIN, cleanup, cli, tempDir, waitFor, writeConfig } from "../_util.ts";
import { freePort } from "./_raw.ts";

let dir = "";
let api: HttpApi | undefined;
let kill: (() => void) | undefined;
test.after.each(async () => {
  await api?.close();
  api = undefined;
  kill?.();
  kill = undefined;
  if (dir) cleanup(dir);
  dir = "";
});

/** Opens n TCP connections that send nothing; each resolves once connected (or refused). */
async function idleFlood(port: number, n: number): Promise<{ socks: Socket[]; closed: Promise<unknown>[] }> {
  const socks: Socket[] = [];
  const closed: Promise<unknown>[] = [];
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from(
        { length: Math.min(50, n - i) },
        () =>
          new Promise<void>((resolve) => {
            const s = connect(port, "127.0.0.1", () => resolve());
            s.on("error", () => resolve());
            closed.push(new Promise((r) => s.on("close", r)));
            socks.push(s);
          }),
      ),
    );
  }
  return { socks, closed };
}

async function post(port: number, argv: string[]): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/command`, {
    method: "POST",
    headers: { authorization: "Bearer k" },
    body: JSON.stringify({ argv }),
  });
  await res.text();
  return res.status;
}

test("the HTTP API caps idle connections, sheds the oldest for a real client, and closes idle ones after idleMs", async () => {
  const handler = async (req: WireRequest) => {
    if (req.argv?.[0] === "slow") await new Promise((r) => setTimeout(r, 600));
    return { retval: 0, stdout: "ok", stderr: "" };
  };
  api = await HttpApi.listen("127.0.0.1:0", handler, (k) => (k === "k" ? "*" : undefined), {
    limits: { maxConnections: 16, maxPerPeer: 16, idleMs: 300 },
  });
  const port = Number(api.address.split(":")[1]);
  const slow = post(port, ["slow"]); // busy longer than idleMs: neither shed nor timed out
  const { closed } = await idleFlood(port, 200);
  assert.ok(api.guard.size <= 16, `${api.guard.size} connections open`);
  assert.is(await post(port, ["status"]), 200, "a real client gets in while idle connections fill the cap");
  assert.is(await slow, 200, "the busy request finished");
  await Promise.all(closed);
  assert.ok(api.guard.shed >= 184, `shed ${api.guard.shed}`);
  await waitFor(() => api!.guard.size === 0, "every idle connection closed after idleMs");
});

test("a daemon with 256 descriptors survives 600 idle HTTP connections: admin socket and API keep answering", async () => {
  dir = tempDir();
  const port = await freePort();
  mkdirSync(join(dir, "modules"));
  const cfg = writeConfig(dir, { http: { listen: `127.0.0.1:${port}` } });
  // ulimit in the shell sets the hard limit too, so Node cannot raise it
  const proc = spawn("bash", ["-c", 'ulimit -n 256 && exec "$0" daemon -c "$1"', BIN, cfg], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout!.on("data", (c) => (output += c));
  proc.stderr!.on("data", (c) => (output += c));
  let exited = false;
  proc.on("exit", () => (exited = true));
  kill = () => proc.kill("SIGKILL");
  const asok = join(dir, "data", "mgr.t.asok");
  const status = async () =>
    (await requestAsok(asok, { argv: ["status"], format: "json" }, 3000).catch(() => ({ retval: -1 }))).retval === 0;
  await waitFor(status, "the daemon", 30_000);
  const { closed } = await idleFlood(port, 600);
  assert.ok(await status(), `admin socket answers during the flood: ${output.slice(-500)}`);
  assert.is((await cli(["-c", cfg, "status"], { timeoutMs: 10_000 })).code, 0, "the CLI too");
  assert.is(await post(port, ["status"]), 401, "the API answers (no key given)");
  await Promise.all(closed); // idle ones close after the 5 s default
  assert.ok(await status());
  assert.not.ok(exited, output.slice(-1000));
});

test.run();
