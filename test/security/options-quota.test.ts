// Module options count against the module's store quota (issue 21 item 7): a module with a
// 5-key quota could store 119 MiB through 400 declared options, which lived outside the quota.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { cleanup, startTestDaemon, tempDir, type TestDaemon } from "../_util.ts";
import { HOSTILE } from "./_harness.ts";

let dir = "";
let d: TestDaemon | undefined;

test.before(async () => {
  dir = tempDir("tsmgr-optquota-");
  mkdirSync(join(dir, "modules"));
  for (const f of ["_lib.ts", "quota_options.ts", "canary.ts"]) copyFileSync(join(HOSTILE, f), join(dir, "modules", f));
  d = await startTestDaemon(dir, {
    modules: {
      canary: { enabled: true },
      quota_options: { enabled: true, store: { maxKeys: 5, maxValueBytes: 65536 } },
    },
  });
});
test.after(async () => {
  await d?.stop();
  cleanup(dir);
});

const optionKeys = async () => {
  const r = await d!.command(["config-key", "dump"], { format: "json" });
  return Object.keys(JSON.parse(r.stdout) as Record<string, string>).filter((k) =>
    k.startsWith("config/mgr/mgr/quota_options/"),
  );
};

test("setModuleOption beyond the module's maxKeys is refused with LimitExceeded naming modules.NAME.store.maxKeys, and nothing more is stored", async () => {
  const r = await d!.command(["quota_options", "fill"]);
  assert.is(r.retval, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { stored: number; threw?: { name: string; message: string } };
  assert.is(out.stored, 5, "five options fit the five-key quota");
  assert.is(out.threw?.name, "LimitExceeded");
  assert.match(
    out.threw!.message,
    'module "quota_options": setModuleOption("o5") would add a key beyond the limit of 5 keys',
  );
  assert.match(out.threw!.message, "modules.quota_options.store.maxKeys in mgr.json");
  assert.is((await optionKeys()).length, 5);
  assert.is((await d!.command(["canary", "ping"])).stdout, "pong");
});

test("an option value over maxValueBytes is refused with LimitExceeded naming modules.NAME.store.maxValueBytes, and the old value stays", async () => {
  const r = await d!.command(["quota_options", "big"]);
  const out = JSON.parse(r.stdout) as { threw?: { name: string; message: string } };
  assert.is(out.threw?.name, "LimitExceeded");
  assert.match(out.threw!.message, 'setModuleOption("o0"): the value is 102400 bytes, over the limit of 65536');
  assert.match(out.threw!.message, "modules.quota_options.store.maxValueBytes in mgr.json");
  assert.is((await d!.command(["config", "get", "mgr", "mgr/quota_options/o0"])).stdout.trim().length, 65536);
});

test.run();
