// A module's store keys and options are read from a mirror inside its isolate: it must stay
// current for every source of change (the module's own writes, config-key set, config set,
// another daemon), keep read-your-write and the quotas, and serve the localized forms as Ceph.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

let dir = "";
const daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons.splice(0).reverse()) await d.stop().catch(() => {});
  cleanup(dir);
});

async function start(extra: Record<string, unknown> = {}): Promise<TestDaemon> {
  mkdirSync(join(dir, "modules"), { recursive: true });
  copyFileSync(join(ROOT, "test", "fixtures", "mirror", "mirror_user.ts"), join(dir, "modules", "mirror_user.ts"));
  const d = await startTestDaemon(dir, {
    modules: { mirror_user: { enabled: true, store: { maxKeys: 3 } } },
    ...extra,
  });
  daemons.push(d);
  return d;
}

const out = async (d: TestDaemon, argv: string[]) => {
  const r = await d.command(argv);
  assert.is(r.retval, 0, `${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

test("the mirror follows config-key set and rm while the module keeps reading", async () => {
  dir = tempDir();
  const d = await start();
  assert.is(await out(d, ["mu", "get", "a"]), "<none>");
  await out(d, ["config-key", "set", "mgr/mirror_user/a", "one"]);
  assert.is(await out(d, ["mu", "get", "a"]), "one");
  assert.equal(JSON.parse(await out(d, ["mu", "prefix", ""])), { a: "one" });
  await out(d, ["config-key", "rm", "mgr/mirror_user/a"]);
  assert.is(await out(d, ["mu", "get", "a"]), "<none>");
  assert.equal(JSON.parse(await out(d, ["mu", "prefix", ""])), {});
});

test("a module's own write is readable before and after it resolves, and the quota still holds", async () => {
  dir = tempDir();
  const d = await start();
  assert.equal(JSON.parse(await out(d, ["mu", "setget", "k1", "v1"])), { during: "v1", after: "v1" });
  await out(d, ["mu", "setget", "k2", "v2"]);
  await out(d, ["mu", "setget", "k3", "v3"]);
  const r = await d.command(["mu", "setget", "k4", "v4"]);
  assert.match(r.stderr, /LimitExceeded: .*maxKeys/);
  assert.is(await out(d, ["mu", "get", "k4"]), "<none>", "a refused write never reaches the mirror");
  assert.equal(Object.keys(JSON.parse(await out(d, ["mu", "prefix", "k"]))), ["k1", "k2", "k3"]);
});

test("options follow config set and rm, typed, and a localized value wins for its daemon only", async () => {
  dir = tempDir();
  const d = await start();
  assert.equal(JSON.parse(await out(d, ["mu", "opt", "port"])), { v: 8080 });
  await out(d, ["config", "set", "mgr", "mgr/mirror_user/port", "9000"]);
  assert.equal(JSON.parse(await out(d, ["mu", "opt", "port"])), { v: 9000 });
  assert.equal(
    JSON.parse(await out(d, ["mu", "lopt", "port"])),
    { v: 9000 },
    "no localized value: the module-wide one",
  );
  await out(d, ["config", "set", "mgr", `mgr/mirror_user/${d.config.id}/port`, "9100"]);
  assert.equal(JSON.parse(await out(d, ["mu", "lopt", "port"])), { v: 9100 });
  assert.equal(JSON.parse(await out(d, ["mu", "opt", "port"])), { v: 9000 }, "the module-wide value is unchanged");
  await out(d, ["config", "set", "mgr", "mgr/mirror_user/other/port", "9200"]);
  assert.equal(
    JSON.parse(await out(d, ["mu", "lopt", "port"])),
    { v: 9100 },
    "another daemon's value does not apply here",
  );
  const bad = await d.command(["config", "set", "mgr", `mgr/mirror_user/${d.config.id}/port`, "70000"]);
  assert.is(bad.retval, -22);
  assert.match(bad.stderr, /above the maximum 65535/);
  await out(d, ["config", "rm", "mgr", "mgr/mirror_user/port"]);
  assert.equal(JSON.parse(await out(d, ["mu", "opt", "port"])), { v: 8080 });
});

test("localized store and options written by the module land under its daemon id, falling back as Ceph", async () => {
  dir = tempDir();
  const d = await start();
  await out(d, ["config-key", "set", "mgr/mirror_user/crt", "shared"]);
  assert.is(await out(d, ["mu", "lget", "crt"]), "shared", "no localized key: the plain one");
  assert.is(await out(d, ["mu", "lset", "crt", "mine"]), "mine");
  assert.is((await d.command(["config-key", "get", `mgr/mirror_user/${d.config.id}/crt`])).stdout, "mine");
  assert.is(await out(d, ["mu", "get", "crt"]), "shared");
  assert.equal(JSON.parse(await out(d, ["mu", "loptset", "port", "7000"])), { v: 7000 });
  assert.equal(JSON.parse(await out(d, ["mu", "opt", "port"])), { v: 8080 });
  assert.match((await d.command(["mu", "loptset", "port", "0"])).stderr, /RangeError: .*below the minimum 1/);
});

test("a standby reads the store and localized options read-only, kept current by the active's writes", async () => {
  dir = tempDir();
  const active = await start({ http: { listen: "" } });
  const standby = await start({ id: "s", http: { listen: "" } });
  assert.is(standby.isActive(), false);
  const refused = await waitFor(
    () => standby.logs.find((l) => l.module === "mirror_user" && l.msg.startsWith("REFUSED ")),
    "the standby's refusals",
  );
  assert.equal(JSON.parse(refused.msg.slice("REFUSED ".length)), {
    setStore: "PermissionDenied",
    setLocalizedStore: "PermissionDenied",
    setLocalizedModuleOption: "PermissionDenied",
    getStorePrefix: "PermissionDenied",
  });
  await out(active, ["config-key", "set", "mgr/mirror_user/watch", "w1"]);
  await out(active, ["config-key", "set", "mgr/mirror_user/s/where", "standby-only"]);
  await out(active, ["config", "set", "mgr", "mgr/mirror_user/s/port", "9300"]);
  const want = JSON.stringify({ watch: "w1", local: "standby-only", port: 9300 });
  await waitFor(
    () => standby.logs.find((l) => l.module === "mirror_user" && l.msg === `SEEN ${want}`),
    "the standby seeing the active's writes",
    8000,
  );
});

test.run();
