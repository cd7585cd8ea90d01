// Declared permissions and consent (issue 19 item 1): a module's static PERMISSIONS against
// mgr.json and `module grant`; what it may use is the intersection, read on every call.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cleanup, startTestDaemon, tempDir, waitFor, writeFiles, type TestDaemon } from "../_util.ts";

let d: TestDaemon | undefined;
let dir = "";
test.after.each(async () => {
  await d?.stop();
  d = undefined;
  cleanup(dir);
});

// asks for osd_map and "osd pool ls"; its "try" command reports what get/sendCommand did
const ASKER = `import { MgrModule } from "@tsmgr/sdk";
export default class Asker extends MgrModule {
  static override PERMISSIONS = { data: ["osd_map"], commands: ["osd pool ls"] };
  static override COMMANDS = [{ cmd: "asker try name=what,type=CephString", desc: "try", perm: "r" as const }];
  async handleCommand(_i: string, cmd: { what: string }) {
    try {
      if (cmd.what === "send") await this.sendCommand({ prefix: "osd pool ls" });
      else this.get(cmd.what as "osd_map");
      return { retval: 0, stdout: "ok", stderr: "" };
    } catch (e) {
      return { retval: 0, stdout: (e as Error).name + ": " + (e as Error).message, stderr: "" };
    }
  }
}
`;
// declares nothing: keeps the old rule (what is granted is what it may use)
const PLAIN = `import { MgrModule } from "@tsmgr/sdk";
export default class Plain extends MgrModule {
  static override COMMANDS = [{ cmd: "plain try name=what,type=CephString", desc: "try", perm: "r" as const }];
  async handleCommand(_i: string, cmd: { what: string }) {
    try { this.get(cmd.what as "osd_map"); return { retval: 0, stdout: "ok", stderr: "" }; }
    catch (e) { return { retval: 0, stdout: (e as Error).name, stderr: "" }; }
  }
}
`;

async function start(
  modules: Record<string, unknown>,
  files: Record<string, string> = { "modules/asker.ts": ASKER, "modules/plain.ts": PLAIN },
): Promise<TestDaemon> {
  dir = tempDir("tsmgr-trust-");
  writeFiles(dir, files);
  d = await startTestDaemon(dir, { modules });
  return d;
}

const GAP =
  'module asker asks for permissions it was not granted: commands="osd pool ls" data=osd_map: review them with tsmgr module info asker, then grant them with tsmgr module grant asker commands="osd pool ls" data=osd_map (or --all), or in mgr.json at modules.asker.allow';

test("enabling a module that asks for more than it was granted fails with the difference and the grant command; grant --all then enable runs it", async () => {
  const d = await start({ asker: { allow: { data: [] } } });
  const r = await d.command(["module", "enable", "asker"]);
  assert.equal(r, { retval: -13, stdout: "", stderr: GAP });
  assert.is(d.modules().find((m) => m.name === "asker")!.enabled, false, "a refused enable leaves the module disabled");
  const info = JSON.parse((await d.command(["module", "info", "asker"], { format: "json" })).stdout);
  assert.equal(info.permissions.requested, { data: ["osd_map"], commands: ["osd pool ls"] });
  assert.equal(info.permissions.missing, GAP);
  const g = await d.command(["module", "grant", "asker", "--all"]);
  assert.is(g.retval, 0, g.stderr);
  assert.equal(await d.command(["module", "enable", "asker"]), { retval: 0, stdout: "", stderr: "" });
  assert.equal(await d.command(["asker", "try", "osd_map"]), { retval: 0, stdout: "ok", stderr: "" });
  assert.equal(await d.command(["asker", "try", "send"]), { retval: 0, stdout: "ok", stderr: "" });
  const after = JSON.parse((await d.command(["module", "info", "asker"], { format: "json" })).stdout);
  assert.equal(after.permissions.granted_by_operator, { data: ["osd_map"], commands: ["osd pool ls"] });
  assert.is(after.permissions.missing, null);
});

test("a module may not use a capability it did not declare, even when mgr.json grants it (least privilege)", async () => {
  const d = await start({ asker: { enabled: true, allow: { data: ["*"], commands: ["rw"] } } });
  await waitFor(() => d.modules().find((m) => m.name === "asker")?.state === "active", "asker to start");
  assert.equal(await d.command(["asker", "try", "osd_map"]), { retval: 0, stdout: "ok", stderr: "" });
  assert.equal(await d.command(["asker", "try", "health"]), {
    retval: 0,
    stdout:
      'PermissionDenied: module "asker" requires data access to "health": grant it in mgr.json at modules.asker.allow.data',
    stderr: "",
  });
  const st = d.modules().find((m) => m.name === "asker")!;
  assert.equal(st.grants.data, ["osd_map"], "module ls shows the effective grants");
  assert.equal(st.grants.commands, ["osd pool ls"]);
});

test("a module that declares no PERMISSIONS may use everything granted to it, as before", async () => {
  const d = await start({ plain: { enabled: true, allow: { data: ["health"] } } });
  await waitFor(() => d.modules().find((m) => m.name === "plain")?.state === "active", "plain to start");
  assert.equal(await d.command(["plain", "try", "health"]), { retval: 0, stdout: "ok", stderr: "" });
  assert.equal(await d.command(["plain", "try", "osd_map"]), { retval: 0, stdout: "PermissionDenied", stderr: "" });
  assert.is((await d.command(["module", "grant", "plain", "data=osd_map"])).retval, 0);
  assert.equal(
    await d.command(["plain", "try", "osd_map"]),
    { retval: 0, stdout: "ok", stderr: "" },
    "a store grant applies to the next call",
  );
});

test("module revoke stops the next call that needs the grant (data grants are read per call)", async () => {
  const d = await start({ asker: { enabled: false, allow: { data: [] } } });
  assert.is((await d.command(["module", "grant", "asker", "data=osd_map", "commands=osd pool ls"])).retval, 0);
  assert.equal(await d.command(["module", "enable", "asker"]), { retval: 0, stdout: "", stderr: "" });
  // (not read before the revoke: a snapshot the isolate already holds stays there until its version moves)
  const r = await d.command(["module", "revoke", "asker", "data=osd_map"]);
  assert.is(r.retval, 0, r.stderr);
  assert.equal(await d.command(["asker", "try", "osd_map"]), {
    retval: 0,
    stdout:
      'PermissionDenied: module "asker" requires data access to "osd_map": grant it in mgr.json at modules.asker.allow.data',
    stderr: "",
  });
  assert.equal(
    await d.command(["asker", "try", "send"]),
    { retval: 0, stdout: "ok", stderr: "" },
    "the other grant stays",
  );
  assert.is((await d.command(["module", "revoke", "asker"])).retval, 0);
  const denied = await d.command(["asker", "try", "send"]);
  assert.is(
    denied.stdout,
    'PermissionDenied: module "asker" requires permission to send the mon command "osd pool ls" (perm r): grant it in mgr.json at modules.asker.allow.commands (e.g. ["osd pool ls"])',
  );
});

test("module grant refuses a key the module did not declare, an unknown key, and nothing at all", async () => {
  const d = await start({ asker: { allow: { data: [] } } });
  await d.command(["module", "enable", "asker"]); // refused, but now its PERMISSIONS are known
  assert.equal(await d.command(["module", "grant", "asker", "data=health"]), {
    retval: -22,
    stdout: "",
    stderr:
      'module asker does not ask for data "health": its static PERMISSIONS.data is ["osd_map"], and a grant it did not declare would never be used',
  });
  assert.equal(await d.command(["module", "grant", "asker", "dta=osd_map"]), {
    retval: -22,
    stdout: "",
    stderr:
      '"dta=osd_map" is not KEY=VALUE with KEY one of commands, data, net, fetch, remote (did you mean "data"?) (or give --all)',
  });
  assert.equal(await d.command(["module", "grant", "asker"]), {
    retval: -22,
    stdout: "",
    stderr: "say what to grant: tsmgr module grant asker --all, or KEY=VALUE words such as data=osd_map",
  });
  assert.equal(await d.command(["module", "grant", "nosuch", "--all"]), {
    retval: -2,
    stdout: "",
    stderr: "module 'nosuch' not found in the module path: known modules are asker, plain",
  });
});

test("grants given with module grant survive a restart of the daemon", async () => {
  let d = await start({ asker: { allow: { data: [] } } });
  await d.command(["module", "enable", "asker"]);
  assert.is((await d.command(["module", "grant", "asker", "--all"])).retval, 0);
  assert.is((await d.command(["module", "enable", "asker"])).retval, 0);
  await d.stop();
  d = await startTestDaemon(dir, { modules: { asker: { allow: { data: [] } } } });
  await waitFor(
    () => d.modules().find((m) => m.name === "asker")?.state === "active",
    "asker to start again after the restart",
  );
  assert.equal(await d.command(["asker", "try", "osd_map"]), { retval: 0, stdout: "ok", stderr: "" });
  await d.stop();
});

test.run();
