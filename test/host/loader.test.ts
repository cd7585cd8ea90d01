// The loader: which files are modules, what a bundle may import, and the on-disk bundle cache.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BundleCache, discoverModules, ModuleBuilder } from "../../runtime/loader/index.ts";
import { cleanup, tempDir, writeFiles } from "../_util.ts";

const MOD = (body = "") =>
  `import { MgrModule } from "@tsmgr/sdk";\n${body}\nexport default class M extends MgrModule {}\n`;

let dir = "";
test.after.each(() => cleanup(dir));

test("discoverModules() finds NAME.ts and NAME/index.ts and reports bad names and empty folders", () => {
  dir = tempDir();
  writeFiles(join(dir, "m"), {
    "alpha.ts": MOD(),
    "beta/index.ts": MOD(),
    "beta/util.ts": "export const x = 1;",
    "Bad-Name.ts": MOD(),
    "empty/readme.md": "no index",
    "notes.md": "not a module",
    ".hidden.ts": MOD(),
    "_private.ts": MOD(),
  });
  const { modules, problems } = discoverModules(join(dir, "m"));
  assert.equal(
    modules.map((m) => m.name),
    ["alpha", "beta"],
  );
  assert.ok(modules[1]!.entry.endsWith(join("beta", "index.ts")));
  assert.equal(problems.map((p) => p.found).sort(), ["Bad-Name.ts", "empty"]);
  assert.match(
    problems.find((p) => p.found === "Bad-Name.ts")!.message,
    /not a valid module name: use lower-case letters/,
  );
  assert.match(problems.find((p) => p.found === "empty")!.message, /has no index\.ts/);
});

test("discoverModules() refuses module names every JavaScript object has (constructor, valueof, ...)", () => {
  dir = tempDir();
  writeFiles(join(dir, "m"), { "constructor/index.ts": MOD(), "valueof.ts": MOD(), "ok.ts": MOD() });
  const { modules, problems } = discoverModules(join(dir, "m"));
  assert.equal(
    modules.map((m) => m.name),
    ["ok"],
  );
  assert.equal(problems.map((p) => p.found).sort(), ["constructor", "valueof.ts"]);
  assert.match(problems[0]!.message, /the module name "(constructor|valueof)" is reserved/);
});

test("discoverModules() refuses a symlink that leads outside the module path", () => {
  dir = tempDir();
  writeFiles(dir, { "outside/evil.ts": MOD(), "m/ok.ts": MOD() });
  symlinkSync(join(dir, "outside", "evil.ts"), join(dir, "m", "evil.ts"));
  const { modules, problems } = discoverModules(join(dir, "m"));
  assert.equal(
    modules.map((m) => m.name),
    ["ok"],
  );
  assert.match(problems[0]!.message, /evil\.ts leads outside the module path/);
});

test("a module importing a Node built-in or an npm package fails to build with a clear message", async () => {
  dir = tempDir();
  writeFiles(join(dir, "m"), { "fsmod.ts": MOD(`import { readFileSync } from "fs";\nconsole.log(readFileSync);`) });
  const b = new ModuleBuilder("fsmod", join(dir, "m", "fsmod.ts"), join(dir, "m"));
  try {
    await b.build();
    assert.unreachable("the build should fail");
  } catch (e) {
    const err = e as Error & { location?: string };
    assert.is(err.name, "ModuleLoadError");
    assert.match(err.message, /^m\/fsmod\.ts:2:\d+: import of "fs" is not allowed: modules run in a sandbox/);
    assert.is(err.location, "m/fsmod.ts:2:30");
  } finally {
    await b.dispose();
  }
});

test("a module importing a file outside the module path fails to build", async () => {
  dir = tempDir();
  writeFiles(dir, { "secret.txt": "s3cret", "m/leak.ts": MOD(`import s from "../secret.txt";\nconsole.log(s);`) });
  const b = new ModuleBuilder("leak", join(dir, "m", "leak.ts"), join(dir, "m"));
  try {
    await b.build();
    assert.unreachable("the build should fail");
  } catch (e) {
    assert.match((e as Error).message, /import of "\.\.\/secret\.txt" leads outside the module path/);
  } finally {
    await b.dispose();
  }
});

test("a bundle lists every input file (helper files too) and its version is a content hash", async () => {
  dir = tempDir();
  writeFiles(join(dir, "m"), {
    "dash/index.ts": MOD(`import { x } from "./util.ts";\nconsole.log(x);`),
    "dash/util.ts": "export const x = 41;",
  });
  const b = new ModuleBuilder("dash", join(dir, "m", "dash", "index.ts"), join(dir, "m"));
  const one = await b.build();
  assert.ok(one.inputs.some((p) => p.endsWith(join("dash", "util.ts"))));
  assert.ok(one.inputs.some((p) => p.endsWith(join("sdk", "index.ts"))));
  writeFileSync(join(dir, "m", "dash", "util.ts"), "export const x = 42;");
  const two = await b.build();
  assert.is.not(two.version, one.version);
  await b.dispose();
});

test("BundleCache returns a bundle only while every input is unchanged", async () => {
  dir = tempDir();
  writeFiles(join(dir, "m"), { "c.ts": MOD() });
  const entry = join(dir, "m", "c.ts");
  const b = new ModuleBuilder("c", entry, join(dir, "m"));
  const bundle = await b.build();
  await b.dispose();
  const cache = new BundleCache(join(dir, "cache"));
  assert.is(cache.get("c", entry), undefined);
  cache.put(entry, bundle);
  const hit = cache.get("c", entry);
  assert.equal(hit, bundle, "code, map, inputs and version come back exactly");
  const file = join(dir, "cache", "c.bundle");
  const whole = readFileSync(file, "utf8");
  writeFileSync(file, whole.slice(0, -10));
  assert.is(cache.get("c", entry), undefined, "an entry cut short is a miss");
  writeFileSync(file, whole);
  writeFileSync(entry, MOD("// an edit"));
  assert.is(cache.get("c", entry), undefined);
  mkdirSync(join(dir, "cache2"));
  writeFileSync(join(dir, "cache2", "c.bundle"), "{ corrupt");
  assert.is(new BundleCache(join(dir, "cache2")).get("c", entry), undefined);
});

test.run();
