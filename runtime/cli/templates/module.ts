// What `tsmgr new NAME` writes: a module that type-checks against the SDK (typed cluster data,
// a command, an option, a serve loop), and a uvu test that runs it in a real daemon beside a
// simulated cluster and passes as written. `__NAME__` and `__CLASS__` are replaced.

export const MODULE_TEMPLATE = `// __NAME__: a tsmgr module. Save this file while the daemon runs and it reloads.
// The API is in sdk/README.md; \`tsmgr check __NAME__\` type-checks it and lists the grants it needs.
import { MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";

export default class __CLASS__ extends MgrModule {
  static COMMANDS = [
    { cmd: "__NAME__ status", desc: "How many OSDs are up and in", perm: "r" as const },
    { cmd: "__NAME__ pool name=pool,type=CephString", desc: "One pool's replica count", perm: "r" as const },
  ];

  static MODULE_OPTIONS = [{ name: "interval", type: "secs" as const, default: 60, min: 1, desc: "how often serve() logs the OSD count" }];

  async serve(): Promise<void> {
    while (!this.stopping) {
      this.log.info(this.#osdSummary());
      await this.sleep(this.getModuleOption<number>("interval") * 1000);
    }
  }

  async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    if (cmd.prefix === "__NAME__ status") return { retval: 0, stdout: this.#osdSummary(), stderr: "" };
    const pool = this.get("osd_map").pools.find((p) => p.pool_name === cmd.pool);
    if (!pool) return { retval: -2, stdout: "", stderr: \`no pool named \${JSON.stringify(cmd.pool)}\` };
    return { retval: 0, stdout: \`pool \${pool.pool_name}: size \${pool.size}\`, stderr: "" };
  }

  /** get("osd_map") is typed: editors complete its fields, and a wrong one does not compile. */
  #osdSummary(): string {
    const osds = this.get("osd_map").osds;
    const up = osds.filter((o) => o.up === 1 && o.in === 1).length;
    return \`\${up} of \${osds.length} OSDs up and in\`;
  }
}
`;

export const TEST_TEMPLATE = `// The __NAME__ module in a real daemon (this process) beside a simulated cluster: its commands,
// run as \`tsmgr __NAME__ ...\` would run them. Run it: npm test -- __NAME__
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configFromObject } from "__RUNTIME__/config/index.ts";
import { startDaemon, type Daemon } from "__RUNTIME__/daemon/index.ts";
import { createLogger } from "__RUNTIME__/log/index.ts";

const MODULES = fileURLToPath(new URL("__MODULES__", import.meta.url));
const test = suite("module __NAME__");
let daemon: Daemon | undefined;
let dataDir = "";

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tsmgr-__NAME__-"));
  const cfg = configFromObject(
    {
      modulePath: MODULES,
      dataDir,
      hotReload: false,
      http: { listen: "" },
      cluster: { backend: "sim", sim: { hosts: 3, osdsPerHost: 2, seed: 7, tickMs: 0 } },
      modules: { __NAME__: { enabled: true } },
    },
    join(dataDir, "mgr.json"),
  );
  // the daemon's log goes nowhere: assert on answers, not on log lines
  daemon = await startDaemon(cfg, { logger: createLogger({ level: "warn", destination: { write: () => {} } }) });
  for (let i = 0; i < 500 && daemon.modules().find((m) => m.name === "__NAME__")?.state !== "active"; i++) await new Promise((r) => setTimeout(r, 20));
  assert.is(daemon.modules().find((m) => m.name === "__NAME__")?.state, "active", "the module did not start: see tsmgr check __NAME__");
});

test.after(async () => {
  await daemon?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("__NAME__ status counts the simulated cluster's OSDs", async () => {
  const r = await daemon!.command(["__NAME__", "status"]);
  assert.is(r.retval, 0, r.stderr);
  assert.is(r.stdout, "6 of 6 OSDs up and in");
});

test("__NAME__ pool answers ENOENT for a pool that does not exist", async () => {
  const r = await daemon!.command(["__NAME__", "pool", "nope"]);
  assert.is(r.retval, -2);
  assert.match(r.stderr, /no pool named "nope"/);
});

test.run();
`;

/** `my_mod` → `MyMod`. */
export function className(name: string): string {
  return (
    name
      .split("_")
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join("") || "Module"
  );
}

/** The template with the names and the test's import paths filled in. */
export function fill(template: string, v: { name: string; runtime?: string; modules?: string }): string {
  return template
    .replaceAll("__NAME__", v.name)
    .replaceAll("__CLASS__", className(v.name))
    .replaceAll("__RUNTIME__", v.runtime ?? "")
    .replaceAll("__MODULES__", v.modules ?? "");
}
