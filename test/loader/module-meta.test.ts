// What a module class declares is checked at load: a typo that would silently do nothing (a
// notify type notify() never receives, a misspelt command or option field) is a load error
// that names the likely intended word.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkMeta, NOTIFY_TYPES } from "../../runtime/daemon/module-meta.ts";
import type { ModuleMeta } from "../../runtime/sandbox/index.ts";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, writeFiles } from "../_util.ts";

const meta = (m: Partial<Record<"commands" | "options" | "notifyTypes", unknown>>): ModuleMeta => ({
  activeKind: "active",
  standbyKind: "none",
  ...(m.commands !== undefined && { commands: JSON.stringify(m.commands) }),
  ...(m.options !== undefined && { options: JSON.stringify(m.options) }),
  ...(m.notifyTypes !== undefined && { notifyTypes: JSON.stringify(m.notifyTypes) }),
});

const loadError = (m: ModuleMeta): string => {
  try {
    checkMeta("hello", "modules/hello.ts", m);
  } catch (e) {
    assert.is((e as Error).name, "ModuleLoadError");
    return (e as Error).message;
  }
  throw new Error("checkMeta accepted it");
};

test("an unknown NOTIFY_TYPES entry is a load error suggesting the known type", () => {
  assert.is(
    loadError(meta({ notifyTypes: ["health", "osd_mapp"] })),
    `module hello: NOTIFY_TYPES[1] "osd_mapp" is not a notification type (did you mean "osd_map"?): known types are ${NOTIFY_TYPES.join(", ")}`,
  );
});

test("a NOTIFY_TYPES entry far from every type is refused without a suggestion", () => {
  assert.is(
    loadError(meta({ notifyTypes: ["everything"] })),
    `module hello: NOTIFY_TYPES[0] "everything" is not a notification type: known types are ${NOTIFY_TYPES.join(", ")}`,
  );
});

test("a NOTIFY_TYPES entry that is not a string is a load error (it was dropped silently)", () => {
  assert.is(
    loadError(meta({ notifyTypes: [7] })),
    'module hello: NOTIFY_TYPES[0] must be a notification type name such as "osd_map", got 7',
  );
});

test("every notify type the SDK declares is accepted, and no other", () => {
  const sdk = readFileSync(join(ROOT, "sdk", "types.ts"), "utf8");
  const union = /export type NotifyType =([^;]*);/.exec(sdk)![1]!;
  const declared = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]!);
  assert.equal([...NOTIFY_TYPES].sort(), declared.sort());
  const checked = checkMeta("hello", "modules/hello.ts", meta({ notifyTypes: declared }));
  assert.equal([...checked.notifyTypes].sort(), declared.sort());
});

test("an unknown field in a COMMANDS entry is a load error suggesting the field", () => {
  assert.is(
    loadError(meta({ commands: [{ cmd: "hello", desc: "greets", prem: "w" }] })),
    'module hello: COMMANDS[0] has an unknown field "prem" (did you mean "perm"?): a command is {cmd, desc, perm}',
  );
  assert.is(
    loadError(meta({ commands: [{ cmd: "hello", descr: "greets" }] })),
    'module hello: COMMANDS[0] has an unknown field "descr" (did you mean "desc"?): a command is {cmd, desc, perm}',
  );
});

test("a COMMANDS desc that is not a string is a load error", () => {
  assert.is(
    loadError(meta({ commands: [{ cmd: "hello", desc: 5 }] })),
    "module hello: COMMANDS[0].desc must be a string (one line of help), got 5",
  );
});

test("a misspelt MODULE_OPTIONS field is a load error suggesting the field", () => {
  assert.match(
    loadError(meta({ options: [{ name: "greeting", defualt: "hi" }] })),
    /^module hello: MODULE_OPTIONS: module hello option "greeting": unknown field "defualt" \(did you mean "default"\?\): known fields are /,
  );
});

test("daemon reports a module whose NOTIFY_TYPES has a typo as failed, naming the type and the fix", async () => {
  const dir = tempDir();
  writeFiles(join(dir, "modules"), {
    "typo.ts": `import { MgrModule } from "@tsmgr/sdk";
export default class Typo extends MgrModule {
  static override NOTIFY_TYPES = ["osd_mapp"] as never;
}
`,
  });
  const d = await startTestDaemon(dir, { modules: { typo: { enabled: true } } });
  try {
    const s = await waitFor(() => d.modules().find((m) => m.name === "typo" && m.error), "the load error");
    assert.is(s.state, "failed");
    assert.match(
      s.error!.message,
      /NOTIFY_TYPES\[0\] "osd_mapp" is not a notification type \(did you mean "osd_map"\?\)/,
    );
  } finally {
    await d.stop();
    cleanup(dir);
  }
});

test.run();
