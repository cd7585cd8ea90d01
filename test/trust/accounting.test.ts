// Per-module accounting (issue 19 item 4): module ls -f json, the `top` built-in and
// `tsmgr top`, and the daemon's own Prometheus endpoint, read with a real text-format parser.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { runTop } from "../../runtime/cli/top.ts";
import { cleanup, startTestDaemon, tempDir, waitFor, writeFiles, type TestDaemon } from "../_util.ts";

const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => { name: string; type: string; metrics: { value: string; labels?: Record<string, string> }[] }[];

let d: TestDaemon | undefined;
let dir = "";
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

const BUSY = `import { MgrModule } from "@tsmgr/sdk";
export default class Busy extends MgrModule {
  static override COMMANDS = [{ cmd: "busy spin", desc: "spin", perm: "r" as const }, { cmd: "busy boom", desc: "throw", perm: "r" as const }];
  async handleCommand(_i: string, cmd: { prefix: string }) {
    if (cmd.prefix === "busy boom") throw new Error("boom");
    let x = 0;
    for (let i = 0; i < 2e7; i++) x = (x + i) % 1000003;
    await this.setStore("k", "value");
    return { retval: 0, stdout: x >= 0 ? "spun" : "", stderr: "" };
  }
}
`;
const IDLE = `import { MgrModule } from "@tsmgr/sdk";
export default class Idle extends MgrModule {}
`;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test("module ls -f json, top and /metrics show a module's CPU, calls, errors and store use", async () => {
  dir = tempDir("tsmgr-acct-");
  writeFiles(dir, { "modules/busy.ts": BUSY, "modules/idle.ts": IDLE });
  const port = await freePort();
  d = await startTestDaemon(dir, {
    http: { listen: "", metrics: `127.0.0.1:${port}` },
    modules: { busy: { enabled: true }, idle: { enabled: true } },
  });
  await waitFor(() => d!.modules().filter((m) => m.state === "active").length === 2, "both modules to start");
  for (let i = 0; i < 3; i++)
    assert.equal(await d.command(["busy", "spin"]), { retval: 0, stdout: "spun", stderr: "" });
  assert.is((await d.command(["busy", "boom"])).retval, -22);

  const ls = JSON.parse((await d.command(["module", "ls"], { format: "json" })).stdout) as {
    modules: { name: string; accounting: Record<string, any> }[];
  };
  const busy = ls.modules.find((m) => m.name === "busy")!.accounting;
  assert.ok(busy.cpu_seconds_total >= 0.03, `3 loops of 2e7 steps is counted (got ${busy.cpu_seconds_total} s)`);
  assert.equal(
    [
      busy.calls.command.count,
      busy.calls.command.errors,
      busy.errors,
      busy.store_keys,
      busy.store_bytes,
      busy.restarts,
      busy.fetch_bytes,
    ],
    [4, 1, 1, 1, 6, 0, 0],
  );
  assert.is(busy.heap_limit_bytes, d.config.limits.memoryMb * 1024 * 1024);
  // the heap is read when an isolate goes quiet (the watchdog sleeps with it): wait for that read
  const heap = await waitFor(async () => {
    const now = JSON.parse((await d!.command(["module", "ls"], { format: "json" })).stdout) as typeof ls;
    const used = now.modules.find((m) => m.name === "busy")!.accounting.heap_used_bytes as number;
    return used > 0 ? used : undefined;
  }, "busy's heap to be read");
  assert.ok(heap < busy.heap_limit_bytes);

  const top = JSON.parse((await d.command(["top"], { format: "json" })).stdout) as {
    modules: { name: string; state: string; cpu_seconds_total: number }[];
  };
  assert.equal(
    top.modules.map((m) => m.name),
    ["busy", "idle"],
    "top lists the module that used the CPU first",
  );
  assert.is(top.modules[0]!.state, "active");

  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.is(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheus(await res.text());
  const fam = (n: string) => families.find((f) => f.name === n)!;
  assert.is(fam("tsmgr_module_cpu_seconds_total").type, "COUNTER");
  const cpu = fam("tsmgr_module_cpu_seconds_total").metrics.find((m) => m.labels?.module === "busy")!;
  assert.ok(Number(cpu.value) >= 0.03);
  const calls = fam("tsmgr_module_calls_total").metrics.find(
    (m) => m.labels?.module === "busy" && m.labels.kind === "command",
  )!;
  assert.is(Number(calls.value), 4);
  assert.is(Number(fam("tsmgr_module_store_keys").metrics.find((m) => m.labels?.module === "busy")!.value), 1);
  assert.ok(fam("tsmgr_process_cpu_seconds_total"), "the daemon's own process metrics are there too");
  assert.is((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
});

test("tsmgr top -n 1 prints the table once; -n 2 asks twice; a bad -n is a usage error", async () => {
  const asked: string[] = [];
  let out = "";
  const io = {
    ask: async (f: string) => (asked.push(f), { retval: 0, stdout: "MODULE  CPU5S\nbusy    1.0%", stderr: "" }),
    write: (t: string) => void (out += t),
    error: (t: string) => void (out += "ERR " + t),
    isTTY: false,
  };
  assert.is(await runTop(["-n", "1"], "plain", io), 0);
  assert.equal(asked, ["plain"]);
  assert.match(out, /^tsmgr top - \d\d:\d\d:\d\d\nMODULE  CPU5S\nbusy    1\.0%\n$/);
  assert.is(await runTop(["-n", "2", "-d", "0.1"], "json", io), 0);
  assert.equal(asked, ["plain", "json", "json"]);
  out = "";
  assert.is(await runTop(["-n", "x"], "plain", io), 22);
  assert.is(
    out,
    'ERR tsmgr top: unexpected "-n" (give -n a count > 0, -d seconds >= 0.1)\nusage: tsmgr top [-n ITERATIONS] [-d SECONDS]\n',
  );
});

test("http.metrics must be an address", async () => {
  const { loadConfig } = await import("../../runtime/config/index.ts");
  dir = tempDir("tsmgr-acct-");
  writeFiles(dir, { "mgr.json": JSON.stringify({ http: { metrics: "localhost" } }) });
  assert.throws(
    () => loadConfig(`${dir}/mgr.json`),
    /http\.metrics: "localhost" is not an address such as "127\.0\.0\.1:9284"/,
  );
});

test.run();
