// The test kit itself (@tsmgr/sdk/testing): each control a module author uses, on a fixture
// module that follows osd_map into a health check and reports by remote() every period.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { harness, splitWords, type Harness } from "@tsmgr/sdk/testing";
import { ROOT, tempDir, writeFiles, cleanup } from "../_util.ts";

const WATCHER = join(ROOT, "test/fixtures/kit/watcher.ts");
let h: Harness | undefined;
test.after.each(async () => {
  await h?.close();
  h = undefined;
});

test("harness: an OSD taken down in the sim reaches the module's notify() and its health check", async () => {
  h = await harness(WATCHER, { cluster: { hosts: 3, osdsPerHost: 4, seed: 7 }, grants: { remote: ["progress"] } });
  assert.equal(await h.health(), {});
  const seen = h.notified("osd_map");
  h.cluster.osdDown(3);
  await seen;
  assert.is((await h.command("watcher down")).stdout, "[3]");
  const checks = await h.health();
  assert.is(checks.WATCHER_OSD_DOWN?.severity, "HEALTH_WARN");
  assert.equal(checks.WATCHER_OSD_DOWN?.detail, [{ message: "osd.3 is down" }]);
});

test("harness: notified() rejects naming NOTIFY_TYPES when no notify of that type comes", async () => {
  h = await harness(WATCHER, { grants: { remote: ["progress"] } });
  const err = await h.notified("pg_summary", 200).catch((e: Error) => e);
  assert.match(String(err), /no "pg_summary" notify within 200 ms: is "pg_summary" in its static NOTIFY_TYPES/);
});

test("harness: advance() runs a serve() loop of one-minute sleeps for an hour, calling a stubbed remote() each round", async () => {
  h = await harness(WATCHER, { grants: { remote: ["progress"] } });
  const stub = h.stubRemote("progress", { update: (n: number) => ({ ok: n > 0 }) });
  await h.advance(60 * 60_000);
  assert.is(stub.calls.length, 60);
  assert.equal(stub.calls[0], { method: "update", args: [1, "round"] });
  assert.equal(await h.store(), { rounds: "60:true" });
});

test("harness: options given are what the module reads from its first moment", async () => {
  h = await harness(WATCHER, { options: { period: 10 }, grants: { remote: ["progress"] } });
  const stub = h.stubRemote("progress", { update: () => ({ ok: true }) });
  await h.advance(60_000);
  assert.is(stub.calls.length, 6);
});

test("harness: remote() to a stub still needs the grant", async () => {
  h = await harness(WATCHER);
  h.stubRemote("progress", { update: () => ({ ok: true }) });
  await h.advance(60_000);
  assert.ok(
    h.logs.some((l) =>
      /PermissionDenied: module "watcher" may not call progress\.update\(\).*modules\.watcher\.allow\.remote/.test(
        l.msg,
      ),
    ),
    JSON.stringify(h.logs),
  );
  assert.equal(await h.store(), {});
});

test("harness: a stub's throw reaches the module as its error", async () => {
  h = await harness(WATCHER, { grants: { remote: ["progress"] } });
  h.stubRemote("progress", {
    update: () => {
      throw new RangeError("no such event");
    },
  });
  await h.advance(60_000);
  assert.ok(
    h.logs.some((l) => /RangeError: no such event/.test(JSON.stringify(l))),
    JSON.stringify(h.logs),
  );
});

test("harness: a module that fails to start rejects with its error", async () => {
  const dir = tempDir();
  try {
    writeFiles(dir, {
      "broken.ts": `import { MgrModule } from "@tsmgr/sdk";\nexport default class B extends MgrModule { constructor() { super(); throw new Error("boom at start"); } }\n`,
    });
    const err = await harness(join(dir, "broken.ts")).catch((e: Error) => e);
    assert.match(
      String(err),
      /module broken is enabled but failed to start: .*Error: boom at start \(at .*broken\.ts:2:\d+\)/,
    );
  } finally {
    cleanup(dir);
  }
});

test("harness: an option the module does not declare is refused, naming the declared ones", async () => {
  const err = await harness(WATCHER, { options: { perod: 5 } }).catch((e: Error) => e);
  assert.match(String(err), /no option "perod": its options are period/);
});

test("harness: a path with no module says where it looked", async () => {
  const err = await harness("modules/nope").catch((e: Error) => e);
  assert.match(String(err), /no module at "modules\/nope" \(resolved to .*modules\/nope from /);
});

test("splitWords keeps quoted words whole", () => {
  assert.equal(splitWords(`selftest health set '{"A": {"x": 1}}'`), ["selftest", "health", "set", '{"A": {"x": 1}}']);
  assert.equal(splitWords(`  hello   "bob smith" `), ["hello", "bob smith"]);
  assert.throws(() => splitWords(`hello "bob`), /unclosed "/);
});

test.run();
