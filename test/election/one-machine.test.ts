// The README's one-machine standby recipe with the shipped modules: two daemons sharing one
// mgr.json and one data dir, each with its own addresses under daemons.ID, the dashboard and
// prometheus serving on whichever daemon is active, before and after `mgr fail`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../runtime/config/index.ts";
import { startDaemon, type Daemon } from "../../runtime/daemon/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { cleanup, ROOT, tempDir, waitFor } from "../_util.ts";
import { freePort } from "../modules/_support.ts";

let dir = "";
let daemons: Daemon[] = [];
test.after.each(async () => {
  for (const d of daemons.reverse()) await d.stop();
  daemons = [];
  cleanup(dir);
});

const quiet = () => createLogger({ level: "error", destination: { write: () => {} } });

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { redirect: "manual" })).status;
  } catch {
    return 0;
  }
}

test("two daemons on one machine share one mgr.json: the shipped modules serve on the active's addresses, and on the new active's after mgr fail", async () => {
  dir = tempDir();
  const [dx, dy, px, py] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const file = join(dir, "mgr.json");
  writeFileSync(
    file,
    JSON.stringify({
      id: "x",
      modulePath: join(ROOT, "modules"),
      dataDir: "data",
      hotReload: false,
      http: { listen: "" },
      election: { backend: "sqlite", leaseMs: 600 },
      cluster: { sim: { hosts: 2, osdsPerHost: 2, tickMs: 0 } },
      modules: {
        dashboard: { enabled: true, allow: { net: [`127.0.0.1:${dx}`] } },
        prometheus: { enabled: true, allow: { net: [`127.0.0.1:${px}`] } },
      },
      daemons: {
        x: {},
        y: {
          modules: {
            dashboard: { allow: { net: [`127.0.0.1:${dy}`] } },
            prometheus: { allow: { net: [`127.0.0.1:${py}`] } },
          },
        },
      },
    }),
  );
  const x = await startDaemon(loadConfig(file, { id: "x" }), { logger: quiet() });
  daemons.push(x);
  const y = await startDaemon(loadConfig(file, { id: "y" }), { logger: quiet() });
  daemons.push(y);
  assert.ok(x.isActive() && !y.isActive());
  await waitFor(async () => (await status(`http://127.0.0.1:${px}/metrics`)) === 200, "prometheus on x");
  await waitFor(async () => (await status(`http://127.0.0.1:${dx}/`)) === 200, "the dashboard on x");
  assert.is(x.mgrMap().services.dashboard, `http://127.0.0.1:${dx}/`);
  // the standby's modules answer on y's own addresses (a redirect / standby answer, not a clash)
  await waitFor(async () => (await status(`http://127.0.0.1:${dy}/`)) !== 0, "the standby dashboard on y");
  assert.ok(
    x.modules().every((m) => !m.enabled || m.state === "active"),
    JSON.stringify(x.modules().map((m) => [m.name, m.state, m.error?.message])),
  );

  assert.is((await x.command(["mgr", "fail"])).retval, 0);
  await waitFor(() => y.isActive(), "y to take over");
  await waitFor(async () => (await status(`http://127.0.0.1:${py}/metrics`)) === 200, "prometheus on y", 10_000);
  await waitFor(async () => (await status(`http://127.0.0.1:${dy}/`)) === 200, "the dashboard on y", 10_000);
  await waitFor(() => y.mgrMap().services.dashboard === `http://127.0.0.1:${dy}/`, "y's dashboard URI published");
  assert.ok(
    y.modules().every((m) => !m.enabled || m.state === "active"),
    JSON.stringify(y.modules().map((m) => [m.name, m.state, m.error?.message])),
  );
});

test.run();
