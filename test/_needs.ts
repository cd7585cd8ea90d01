// Test files that need a program from the system, not from npm: a real etcd server, Chromium, a
// Ceph cluster's daemons. `npm test` (scripts/test.ts) probes for them once and, when one is
// missing, leaves its files out, saying so loudly with the apt line that brings it; with
// TSMGR_REQUIRE_ALL=1 (CI: .ci/run) it runs them anyway, they fail with that line, and so does the run.
// Run directly (uvu), such a file fails naming what to install.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export type SystemProgram = "etcd" | "chromium" | "ceph" | "ceph-argparse";

/** Each program: what it is for, the apt line that brings it, and the test files (paths under test/) that need it. */
export const SYSTEM_PROGRAMS: Record<SystemProgram, { what: string; install: string; files: RegExp }> = {
  etcd: {
    what: "a real etcd server (3.4 or later)",
    install: "sudo apt-get install -y etcd-server",
    files: /^etcd\/.*\.test\.ts$/,
  },
  chromium: {
    what: "Chromium, for the dashboard in a real browser",
    install: "sudo apt-get install -y chromium",
    files: /^modules\/dashboard-browser\.test\.ts$/,
  },
  ceph: {
    what: "Ceph's daemons and python3-rados, for a real single-node cluster",
    install: "sudo apt-get install -y --no-install-recommends ceph-mon ceph-mgr ceph-osd ceph-common python3-rados",
    // every real-cluster file (views.test.ts needs no cluster), and the `ceph` CLI against a daemon
    files: /^(ceph\/(?!views\.)[^/]+|http\/ceph-cli)\.test\.ts$/,
  },
  "ceph-argparse": {
    what: "Ceph's own command parser (ceph_argparse for /usr/bin/python3), to regenerate a sample of the argparse corpus live",
    install: "sudo apt-get install -y python3-ceph-argparse",
    files: /^commands\/ceph-argparse-live\.test\.ts$/,
  },
};

/** The programs a Ceph dev cluster (scripts/ceph-dev-cluster.sh) runs. */
const CEPH_TOOLS = ["ceph-mon", "ceph-mgr", "ceph-osd", "ceph", "ceph-authtool", "monmaptool", "uuidgen"];

export function requireAll(): boolean {
  return process.env.TSMGR_REQUIRE_ALL === "1";
}

export function onPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(":")
    .map((d) => join(d || ".", name))
    .find((f) => existsSync(f));
}

/** The etcd binary: $TSMGR_TEST_ETCD, else `etcd` on PATH. */
export function etcdPath(): string | undefined {
  const env = process.env.TSMGR_TEST_ETCD;
  return env ? (existsSync(env) ? env : undefined) : onPath("etcd");
}

/** The browser: $TSMGR_TEST_CHROMIUM, else `chromium` on PATH. */
export function chromiumPath(): string | undefined {
  const env = process.env.TSMGR_TEST_CHROMIUM;
  return env ? (existsSync(env) ? env : undefined) : onPath("chromium");
}

/** What is missing for `program` on this machine (probed now), or undefined when it is all there. */
export function probe(program: SystemProgram): string | undefined {
  const pretend = (process.env.TSMGR_TEST_PRETEND_MISSING ?? "").split(",");
  if (pretend.includes(program)) return `TSMGR_TEST_PRETEND_MISSING names ${program}`;
  switch (program) {
    case "etcd":
      return etcdPath()
        ? undefined
        : process.env.TSMGR_TEST_ETCD
          ? `TSMGR_TEST_ETCD=${process.env.TSMGR_TEST_ETCD} does not exist`
          : "no etcd on PATH";
    case "chromium":
      return chromiumPath()
        ? undefined
        : process.env.TSMGR_TEST_CHROMIUM
          ? `TSMGR_TEST_CHROMIUM=${process.env.TSMGR_TEST_CHROMIUM} does not exist`
          : "no chromium on PATH";
    case "ceph": {
      const missing = CEPH_TOOLS.filter((b) => !onPath(b));
      try {
        execFileSync("/usr/bin/python3", ["-c", "import rados"], { stdio: "ignore" });
      } catch {
        missing.push("python3-rados (import rados with /usr/bin/python3)");
      }
      return missing.length ? `missing ${missing.join(", ")}` : undefined;
    }
    case "ceph-argparse":
      try {
        execFileSync("/usr/bin/python3", ["-c", "import ceph_argparse"], { stdio: "ignore" });
        return undefined;
      } catch {
        return "/usr/bin/python3 cannot import ceph_argparse";
      }
  }
}

/** The message of a skip or a failure for want of `program`. */
export function missingMessage(program: SystemProgram, why: string): string {
  const p = SYSTEM_PROGRAMS[program];
  return `needs ${p.what} (${why}): install it with \`${p.install}\``;
}
