// Helpers of the real-Ceph tests: a single-node dev cluster on free loopback ports in a temp dir
// (scripts/ceph-dev-cluster.sh), started once per test file and stopped by its recorded pids, and
// a shape comparison of a live answer with the real mgr's answer that knows which keys are data.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { missingMessage, probe } from "../_needs.ts";
import type { Test } from "uvu";
import { cleanup, ROOT, tempDir, type TestDaemon } from "../_util.ts";
import { freePort } from "../modules/_support.ts";

export const SCRIPT = join(ROOT, "scripts", "ceph-dev-cluster.sh");

/** mgr.json's `cluster` section for a daemon attached to `lab`. */
export function cephBackend(lab: DevCluster) {
  return { backend: "ceph", ceph: { conf: lab.conf, keyring: lab.keyring, name: "client.admin" } };
}

/** A test file's live cluster and the tsmgr daemon attached to it; reading either throws what failed at start. */
export interface CephLab {
  readonly lab: DevCluster;
  readonly d: TestDaemon;
  readonly dir: string;
}

/**
 * Starts one dev cluster for the suite and, in a temp dir, the daemon `start` makes on it; stops
 * both after the suite. uvu swallows an error thrown by a before hook, so a failed start is kept
 * and thrown by every test that reads `lab` or `d` instead.
 */
export function useCephLab(suite: Test, start: (lab: DevCluster, dir: string) => Promise<TestDaemon>): CephLab {
  let lab: DevCluster | undefined;
  let d: TestDaemon | undefined;
  let dir = "";
  let startError: Error | undefined;
  suite.before(async () => {
    try {
      lab = await startDevCluster(1);
      dir = tempDir();
      d = await start(lab, dir);
    } catch (e) {
      startError = e as Error;
    }
  });
  suite.after(async () => {
    await d?.stop();
    if (dir) cleanup(dir);
    await lab?.purge();
  });
  const started = <T>(v: T | undefined): T => {
    if (startError) throw startError;
    return v!;
  };
  return {
    get lab() {
      return started(lab);
    },
    get d() {
      return started(d);
    },
    get dir() {
      return started(dir);
    },
  };
}
/** The real mgr's answers (shared/fixtures/ceph-16.2.15/mgr-get, copied into runtime/cluster/fixtures). */
export const MGR_GET = join(ROOT, "runtime", "cluster", "fixtures", "mgr-get");

/** Throws (the test fails, it is not skipped) when this machine cannot run a Ceph cluster. */
export function requireCeph(): void {
  const why = probe("ceph");
  if (why) throw new Error(`this test file ${missingMessage("ceph", why)}`);
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 240_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      SCRIPT,
      args,
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

export interface DevCluster {
  dir: string;
  conf: string;
  keyring: string;
  /** `ceph -c CONF ARGS...`, its stdout */
  ceph(...args: string[]): string;
  /** stops one daemon (SIGTERM, by its recorded pid) */
  stop(name: string): Promise<void>;
  /** `up` again: restarts whatever is not running and waits until the cluster is healthy */
  up(): Promise<void>;
  /** `purge`: stops every daemon by pid and removes the folder */
  purge(): Promise<void>;
}

/** Starts a fresh 1-OSD memstore cluster in a temp dir; throws with the script's log when it cannot. */
export async function startDevCluster(numOsds = 1): Promise<DevCluster> {
  requireCeph();
  const base = tempDir("tsmgr-ceph-");
  const dir = join(base, "c1");
  const env = {
    MON_V2_PORT: String(await freePort()),
    MON_V1_PORT: String(await freePort()),
    NUM_OSDS: String(numOsds),
    PG_AUTOSCALE: "off",
  };
  let purged = false;
  // a test process that dies anyway must not leave daemons behind: SIGKILL whatever pid is recorded
  const reap = () => {
    if (purged) return;
    const runDir = join(dir, "run");
    if (!existsSync(runDir)) return;
    for (const f of readdirSync(runDir).filter((f) => f.endsWith(".pid"))) {
      try {
        process.kill(Number(readFileSync(join(runDir, f), "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", reap);
  const cluster: DevCluster = {
    dir,
    conf: join(dir, "ceph.conf"),
    keyring: join(dir, "keyring"),
    ceph: (...args) =>
      execFileSync("ceph", ["-c", join(dir, "ceph.conf"), "--connect-timeout", "10", ...args], {
        encoding: "utf8",
        timeout: 60_000,
      }),
    stop: async (name) => {
      const r = await run(["stop", dir, name], env);
      if (r.code !== 0) throw new Error(`ceph-dev-cluster.sh stop ${name} failed: ${r.out.slice(-1500)}`);
    },
    up: async () => {
      const r = await run(["up", dir], env);
      if (r.code !== 0) throw new Error(`ceph-dev-cluster.sh up failed: ${r.out.slice(-1500)}`);
    },
    purge: async () => {
      if (purged) return;
      await run(["purge", dir], env);
      purged = true;
      process.removeListener("exit", reap);
      execFileSync("rm", ["-rf", base]);
    },
  };
  try {
    await cluster.up();
  } catch (e) {
    await cluster.purge();
    throw e;
  }
  return cluster;
}

/** `text` cut to `max` characters, saying how much was left out: a failing assertion stays readable. */
export function brief(text: string, max = 1200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

// ---- live shapes against the real mgr's ----

type Shape = Map<string, Set<string>>;

/** Object keys that are data, not field names: ids, pgids, addresses, host-ish names in maps keyed by them. */
function isDataKey(key: string, parent: string): boolean {
  return (
    /^\d+$/.test(key) || /^\d+\.[0-9a-f]+$/.test(key) || /[:/]/.test(key) || DATA_KEYED.some((k) => parent.endsWith(k))
  );
}

/** Objects whose keys are data (PG states, module options, service and daemon names). */
const DATA_KEYED = [".by_osd.*", ".by_pool.*", "$.all", "$.services", ".daemons", ".module_options"];

/**
 * Path → JSON types (int and float apart, by their spelling), over EVERY array element, with
 * data keys collapsed to "*": a live cluster with one OSD and the capture's two have one shape.
 */
export function liveShape(text: string): Shape {
  const shape: Shape = new Map();
  let i = 0;
  const put = (path: string, type: string) => {
    let s = shape.get(path);
    if (!s) shape.set(path, (s = new Set()));
    s.add(type);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i]!;
    if (c === "{") {
      put(path, "object");
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        const key = str();
        ws();
        i++;
        value(`${path}.${isDataKey(key, path) ? "*" : key}`);
        ws();
        if (text[i++] === "}") return;
      }
    }
    if (c === "[") {
      put(path, "array");
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(`${path}[]`);
        ws();
        if (text[i++] === "]") return;
      }
    }
    if (c === '"') {
      str();
      return put(path, "string");
    }
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 40))!;
    i += m[0].length;
    if (m[1] === "true" || m[1] === "false") return put(path, "bool");
    if (m[1] === "null") return put(path, "null");
    put(path, m[2] || m[3] ? "float" : "int");
  };
  value("$");
  return shape;
}

export interface LiveShapeReport {
  total: number;
  matched: number;
  /** paths of the reference whose container is empty in ours (no data to compare, e.g. no blocklist) */
  skipped: string[];
  mismatches: string[];
}

/**
 * Every path of `reference` must be in `ours` with one of the same types, unless the container
 * holding it is empty in ours. Both directions: a path only ours has is a mismatch too, unless the
 * reference's container there is empty (a capture without filesystems vs a live one with some).
 */
export function compareLive(reference: string, ours: string): LiveShapeReport {
  const want = liveShape(reference);
  const have = liveShape(ours);
  const mismatches: string[] = [];
  const skipped: string[] = [];
  let total = 0;
  const emptyIn = (shape: Shape, path: string) => {
    // the nearest ancestor that `shape` has: empty if nothing of `shape` lies below it
    let p = path;
    for (;;) {
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (cut <= 0) return false;
      p = p.slice(0, cut);
      if (shape.has(p))
        return ![...shape.keys()].some(
          (k) => k.length > p.length && k.startsWith(p) && (k[p.length] === "." || k[p.length] === "["),
        );
    }
  };
  for (const [path, types] of want) {
    total += 1;
    const got = have.get(path);
    if (!got) {
      if (emptyIn(have, path)) skipped.push(path);
      else mismatches.push(`${path}: missing (want ${[...types].join("|")})`);
      continue;
    }
    const bad = [...got].filter((t) => !types.has(t));
    if (bad.length) mismatches.push(`${path}: want ${[...types].join("|")}, got ${[...got].join("|")}`);
  }
  for (const [path, types] of have) {
    if (want.has(path) || emptyIn(want, path)) continue;
    mismatches.push(`${path}: only ours has it (${[...types].join("|")})`);
  }
  return { total, matched: total - mismatches.filter((m) => !m.includes("only ours")).length, skipped, mismatches };
}

/** The reference answer for a data name, or undefined if the capture has none. */
export function reference(name: string): string | undefined {
  const f = join(MGR_GET, `get.${name}.json`);
  return existsSync(f) ? readFileSync(f, "utf8") : undefined;
}
