// Ceph's own tools against a real tsmgr daemon: the `ceph` binary (Debian's ceph-common) asks
// the admin socket for get_command_descriptions, validates the words against them, and sends
// the command in Ceph's admin-socket protocol.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { missingMessage } from "../_needs.ts";
import { useDaemon } from "../_daemon.ts";
import type { TestDaemon } from "../_util.ts";

const CEPH = "/usr/bin/ceph";
const daemons = useDaemon(test);

function ceph(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CEPH, args, { timeout: 20_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const daemon = (): Promise<TestDaemon> => daemons.start();

if (!existsSync(CEPH)) {
  // npm test leaves this file out when Ceph is missing (test/_needs.ts); run anyway, it fails saying so
  test("the ceph binary is installed", () => {
    throw new Error(missingMessage("ceph", `no ${CEPH}`));
  });
} else {
  test("ceph --admin-daemon PATH status prints the daemon's status, as JSON like a Ceph daemon's", async () => {
    const t = await daemon();
    const out = await ceph(["--admin-daemon", t.asokPath, "status"]);
    assert.is(out.code, 0, out.stderr);
    const ours = JSON.parse((await t.command(["status"], { format: "json" })).stdout) as object;
    assert.equal(Object.keys(JSON.parse(out.stdout) as object), Object.keys(ours));
    assert.match(out.stdout, /^\{\n {4}"/, "json-pretty, Ceph's default on an admin socket");
    const json = await ceph(["--admin-daemon", t.asokPath, "status", "-f", "json"]);
    assert.equal(Object.keys(JSON.parse(json.stdout) as object), Object.keys(ours));
  });

  test("ceph daemon PATH help, a command with arguments, and an unknown command", async () => {
    const t = await daemon();
    const help = await ceph(["daemon", t.asokPath, "help"]);
    assert.is(help.code, 0, help.stderr);
    assert.ok((JSON.parse(help.stdout) as { prefix: string }[]).some((c) => c.prefix === "status"));
    const set = await ceph(["--admin-daemon", t.asokPath, "config-key", "set", "a/b", "v1"]);
    assert.is(set.code, 0, set.stderr);
    assert.is((await t.command(["config-key", "get", "a/b"])).stdout, "v1");
    const bad = await ceph(["--admin-daemon", t.asokPath, "no-such-command"]);
    assert.is(bad.code, 22);
    assert.match(bad.stderr, /admin_socket: invalid command/);
  });

  test("a failing command prints Ceph's ERROR preamble with the errno and the message", async () => {
    const t = await daemon();
    const out = await ceph(["--admin-daemon", t.asokPath, "config-key", "get", "no/such/key"]);
    const ours = await t.command(["config-key", "get", "no/such/key"]);
    assert.ok(ours.retval < 0);
    assert.is(out.stdout, `ERROR: (${-ours.retval}) No such file or directory\n${ours.stderr}\n${ours.stdout}`);
  });
}

test.run();
