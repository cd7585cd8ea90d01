// The daemon's built-in commands as a new user meets them (first-hour issue): grants that apply
// on `module reload`, health that clears when a module runs again, `module ls` on a standby
// describing the group, and `-f json` with typed values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../runtime/config/index.ts";
import { startDaemon } from "../../runtime/daemon/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { cleanup, startTestDaemon, tempDir, waitFor, writeFiles, type TestDaemon } from "../_util.ts";

let dir = "";
let daemons: { stop(): Promise<void> }[] = [];
test.after.each(async () => {
  for (const d of daemons.reverse()) await d.stop();
  daemons = [];
  cleanup(dir);
});

const POOLS = `import { MgrModule } from "@tsmgr/sdk";
export default class Pools extends MgrModule {
  static COMMANDS = [{ cmd: "pools", desc: "pools", perm: "r" as const }];
  async handleCommand() {
    try {
      const r = await this.sendCommand({ prefix: "osd pool ls", format: "json" });
      return { retval: 0, stdout: "pools " + r.stdout, stderr: "" };
    } catch (e: any) { return { retval: -13, stdout: "", stderr: e.name + ": " + e.message }; }
  }
}`;

/** A daemon started from a real mgr.json on disk, as `tsmgr daemon -c FILE` does. */
async function daemonFromFile(
  modules: Record<string, unknown>,
): Promise<{ file: string; d: Awaited<ReturnType<typeof startDaemon>> }> {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), { "pools.ts": POOLS });
  const file = join(dir, "mgr.json");
  const write = (m: Record<string, unknown>) =>
    writeFileSync(
      file,
      JSON.stringify({
        id: "t",
        modulePath: "modules",
        dataDir: "data",
        hotReload: false,
        http: { listen: "" },
        cluster: { sim: { hosts: 2, osdsPerHost: 2, tickMs: 0 } },
        modules: m,
      }),
    );
  write(modules);
  const d = await startDaemon(loadConfig(file), {
    logger: createLogger({ level: "error", destination: { write: () => {} } }),
  });
  daemons.push(d);
  return { file, d };
}

test("module reload applies a new allow.commands grant from mgr.json without a restart", async () => {
  const { file, d } = await daemonFromFile({ pools: { enabled: true } });
  const before = await d.command(["pools"]);
  assert.match(
    before.stderr,
    /PermissionDenied: module "pools" requires permission to send the mon command "osd pool ls"/,
  );
  writeFileSync(
    file,
    readJson(file, (c) => (c.modules.pools.allow = { commands: ["osd pool ls"] })),
  );
  const reload = await d.command(["module", "reload", "pools"]);
  assert.is(reload.retval, 0, reload.stderr);
  const after = await d.command(["pools"]);
  assert.is(after.retval, 0, after.stderr);
  assert.match(after.stdout, /^pools \[/);
  const info = JSON.parse((await d.command(["module", "info", "pools"], { format: "json" })).stdout);
  assert.equal(info.grants.commands, ["osd pool ls"]);
});

test("module reload with an invalid mgr.json says why and keeps the running grants", async () => {
  const { file, d } = await daemonFromFile({ pools: { enabled: true, allow: { commands: ["osd pool ls"] } } });
  writeFileSync(
    file,
    readJson(file, (c) => (c.modules.pools.allow = { commands: 7 })),
  );
  const reload = await d.command(["module", "reload", "pools"]);
  assert.is(reload.retval, -22);
  assert.match(reload.stderr, /^mgr\.json was not applied: .*modules\.pools\.allow\.commands/);
  assert.is((await d.command(["pools"])).retval, 0, "the old grant still applies");
});

test("reloadConfig() (SIGHUP) restarts only the modules whose mgr.json section changed", async () => {
  const { file, d } = await daemonFromFile({ pools: { enabled: true } });
  assert.equal(await d.reloadConfig(), []);
  writeFileSync(
    file,
    readJson(file, (c) => (c.modules.pools.allow = { commands: ["osd pool ls"] })),
  );
  assert.equal(await d.reloadConfig(), ["pools"]);
  assert.is((await d.command(["pools"])).retval, 0);
});

function readJson(file: string, edit: (c: any) => void): string {
  const c = JSON.parse(readFileSync(file, "utf8"));
  edit(c);
  return JSON.stringify(c);
}

const FLAKY = `import { MgrModule } from "@tsmgr/sdk";
export default class Flaky extends MgrModule {
  static COMMANDS = [{ cmd: "flaky", desc: "x", perm: "r" as const }];
  async serve() {
    const runs = Number(this.getStore("runs") ?? "0") + 1;
    await this.setStore("runs", String(runs));
    if (runs === 1) throw new Error("first run dies");
  }
  async handleCommand() { return { retval: 0, stdout: "ok", stderr: "" }; }
}`;

test("health clears once a failed module runs again after its restart, and says 'has failed' while it is down", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), { "flaky.ts": FLAKY });
  const d = await startTestDaemon(dir, { modules: { flaky: { enabled: true } }, limits: { restartBackoffMs: 300 } });
  daemons.push(d);
  await waitFor(() => d.modules().find((m) => m.name === "flaky")!.state === "failed", "the first run to fail");
  const down = (await d.command(["health", "detail"])).stdout;
  assert.match(down, /Module 'flaky' has failed: Error: first run dies/);
  assert.not.match(down, /reload/);
  await waitFor(() => d.modules().find((m) => m.name === "flaky")!.state === "active", "the restart", 10_000);
  const st = d.modules().find((m) => m.name === "flaky")!;
  assert.is(st.error, null);
  assert.is(st.restarts, 1);
  assert.is((await d.command(["health"])).stdout, "HEALTH_OK");
});

test("module ls and module info on a standby describe the group's active daemon", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), {
    "flaky.ts": FLAKY.replace('if (runs === 1) throw new Error("first run dies");', ""),
  });
  const common = { election: { backend: "sqlite", leaseMs: 600 }, modules: { flaky: { enabled: true } } };
  const a: TestDaemon = await startTestDaemon(dir, { ...common, id: "a" });
  daemons.push(a);
  const b: TestDaemon = await startTestDaemon(dir, { ...common, id: "b" });
  daemons.push(b);
  const ls = JSON.parse((await b.command(["module", "ls"], { format: "json" })).stdout);
  assert.is(ls.modules.find((m: { name: string }) => m.name === "flaky").state, "active");
  const info = JSON.parse((await b.command(["module", "info", "flaky"], { format: "json" })).stdout);
  assert.is(info.state, "active");
});

test("config get -f json of an int option is a number, of a str option a string", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), {
    "opts.ts": `import { MgrModule } from "@tsmgr/sdk";
export default class Opts extends MgrModule {
  static MODULE_OPTIONS = [{ name: "count", type: "int" as const, default: 3 }, { name: "label", type: "str" as const, default: "x" }];
}`,
  });
  const d = await startTestDaemon(dir, { modules: { opts: { enabled: true } } });
  daemons.push(d);
  const json = async (k: string) =>
    JSON.parse((await d.command(["config", "get", "mgr", k], { format: "json" })).stdout) as unknown;
  assert.is(await json("mgr/opts/count"), 3);
  assert.is(await json("mgr/opts/label"), "x");
  assert.is((await d.command(["config", "set", "mgr", "mgr/opts/count", "12"])).retval, 0);
  assert.is(await json("mgr/opts/count"), 12);
  assert.is((await d.command(["config", "get", "mgr", "mgr/opts/count"])).stdout, "12");
});

test("health and module ls escape control characters of module text in plain output; JSON stays exact", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  const forged = "\r\x1b[2K\x1b[32mHEALTH_OK\x1b[8m";
  writeFiles(join(dir, "modules"), {
    "forge.ts": `import { MgrModule } from "@tsmgr/sdk";
export default class Forge extends MgrModule {
  async serve() { this.setHealthChecks({ FORGE: { severity: "error", summary: ${JSON.stringify(forged)}, detail: ["line\\n[ERR] FAKE: x\\x07"] } }); }
}`,
  });
  const d = await startTestDaemon(dir, { modules: { forge: { enabled: true } } });
  daemons.push(d);
  await waitFor(async () => (await d.command(["health"])).stdout.startsWith("HEALTH_ERR"), "the check");
  const plain = (await d.command(["health", "detail"])).stdout;
  assert.not.ok(/[\x00-\x08\x0b-\x1f\x7f]/.test(plain), JSON.stringify(plain));
  assert.ok(plain.includes("\\r\\x1b[2K\\x1b[32mHEALTH_OK\\x1b[8m"), plain);
  assert.ok(plain.includes("\n    line\n    [ERR] FAKE: x\\x07"), "a forged line stays indented under its check");
  const json = JSON.parse((await d.command(["health", "detail"], { format: "json" })).stdout);
  assert.is(json.checks.FORGE.summary.message, forged);
});

test("a disabled module's command says the module is disabled and how to enable it", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), {
    "greeter.ts": `import { MgrModule } from "@tsmgr/sdk";
export default class G extends MgrModule {
  static COMMANDS = [{ cmd: "greet name=who,type=CephString", desc: "x", perm: "r" as const }];
  async handleCommand(_i: string, c: { who: string }) { return { retval: 0, stdout: "hi " + c.who, stderr: "" }; }
}`,
  });
  const d = await startTestDaemon(dir, { modules: {} });
  daemons.push(d);
  const never = await d.command(["greet", "bob"]);
  assert.is(never.retval, -22);
  assert.is(
    never.stderr,
    "module 'greeter' is disabled, so its commands are not available: enable it with tsmgr module enable greeter",
  );
  assert.is((await d.command(["module", "enable", "greeter"])).retval, 0);
  assert.is((await d.command(["greet", "bob"])).stdout, "hi bob");
  assert.is((await d.command(["module", "disable", "greeter"])).retval, 0);
  assert.match((await d.command(["greet", "bob"])).stderr, /^module 'greeter' is disabled/);
  const unknown = await d.command(["nosuch", "thing"]);
  assert.match(unknown.stderr, /^no valid command found/);
  assert.equal(Object.keys(unknown).sort(), ["retval", "stderr", "stdout"], "the table's own flags stay inside");
});

test("a mgr.json section for a module that does not exist is reported in health with a did-you-mean", async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  writeFiles(join(dir, "modules"), {
    "hello.ts": FLAKY.replace('if (runs === 1) throw new Error("first run dies");', ""),
  });
  const d = await startTestDaemon(dir, { modules: { hello: { enabled: true }, helo: { enabled: true } } });
  daemons.push(d);
  const health = (await d.command(["health", "detail"])).stdout;
  assert.match(health, /^HEALTH_WARN mgr\.json names a module that is not in the module path/);
  assert.match(health, /modules\.helo: there is no module "helo" in .*; did you mean "hello"\?/);
  const ls = (await d.command(["module", "ls"])).stdout;
  assert.match(ls, /mgr\.json .*modules\.helo/);
});

test.run();
