// One way for a test file to run in-process daemons: `useDaemon(test)` gives each test a fresh
// temp dir, starts daemons with the fixture modules it names (test/fixtures/modules) or module
// files it writes, and stops every daemon and removes the dir after each test.
import type { Test } from "uvu";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, writeFiles, type TestDaemon } from "./_util.ts";

export const FIXTURE_MODULES = join(ROOT, "test", "fixtures", "modules");

export interface DaemonSetup {
  /** fixture modules (test/fixtures/modules/NAME.ts) copied into the module path and enabled */
  fixtures?: string[];
  /** module files written into the module path, `{"NAME.ts": source}`; each NAME is enabled */
  files?: Record<string, string>;
  /** per-module mgr.json sections merged over `{enabled: true}` */
  modules?: Record<string, Record<string, unknown>>;
  /** other mgr.json fields (limits, cluster, election, id, http, ...) */
  config?: Record<string, unknown>;
}

export interface DaemonScope {
  /** this test's temp dir (made on first use) */
  readonly dir: string;
  /** starts a daemon in this test's dir (a second call shares the dir: a group of daemons) */
  start(setup?: DaemonSetup): Promise<TestDaemon>;
}

export function useDaemon(suite: Test): DaemonScope {
  let dir = "";
  const running: TestDaemon[] = [];
  suite.after.each(async () => {
    for (const d of running.splice(0).reverse()) await d.stop().catch(() => {});
    if (dir) cleanup(dir);
    dir = "";
  });
  const scope: DaemonScope = {
    get dir() {
      return (dir ||= tempDir());
    },
    async start(setup = {}) {
      const modulesDir = join(scope.dir, "modules");
      mkdirSync(modulesDir, { recursive: true });
      for (const n of setup.fixtures ?? []) copyFileSync(join(FIXTURE_MODULES, `${n}.ts`), join(modulesDir, `${n}.ts`));
      if (setup.files) writeFiles(modulesDir, setup.files);
      const names = [
        ...(setup.fixtures ?? []),
        ...Object.keys(setup.files ?? {}).map((f) => f.replace(/(\/index)?\.ts$/, "")),
      ];
      const modules = Object.fromEntries(names.map((n) => [n, { enabled: true }]));
      for (const [n, section] of Object.entries(setup.modules ?? {})) modules[n] = { enabled: true, ...section };
      const d = await startTestDaemon(scope.dir, {
        ...setup.config,
        modules: { ...(setup.config?.modules as object), ...modules },
      });
      running.push(d);
      return d;
    },
  };
  return scope;
}
