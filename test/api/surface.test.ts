// The module surface is declared once (runtime/api/surface.ts): the host table, the SDK's
// HostApi interface and the prelude's API object must all say the same. Each test here fails
// when one of them drifts, naming the function that is missing or extra.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { apiNames, buildHostTable, SURFACE, type ModuleContext } from "../../runtime/api/index.ts";
import { SANDBOX_INTERNAL } from "../../runtime/api/surface.ts";
import { cleanup, ROOT, startTestDaemon, tempDir, waitFor, type TestDaemon } from "../_util.ts";

const sorted = (a: Iterable<string>) => [...a].sort();

/** The member names of `interface HostApi` in sdk/_host.ts, read with the TypeScript compiler. */
function sdkHostApi(): string[] {
  const file = join(ROOT, "sdk", "_host.ts");
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found = sf.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "HostApi",
  );
  assert.ok(found, "sdk/_host.ts declares interface HostApi");
  return found!.members.map((m) => m.name!.getText(sf));
}

function fakeContext(role: "active" | "standby"): ModuleContext {
  return { name: "probe", role, mgrId: "t", mgrIp: "10.1.2.3", phase: () => "running" } as unknown as ModuleContext;
}

test("sdk/_host.ts HostApi has exactly the surface's methods (surface.ts entries plus the prelude's own)", () => {
  assert.equal(sorted(sdkHostApi()), sorted(apiNames("active")));
});

test("buildHostTable() injects exactly the surface entries of each role, with their declared kinds", () => {
  for (const role of ["active", "standby"] as const) {
    const table = buildHostTable(fakeContext(role));
    const want = Object.entries(SURFACE).filter(([, e]) => role === "active" || e.standby);
    assert.equal(sorted(Object.keys(table)), sorted(want.map(([n]) => n)), `the ${role} table`);
    for (const [n, e] of want) assert.is(table[n]!.kind, e.kind, `${n} is ${e.kind}`);
  }
});

test("the prelude calls only host functions the surface declares, and reaches every one", () => {
  const prelude = readFileSync(join(ROOT, "runtime", "sandbox", "prelude.js"), "utf8");
  const used = new Set([...prelude.matchAll(/\b(?:sync|async)\("(\w+)"/g)].map((m) => m[1]!));
  const declared = [...Object.keys(SURFACE), ...SANDBOX_INTERNAL];
  assert.equal(
    sorted([...used].filter((n) => !declared.includes(n))),
    [],
    "host functions the prelude uses but surface.ts does not declare",
  );
  assert.equal(sorted(declared.filter((n) => !used.has(n))), [], "surface entries the prelude never exposes");
});

test("getMgrIp() is a standby entry answering the context's IP, with no arguments", () => {
  assert.is(SURFACE.getMgrIp.standby, true);
  assert.is(buildHostTable(fakeContext("standby")).getMgrIp!.fn(), "10.1.2.3");
});

// ---- in real isolates, through a daemon pair ----------------------------------------------------

let dir: string | undefined;
const daemons: TestDaemon[] = [];
test.after.each(async () => {
  for (const d of daemons.splice(0)) await d.stop().catch(() => {});
  if (dir) cleanup(dir);
  dir = undefined;
});

test("the prelude's API object has exactly the surface's methods in each role, and a standby names what it offers", async () => {
  dir = tempDir("tsmgr-surface-");
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test", "fixtures", "surface", "probe.ts"), join(dir, "modules", "probe.ts"));
  const overrides = { http: { listen: "127.0.0.2:0" }, modules: { probe: { enabled: true } } };
  const active = await startTestDaemon(dir, overrides);
  daemons.push(active);
  const r = await active.command(["probe", "api"]);
  assert.is(r.retval, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { keys: string[]; ip: string };
  assert.equal(sorted(seen.keys), sorted(apiNames("active")), "the active isolate's API object");
  assert.is(seen.ip, "127.0.0.2", "getMgrIp() is the host part of http.listen");

  const standby = await startTestDaemon(dir, { ...overrides, id: "s", http: { listen: "" } });
  daemons.push(standby);
  assert.is(standby.isActive(), false);
  const line = await waitFor(
    () => standby.logs.find((l) => l.module === "probe" && l.msg.startsWith("REPORT ")),
    "the standby probe's report",
  );
  const rep = JSON.parse(line.msg.slice("REPORT ".length)) as { keys: string[]; ip: string; denied: string };
  // a standby's object has every method (calling a missing one names the standby surface)
  assert.equal(sorted(rep.keys), sorted(apiNames("active")), "the standby isolate's API object");
  assert.is(rep.ip, "127.0.0.1", "getMgrIp() on a daemon without HTTP");
  const offers = [...apiNames("standby").filter((n) => n !== "stopping" && n !== "sleep"), "serve", "shutdown"];
  assert.is(
    rep.denied,
    `PermissionDenied: getMetadata() is not available on a standby daemon: MgrStandbyModule offers only ${offers.slice(0, -1).join(", ")} and ${offers.at(-1)}`,
  );
});

test.run();
