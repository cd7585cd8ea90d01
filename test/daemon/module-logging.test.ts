// The options Ceph gives every module (log_level, log_to_cluster, log_to_cluster_level,
// log_to_file) and the module's view of the release (version, releaseName).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { useDaemon } from "../_daemon.ts";
import { waitFor } from "../_util.ts";

const daemons = useDaemon(test);

const CHATTY = `import { MgrModule } from "@tsmgr/sdk";
export default class Chatty extends MgrModule {
  static COMMANDS = [
    { cmd: "chatty say name=tag,type=CephString", desc: "log one line at each level", perm: "r" as const },
    { cmd: "chatty release", desc: "version and release name", perm: "r" as const },
  ];
  async handleCommand(_i: string, cmd: { prefix: string; tag?: string }) {
    if (cmd.prefix === "chatty release") return { retval: 0, stdout: this.version + " " + this.releaseName, stderr: "" };
    for (const l of ["debug", "info", "warn", "error"] as const) this.log[l](l + " " + cmd.tag);
    return { retval: 0, stdout: "", stderr: "" };
  }
}`;

const lines = (d: Awaited<ReturnType<typeof daemons.start>>, tag: string) =>
  d.logs
    .filter((l) => l.module === "chatty" && typeof l.msg === "string" && l.msg.endsWith(` ${tag}`))
    .map((l) => l.msg.split(" ")[0]);

test("every module has Ceph's log options, and log_level filters the module's own lines", async () => {
  const d = await daemons.start({ files: { "chatty.ts": CHATTY } });
  assert.is((await d.command(["config", "get", "mgr", "mgr/chatty/log_level"])).stdout, "");
  assert.is((await d.command(["config", "get", "mgr", "mgr/chatty/log_to_cluster_level"])).stdout, "info");
  await d.command(["chatty", "say", "a"]);
  assert.equal(lines(d, "a"), ["debug", "info", "warn", "error"]);
  assert.is((await d.command(["config", "set", "mgr", "mgr/chatty/log_level", "warning"])).retval, 0);
  await d.command(["chatty", "say", "b"]);
  assert.equal(lines(d, "b"), ["warn", "error"]);
  const bad = await d.command(["config", "set", "mgr", "mgr/chatty/log_level", "loud"]);
  assert.is(bad.retval, -22, "a level Ceph does not know is refused");
});

test("log_to_cluster sends the module's lines at or above log_to_cluster_level to the cluster log", async () => {
  const d = await daemons.start({ files: { "chatty.ts": CHATTY } });
  assert.is((await d.command(["config", "set", "mgr", "mgr/chatty/log_to_cluster", "true"])).retval, 0);
  assert.is((await d.command(["config", "set", "mgr", "mgr/chatty/log_to_cluster_level", "warning"])).retval, 0);
  await d.command(["chatty", "say", "c"]);
  const last = await waitFor(async () => {
    const out = (await d.command(["log", "last", "50"])).stdout;
    return out.includes("[chatty] error c") ? out : undefined;
  }, "the module's lines in the cluster log");
  assert.ok(last.includes("[chatty] warn c"), last);
  assert.not.ok(last.includes("[chatty] info c"), last);
});

test("a module sees the Ceph release it runs against: version and releaseName", async () => {
  const d = await daemons.start({ files: { "chatty.ts": CHATTY } });
  assert.is((await d.command(["chatty", "release"])).stdout, "16.2.15 pacific");
});

test.run();
