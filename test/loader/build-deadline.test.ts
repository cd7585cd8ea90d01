// A build that does not finish is abandoned at its deadline with a load error, so a module's
// lock (and `module disable`, and the daemon's stop) never waits on it. The esbuild service is
// stopped (SIGSTOP) to make a build that cannot finish, whatever the machine's speed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ModuleBuilder } from "../../runtime/loader/index.ts";
import { cleanup, tempDir, writeFiles } from "../_util.ts";

/** The pids of this process's esbuild service children. */
function esbuildChildren(): number[] {
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat)!;
      if (comm === "esbuild" && Number(rest!.split(" ")[1]) === process.pid) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const MODULE = `import { MgrModule } from "@tsmgr/sdk";
export default class Slow extends MgrModule {}
`;

test("a build still running at its deadline is abandoned with a load error naming the module; the next build starts afresh", async () => {
  const dir = tempDir();
  const modules = join(dir, "modules");
  writeFiles(modules, { "slow.ts": MODULE });
  const b = new ModuleBuilder("slow", join(modules, "slow.ts"), modules, 300);
  let stopped: number[] = [];
  try {
    await b.build(); // starts the esbuild service
    stopped = esbuildChildren();
    assert.ok(stopped.length > 0, "found the esbuild service process");
    for (const pid of stopped) process.kill(pid, "SIGSTOP");
    try {
      await b.build();
      assert.unreachable("the build should have been abandoned");
    } catch (e) {
      assert.is((e as Error).name, "ModuleLoadError");
      assert.match((e as Error).message, /^module "slow": the build did not finish within 0\.3 s and was abandoned \(/);
      assert.match((e as Error).message, /check that the module's files are regular files/);
    }
    for (const pid of stopped) process.kill(pid, "SIGCONT");
    stopped = [];
    const again = await b.build();
    assert.ok(again.code.includes("Slow"), "a later build succeeds");
  } finally {
    for (const pid of stopped) process.kill(pid, "SIGCONT");
    await b.dispose();
    cleanup(dir);
  }
});

test.run();
