// Helpers of the progress and pg_autoscaler tests: a module folder holding the shipped modules
// under test (and their shared _lib) plus a fixture that calls the progress module as Ceph's
// modules do, and a daemon on a simulated cluster that runs them.
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startTestDaemon, waitFor, type TestDaemon } from "../_util.ts";

export function portedModules(dir: string, names: string[]): string {
  const modules = join(dir, "modules");
  mkdirSync(modules, { recursive: true });
  for (const n of [...names, "_lib"]) cpSync(join(ROOT, "modules", n), join(modules, n), { recursive: true });
  cpSync(join(ROOT, "test/fixtures/modules/progress_caller.ts"), join(modules, "progress_caller.ts"));
  return modules;
}

/**
 * A daemon with progress, the caller, and (with `autoscaler`) pg_autoscaler, granted as the
 * shipped mgr.json grants them.
 */
export async function startPorted(
  dir: string,
  opts: { autoscaler?: boolean; config?: Record<string, unknown> } = {},
): Promise<TestDaemon> {
  const modules: Record<string, unknown> = {
    progress: { enabled: true },
    progress_caller: { enabled: true, allow: { remote: ["progress"] } },
    pg_autoscaler: {
      enabled: opts.autoscaler === true,
      allow: { commands: ["osd pool set", "config set"], remote: ["progress.update", "progress.complete"] },
    },
  };
  const d = await startTestDaemon(dir, {
    modulePath: portedModules(dir, ["progress", "pg_autoscaler"]),
    ...opts.config,
    modules,
  });
  const want = opts.autoscaler ? 3 : 2;
  await waitFor(
    () => d.modules().filter((m) => m.state === "active").length === want,
    `the ${want} modules to be active`,
    20_000,
  );
  return d;
}

/** remote("progress", method, ...args) from the caller module: its value or its error. */
export async function progressCall(
  d: TestDaemon,
  method: string,
  ...args: unknown[]
): Promise<{ value?: unknown; error?: { name: string; message: string } }> {
  const r = await d.command(["pcall", method, JSON.stringify(args)]);
  if (r.retval !== 0) throw new Error(`pcall ${method} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { value?: unknown; error?: { name: string; message: string } };
}

/** Sets one module option as an operator would (`tsmgr config set mgr mgr/MODULE/NAME VALUE`). */
export async function setOption(d: TestDaemon, module: string, name: string, value: string): Promise<void> {
  const r = await d.command(["config", "set", "mgr", `mgr/${module}/${name}`, value]);
  if (r.retval !== 0) throw new Error(`config set ${module}/${name} failed: ${r.stderr}`);
}
