// The loader as an attack surface: what a module's source can make the bundler read or embed
// (Node built-ins, files outside the module path by absolute or ../ paths, symlinks, source
// maps), and what file and module names can do (symlinked modules, names that break the rule,
// ../ in names given to commands or mgr.json). Refusals must name the file and the rule.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../runtime/errors.ts";
import { testConfig } from "../_util.ts";
import { Arena, HOSTILE, traceTests } from "./_harness.ts";

traceTests(test);
let a: Arena | undefined;
test.after.each(async () => {
  await a?.close();
  a = undefined;
});

const SANDBOX_RULE =
  'is not allowed: modules run in a sandbox with no Node APIs or npm packages; only "@tsmgr/sdk" and files inside the module path can be imported';

/** A module that must not have loaded: failed with this message, no command, reported by health. */
async function assertRefused(a: Arena, name: string, message: string | RegExp): Promise<void> {
  const s = a.status(name)!;
  assert.is(s.state, "failed");
  if (typeof message === "string") assert.is(s.error?.message, message);
  else assert.match(s.error?.message ?? "", message);
  assert.equal(s.commands, []);
  const r = await a.cmd([name]);
  assert.is(r.retval, -22);
  assert.match(r.stderr, /^no valid command found/);
  const health = (await a.cmd(["health", "detail"])).stdout;
  assert.ok(health.includes(`Module '${name}' has failed: ${s.error!.message}`), health);
}

test("a module importing a Node built-in fails to build with the sandbox rule and the .ts location", async () => {
  a = await Arena.open({ hostile: { load_node_builtin: {} } });
  await assertRefused(a, "load_node_builtin", `modules/load_node_builtin.ts:3:30: import of "node:fs" ${SANDBOX_RULE}`);
  await a.checkHost();
});

test("a module calling require() on a Node built-in fails to build with the sandbox rule", async () => {
  a = await Arena.open({ hostile: { load_require_builtin: {} } });
  await assertRefused(
    a,
    "load_require_builtin",
    /^modules\/load_require_builtin\.ts:\d+:\d+: import of "child_process" is not allowed: modules run in a sandbox/,
  );
  await a.checkHost();
});

test("a literal dynamic import() of a Node built-in fails to build with the sandbox rule", async () => {
  a = await Arena.open({ hostile: { load_dynamic_import_literal: {} } });
  await assertRefused(
    a,
    "load_dynamic_import_literal",
    /^modules\/load_dynamic_import_literal\.ts:\d+:\d+: import of "node:child_process" is not allowed: modules run in a sandbox/,
  );
  await a.checkHost();
});

test("an absolute import of a host file is refused as leading outside the module path", async () => {
  a = await Arena.open({ hostile: { load_abs_import: {} } });
  const root = realpathSync(join(a.dir, "modules"));
  await assertRefused(
    a,
    "load_abs_import",
    `modules/load_abs_import.ts:4:19: import of "/etc/hosts" leads outside the module path (/etc/hosts): a module can import only files inside ${root}`,
  );
  await a.checkHost();
});

test("a ../ import climbing out of the module path is refused as leading outside it", async () => {
  a = await Arena.open({ hostile: { load_dotdot_import: {} } });
  const root = realpathSync(join(a.dir, "modules"));
  const spec = "../../../../../../../../../../../../etc/hosts";
  await assertRefused(
    a,
    "load_dotdot_import",
    `modules/load_dotdot_import.ts:4:19: import of "${spec}" leads outside the module path (/etc/hosts): a module can import only files inside ${root}`,
  );
  await a.checkHost();
});

test("an import through a symlink inside the module path that points outside it is refused", async () => {
  a = await Arena.open({
    hostile: { load_symlink_import: {} },
    prepare: (dir, mods) => {
      mkdirSync(join(dir, "outside"));
      writeFileSync(join(dir, "outside", "secret.ts"), 'export const secret = "outside-secret";\n');
      symlinkSync(join(dir, "outside", "secret.ts"), join(mods, "_outside.ts"));
    },
  });
  const root = realpathSync(join(a.dir, "modules"));
  const target = realpathSync(join(a.dir, "outside", "secret.ts"));
  await assertRefused(
    a,
    "load_symlink_import",
    `modules/load_symlink_import.ts:5:24: import of "./_outside.ts" leads outside the module path (${target}): a module can import only files inside ${root}`,
  );
  await a.checkHost();
});

test("a module file or folder symlinked from outside the module path is not loaded and is reported", async () => {
  a = await Arena.open({
    hostile: { load_symlinked: {}, load_symlinked_dir: {} },
    copy: false,
    prepare: (dir, mods) => {
      mkdirSync(join(dir, "outside", "pkg"), { recursive: true });
      copyFileSync(join(HOSTILE, "load_symlinked.ts"), join(dir, "outside", "load_symlinked.ts"));
      copyFileSync(join(HOSTILE, "load_symlinked.ts"), join(dir, "outside", "pkg", "index.ts"));
      symlinkSync(join(dir, "outside", "load_symlinked.ts"), join(mods, "load_symlinked.ts"));
      symlinkSync(join(dir, "outside", "pkg"), join(mods, "load_symlinked_dir"));
    },
  });
  const root = realpathSync(join(a.dir, "modules"));
  const outside = realpathSync(join(a.dir, "outside"));
  const ls = JSON.parse((await a.cmd(["module", "ls"], { format: "json" })).stdout) as {
    modules: { name: string }[];
    problems: { found: string; message: string }[];
  };
  assert.not.ok(
    ls.modules.some((m) => m.name.startsWith("load_symlinked")),
    "neither link was loaded as a module",
  );
  assert.equal(ls.problems, [
    {
      found: "load_symlinked.ts",
      message: `load_symlinked.ts leads outside the module path (${outside}/load_symlinked.ts): modules must live inside ${root}`,
    },
    {
      found: "load_symlinked_dir",
      message: `load_symlinked_dir leads outside the module path (${outside}/pkg): modules must live inside ${root}`,
    },
  ]);
  assert.is((await a.cmd(["load_symlinked"])).retval, -22);
  const health = (await a.cmd(["health", "detail"])).stdout;
  assert.ok(health.includes(`load_symlinked.ts leads outside the module path`), health);
  await a.checkHost();
});

test("module files whose names break the naming rule are not loaded and are reported", async () => {
  const bad = ["Load Bad.ts", "LOADBAD.ts", "load-bad.ts", "load.bad.ts", "9load.ts", "canary .ts"];
  a = await Arena.open({
    hostile: {},
    prepare: (_dir, mods) => {
      for (const n of bad) copyFileSync(join(HOSTILE, "load_bad_name.ts"), join(mods, n));
    },
  });
  const ls = JSON.parse((await a.cmd(["module", "ls"], { format: "json" })).stdout) as {
    modules: { name: string }[];
    problems: { found: string; message: string }[];
  };
  assert.equal(
    ls.modules.map((m) => m.name),
    ["canary"],
  );
  const rule = (f: string) =>
    `"${f}" is not a valid module name: use lower-case letters, digits and _, starting with a letter (e.g. my_module.ts)`;
  assert.equal(
    ls.problems,
    [...bad].sort().map((found) => ({ found, message: rule(found) })),
  );
  assert.is((await a.cmd(["load_bad_name"])).retval, -22);
  await a.checkHost();
});

test("../ in a module name is refused by mgr.json checks and by the module commands", async () => {
  a = await Arena.open({ hostile: {} });
  try {
    testConfig(a.dir, { modules: { "../canary": { enabled: true } } });
    assert.unreachable("a module name with ../ must be refused");
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.is(
      (e as Error).message,
      "modules.../canary: module names are lower-case letters, digits and _, starting with a letter",
    );
  }
  for (const verb of ["enable", "disable", "reload", "info"]) {
    const r = await a.cmd(["module", verb, "../canary"]);
    assert.equal(
      r,
      { retval: -2, stdout: "", stderr: "module '../canary' not found in the module path: known modules are canary" },
      verb,
    );
  }
  assert.is(a.status("canary")?.state, "active");
  await a.checkHost();
});

test("an inline source map cannot make a module's errors point at another module's file or a host file", async () => {
  a = await Arena.open({ hostile: { load_sourcemap_spoof: {} } });
  const r = await a.cmd(["load_sourcemap_spoof"]);
  assert.is(r.retval, -22);
  assert.match(
    r.stderr,
    /^Error: raised by load_sourcemap_spoof\n {4}at \S+ \(modules\/load_sourcemap_spoof\.ts:\d+:\d+\)/,
    JSON.stringify(r.stderr),
  );
  assert.not.match(r.stderr, /canary\.ts|\/etc\/passwd/, r.stderr);
  await a.checkHost();
});

test("a sourceMappingURL naming a file outside the module path is not read into the module's build", async () => {
  const token = `OUTSIDE-${Math.random().toString(36).slice(2)}`;
  a = await Arena.open({
    hostile: { load_sourcemap_file: {} },
    prepare: (dir) => {
      mkdirSync(join(dir, "outside"));
      const lines = readFileSync(join(HOSTILE, "load_sourcemap_file.ts"), "utf8").split("\n").length;
      const map = {
        version: 3,
        sources: [`${token}.ts`],
        sourcesContent: [`${token} content`],
        names: [],
        mappings: ["AAAA", ...Array(lines).fill("AACA")].join(";"),
      };
      writeFileSync(join(dir, "outside", "secret.map"), JSON.stringify(map));
    },
  });
  const s = a.status("load_sourcemap_file")!;
  const r = await a.cmd(["load_sourcemap_file"]);
  const seen = [JSON.stringify(s), JSON.stringify(r), (await a.cmd(["health", "detail"])).stdout].join("\n");
  assert.not.ok(seen.includes(token), `the outside file's contents reached the daemon's answers:\n${seen}`);
  if (s.state === "active")
    assert.match(
      r.stderr,
      /^Error: raised by load_sourcemap_file\n {4}at \S+ \(modules\/load_sourcemap_file\.ts:\d+:\d+\)/,
      r.stderr,
    );
  else assert.match(s.error?.message ?? "", /leads outside the module path/);
  const cached = readdirSync(join(a.dir, "data", "bundles"))
    .map((f) => readFileSync(join(a!.dir, "data", "bundles", f), "utf8"))
    .join("\n");
  assert.not.ok(
    cached.includes(token),
    "the outside file's contents were copied into the bundle cache in the data dir",
  );
  await a.checkHost();
});

test.run();
