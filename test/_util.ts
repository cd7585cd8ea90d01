// Shared test helpers: temp module folders, configs, in-process daemons with captured logs,
// and child-process daemons for the cases that may crash or must be killed.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configFromObject, type Config } from "../runtime/config/index.ts";
import { startDaemon, type Daemon } from "../runtime/daemon/index.ts";
import { createLogger } from "../runtime/log/index.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "bin", "tsmgr.js");

export function tempDir(prefix = "tsmgr-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (path → content) under dir, creating folders. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    const f = join(dir, p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, content);
  }
}

/** A config for a test daemon in `dir`: its own data dir, no HTTP, a still sim (no random evolution). */
export function testConfig(dir: string, overrides: Record<string, unknown> = {}): Config {
  return configFromObject(
    {
      id: "t",
      modulePath: join(dir, "modules"),
      dataDir: join(dir, "data"),
      hotReload: false,
      http: { listen: "" },
      cluster: { sim: { hosts: 2, osdsPerHost: 2, seed: 1, tickMs: 0 } },
      ...overrides,
    },
    join(dir, "mgr.json"),
  );
}

export interface LogRecord {
  level: number;
  severity: number;
  msg: string;
  module?: string;
  [k: string]: unknown;
}

export interface TestDaemon extends Daemon {
  logs: LogRecord[];
  dir: string;
}

/** Starts a daemon in this process with logs captured in `logs`. */
export async function startTestDaemon(dir: string, overrides: Record<string, unknown> = {}): Promise<TestDaemon> {
  const logs: LogRecord[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogRecord) },
  });
  const d = await startDaemon(testConfig(dir, overrides), { logger });
  return Object.assign(d, { logs, dir });
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs the CLI to completion. */
export function cli(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const t = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    p.on("exit", (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 128, stdout, stderr });
    });
  });
}

/** Starts `tsmgr daemon -c cfgFile` as a child process; resolves once `status` answers. */
export async function spawnDaemon(
  cfgFile: string,
): Promise<{ proc: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const proc = spawn(BIN, ["daemon", "-c", cfgFile], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  // ask this daemon itself (--id), not any member of its group
  const id = (JSON.parse(readFileSync(cfgFile, "utf8")) as { id?: string }).id ?? "x";
  await waitFor(
    async () => {
      if (gone) throw new Error(`daemon exited during start: ${output.slice(-2000)}`);
      return (await cli(["-c", cfgFile, "--id", id, "status"], { timeoutMs: 5000 })).code === 0;
    },
    "the child daemon to answer status",
    30_000,
  );
  return { proc, output: () => output, exited };
}

/** Writes a mgr.json for a child daemon in dir and returns its path. */
export function writeConfig(dir: string, cfg: Record<string, unknown>): string {
  const file = join(dir, "mgr.json");
  writeFileSync(
    file,
    JSON.stringify(
      {
        id: "t",
        modulePath: "modules",
        dataDir: "data",
        http: { listen: "" },
        cluster: { sim: { tickMs: 0 } },
        ...cfg,
      },
      null,
      2,
    ),
  );
  return file;
}
