// Hot reload with a real watcher on real files: edits, broken saves, helper files, atomic
// renames, deletion, new modules, bursts of saves — and no isolate left behind.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, startTestDaemon, tempDir, waitFor, writeFiles, type TestDaemon } from "../_util.ts";

const ver = (v: string, name = "hr", extra = "") => `import { MgrModule } from "@tsmgr/sdk";
${extra}
export default class Hr extends MgrModule {
  static override COMMANDS = [{ cmd: "${name} ver", desc: "version", perm: "r" as const }];
  async handleCommand() { return { retval: 0, stdout: ${v}, stderr: "" }; }
}
`;

let dir = "";
let d: TestDaemon | undefined;
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

async function start(files: Record<string, string>, mods: string[]): Promise<TestDaemon> {
  writeFiles(join(dir, "modules"), files);
  return startTestDaemon(dir, {
    hotReload: true,
    modules: Object.fromEntries(mods.map((m) => [m, { enabled: true }])),
  });
}

const answers = async (argv: string[], want: string) => (await d!.command(argv)).stdout === want;

test("saving a module runs the new code; store and options survive the swap", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v1"') }, ["hr"]);
  assert.is((await d.command(["hr", "ver"])).stdout, "v1");
  const v1 = d.modules().find((m) => m.name === "hr")!.version;
  writeFileSync(join(dir, "modules", "hr.ts"), ver('"v2:" + (this.getStore("k") ?? "none")'));
  await d.command(["config-key", "set", "mgr/hr/k", "kept"]);
  await waitFor(() => answers(["hr", "ver"], "v2:kept"), "v2 answering with the stored value");
  const s = d.modules().find((m) => m.name === "hr")!;
  assert.is.not(s.version, v1);
  assert.is(s.error, null);
});

test("a syntax error keeps the old version answering and names the .ts line; a fix clears it", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v1"') }, ["hr"]);
  writeFileSync(join(dir, "modules", "hr.ts"), ver('"v99" stderr: ""; x'));
  const s = await waitFor(() => d!.modules().find((m) => m.name === "hr" && m.error), "the build error");
  assert.match(s.error!.message, /modules\/hr\.ts:5:\d+: Expected "}" but found "stderr"/);
  assert.is(s.state, "active");
  assert.is((await d.command(["hr", "ver"])).stdout, "v1");
  assert.match((await d.command(["health", "detail"])).stdout, /hr\.ts:5/);
  writeFileSync(join(dir, "modules", "hr.ts"), ver('"v3"'));
  await waitFor(() => answers(["hr", "ver"], "v3"), "the fixed version");
  assert.is(d.modules().find((m) => m.name === "hr")!.error, null);
  assert.not.match((await d.command(["health", "detail"])).stdout, /hr\.ts/);
});

test("a constructor error on reload keeps the old version and reports it", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v1"') }, ["hr"]);
  writeFileSync(
    join(dir, "modules", "hr.ts"),
    ver('"v2"').replace(
      "export default class Hr extends MgrModule {",
      'export default class Hr extends MgrModule {\n  constructor() { super(); throw new Error("no v2 today"); }',
    ),
  );
  const s = await waitFor(() => d!.modules().find((m) => m.name === "hr" && m.error), "the constructor error");
  assert.match(s.error!.message, /no v2 today/);
  assert.is((await d.command(["hr", "ver"])).stdout, "v1");
});

test("editing a helper file reloads the module that imports it", async () => {
  dir = tempDir();
  d = await start(
    {
      "dash/index.ts": ver("String(n)", "dash", 'import { n } from "./util.ts";'),
      "dash/util.ts": "export const n = 1;",
    },
    ["dash"],
  );
  assert.is((await d.command(["dash", "ver"])).stdout, "1");
  writeFileSync(join(dir, "modules", "dash", "util.ts"), "export const n = 2;");
  await waitFor(() => answers(["dash", "ver"], "2"), "the helper change");
});

test("an editor's atomic save (write a temp file, rename over) reloads", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v1"') }, ["hr"]);
  writeFileSync(join(dir, "modules", "hr.ts.tmp123"), ver('"atomic"'));
  renameSync(join(dir, "modules", "hr.ts.tmp123"), join(dir, "modules", "hr.ts"));
  await waitFor(() => answers(["hr", "ver"], "atomic"), "the renamed-in version");
});

test("deleting a module unloads it; adding one that is enabled loads it", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v1"') }, ["hr", "late"]);
  rmSync(join(dir, "modules", "hr.ts"));
  await waitFor(() => !d!.modules().some((m) => m.name === "hr"), "hr to be unloaded");
  assert.is((await d.command(["hr", "ver"])).retval, -22);
  writeFileSync(join(dir, "modules", "late.ts"), ver('"late"', "late"));
  await waitFor(() => answers(["late", "ver"], "late"), "the new module");
});

test("20 rapid saves end with the last version running and no isolate left behind", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v0"') }, ["hr"]);
  for (let i = 1; i <= 20; i++) {
    writeFileSync(join(dir, "modules", "hr.ts"), ver(`"v${i}"`));
    await new Promise((r) => setTimeout(r, 5));
  }
  await waitFor(() => answers(["hr", "ver"], "v20"), "v20");
  await new Promise((r) => setTimeout(r, 300));
  assert.is((await d.command(["hr", "ver"])).stdout, "v20");
  const started = d.logs.filter((l) => l.module === "hr" && l.msg === "module started").length;
  const stopped = d.logs.filter((l) => l.module === "hr" && l.msg === "module stopped").length;
  assert.is(started - stopped, 1, `${started} isolates started, ${stopped} stopped`);
});

test("a write split in two quick halves ends with the full content running", async () => {
  dir = tempDir();
  d = await start({ "hr.ts": ver('"v1"') }, ["hr"]);
  const full = ver('"whole"');
  const f = join(dir, "modules", "hr.ts");
  writeFileSync(f, full.slice(0, 60));
  await new Promise((r) => setTimeout(r, 15));
  writeFileSync(f, full);
  await waitFor(() => answers(["hr", "ver"], "whole"), "the complete file");
  assert.is(d.modules().find((m) => m.name === "hr")!.error, null);
});

test("module reload rebuilds on request and module ls shows the new version and load time", async () => {
  dir = tempDir();
  writeFiles(join(dir, "modules"), { "hr.ts": ver('"v1"') });
  d = await startTestDaemon(dir, { hotReload: false, modules: { hr: { enabled: true } } });
  writeFileSync(join(dir, "modules", "hr.ts"), ver('"v2"'));
  await new Promise((r) => setTimeout(r, 100));
  assert.is((await d.command(["hr", "ver"])).stdout, "v1", "hotReload:false must not reload by itself");
  const r = await d.command(["module", "reload", "hr"]);
  assert.is(r.retval, 0, r.stderr);
  assert.is((await d.command(["hr", "ver"])).stdout, "v2");
});

test.run();
