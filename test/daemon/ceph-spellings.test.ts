// Ceph's spellings of the manager's commands answer in Ceph's shapes: each -f json answer compared
// key path by key path (and type) with a real Pacific mgr's answer (runtime/cluster/fixtures/cli),
// descriptors and perms as Ceph's own table has them, health mutes as Ceph's HealthMonitor keeps
// them, config-key through the CLI byte for byte as `ceph config-key` prints, and the daemon-level
// commands Ceph daemons answer on their admin sockets.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanup, cli, ROOT, startTestDaemon, tempDir, writeConfig, writeFiles, type TestDaemon } from "../_util.ts";
import { shapeDiff } from "./_key-paths.ts";

const FIXTURES = join(ROOT, "runtime", "cluster", "fixtures", "cli");
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
const CEPH_TABLES = ["mon", "mgr"].map(
  (t) =>
    JSON.parse(
      readFileSync(join(ROOT, "runtime", "commands", "data", `${t}-command-descriptions.json`), "utf8"),
    ) as Record<string, { sig: unknown[]; perm: string }>,
);

/** A module whose health check WARN_X has the count set by `warner count N` (0: cleared). */
const WARNER = `
import { MgrModule } from "@tsmgr/sdk";
export default class Warner extends MgrModule {
  static override COMMANDS = [{ cmd: "warner count name=n,type=CephInt", desc: "", perm: "w" as const }];
  async handleCommand(_i: string, cmd: any) {
    const n = Number(cmd.n);
    this.setHealthChecks(n ? { WARN_X: { severity: "warning", summary: "x is off", count: n, detail: ["one"] } } : {});
    return { retval: 0, stdout: "", stderr: "" };
  }
}
`;

const test = suite("Ceph's spellings");
let dir = "";
let cfg = "";
let d: TestDaemon | undefined;

test.before(async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test", "fixtures", "modules", "good.ts"), join(dir, "modules", "good.ts"));
  copyFileSync(join(ROOT, "test", "fixtures", "modules", "store_user.ts"), join(dir, "modules", "store_user.ts"));
  writeFiles(dir, { "modules/warner.ts": WARNER });
  d = await startTestDaemon(dir, {
    modules: { good: { enabled: true }, store_user: { enabled: true }, warner: { enabled: true } },
  });
  cfg = writeConfig(dir, {});
});
test.after(async () => {
  await d?.stop();
  cleanup(dir);
});

async function json(words: string[]): Promise<any> {
  const r = await d!.command(words, { format: "json" });
  assert.is(r.retval, 0, `${words.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test("every Ceph-spelled built-in has Ceph's own descriptor and perm", async () => {
  const ours = (await json(["get_command_descriptions"])) as Record<
    string,
    { sig: unknown[]; perm: string; module: string }
  >;
  const ceph = new Map<string, { sig: unknown[]; perm: string }>();
  for (const t of CEPH_TABLES)
    for (const c of Object.values(t)) ceph.set(c.sig.filter((x) => typeof x === "string").join(" "), c);
  const spelled = [
    "mgr module ls",
    "mgr module enable",
    "mgr module disable",
    "mgr stat",
    "mgr dump",
    "mgr metadata",
    "mgr count-metadata",
    "mgr versions",
    "mgr services",
    "mgr fail",
    "health",
    "health mute",
    "health unmute",
    "config-key get",
    "config-key set",
    "config-key put",
    "config-key rm",
    "config-key del",
    "config-key exists",
    "config-key ls",
    "config-key list",
    "config-key dump",
  ];
  for (const prefix of spelled) {
    const mine = Object.values(ours).find(
      (c) => c.sig.filter((x) => typeof x === "string").join(" ") === prefix && c.module !== "good",
    );
    assert.ok(mine, `no built-in ${prefix}`);
    assert.equal(mine!.sig, ceph.get(prefix)!.sig, prefix);
    assert.is(mine!.perm, ceph.get(prefix)!.perm, prefix);
  }
});

test("get_command_descriptions is Ceph's shape: cmdNNN → sig, help, module, perm, flags", async () => {
  const ours = await json(["get_command_descriptions"]);
  // an argument's keys depend on its type: compared by the descriptor test above
  assert.equal(
    shapeDiff(ours, CEPH_TABLES[1], ["."]).filter((x) => !/ \.\*\.sig\[\]\./.test(x)),
    [],
  );
  assert.ok(Object.keys(ours).every((k, i) => k === `cmd${String(i).padStart(3, "0")}`));
  const good = Object.values(ours as Record<string, any>).find((c) => c.sig[0] === "good" && c.sig[1] === "echo");
  assert.equal(good, {
    sig: ["good", "echo", { name: "text", type: "CephString" }],
    help: "echoes",
    module: "mgr",
    perm: "r",
    flags: 0,
  });
});

test("mgr module ls is Ceph's shape; a module's options stay listed once it is disabled", async () => {
  const dis = await d!.command(["mgr", "module", "disable", "store_user"]);
  assert.equal(dis, { retval: 0, stdout: "", stderr: "" });
  const ls = await json(["mgr", "module", "ls"]);
  assert.equal(shapeDiff(ls, fixture("mgr-module-ls.json"), [".disabled_modules[].module_options"]), []);
  assert.equal(ls.always_on_modules, []);
  assert.ok(ls.enabled_modules.includes("good") && !ls.enabled_modules.includes("store_user"));
  const su = ls.disabled_modules.find((m: { name: string }) => m.name === "store_user");
  assert.is(su.can_run, true);
  assert.equal(su.module_options.greeting, {
    name: "greeting",
    type: "str",
    level: "advanced",
    flags: 1,
    default_value: "hi",
    min: "",
    max: "",
    enum_allowed: [],
    desc: "",
    long_desc: "",
    tags: [],
    see_also: [],
  });
  assert.is(su.module_options.enabled.default_value, "False");
  assert.is(su.module_options.count.max, "10");
  const plain = await d!.command(["mgr", "module", "ls"]);
  assert.is(plain.stdout, JSON.stringify(ls, null, 4), "plain output is indented JSON, as Pacific prints it");
});

test("mgr module enable and disable answer with Ceph's messages and errnos", async () => {
  assert.equal(await d!.command(["mgr", "module", "enable", "nope"]), {
    retval: -2,
    stdout: "",
    stderr: "all mgr daemons do not support module 'nope', pass --force to force enablement",
  });
  assert.equal(await d!.command(["mgr", "module", "enable", "good"]), {
    retval: 0,
    stdout: "",
    stderr: "module 'good' is already enabled",
  });
  assert.equal(await d!.command(["mgr", "module", "disable", "nope"]), {
    retval: 0,
    stdout: "",
    stderr: "module 'nope' is already disabled",
  });
  assert.equal(await d!.command(["mgr", "module", "enable", "store_user"]), { retval: 0, stdout: "", stderr: "" });
  assert.ok(
    (await json(["module", "ls"])).enabled_modules.includes("store_user"),
    "the tsmgr spelling sees the same state",
  );
});

test("mgr stat, services, dump, metadata, count-metadata and versions are Ceph's shapes", async () => {
  assert.equal(shapeDiff(await json(["mgr", "stat"]), fixture("mgr-stat.json")), []);
  const services = await json(["mgr", "services"]);
  assert.equal(services, {});
  const dump = await json(["mgr", "dump"]);
  const data = [
    ".available_modules[].module_options",
    ".standbys[].available_modules[].module_options",
    ".always_on_modules",
    ".services",
  ];
  assert.equal(shapeDiff(dump, fixture("mgr-dump.json"), data), []);
  assert.is(dump.active_name, "t");
  assert.equal(
    dump.always_on_modules,
    { nautilus: [], octopus: [], pacific: [] },
    "every release Ceph lists, none always on",
  );
  assert.ok(dump.modules.includes("good"));
  assert.equal(
    (await d!.command(["mgr", "dump", String(dump.epoch + 5)])).stderr,
    `there is no map for epoch ${dump.epoch + 5}`,
  );
  const md = await json(["mgr", "metadata"]);
  assert.equal(shapeDiff(md, fixture("mgr-metadata.json")), []);
  assert.is(md[0].ceph_release, "pacific");
  assert.match(md[0].ceph_version, /^tsmgr version \d+\.\d+\.\d+ \(tsmgr\) pacific \((dev|stable)\)$/);
  assert.equal(await json(["mgr", "metadata", "t"]), md[0]);
  assert.equal(await d!.command(["mgr", "metadata", "zz"]), {
    retval: -2,
    stdout: "",
    stderr: "mgr.zz does not exist",
  });
  assert.equal(await json(["mgr", "count-metadata", "ceph_release"]), { pacific: 1 });
  const versions = await json(["mgr", "versions"]);
  assert.equal(shapeDiff(versions, (fixture("versions.json") as { mgr: unknown }).mgr, ["."]), []);
  assert.equal(Object.values(versions), [1]);
});

test("health mute: Ceph's refusals, muted checks drop out of the status, the mute ends as Ceph's does", async () => {
  assert.equal(await d!.command(["health", "mute", "NOPE"]), {
    retval: -2,
    stdout: "",
    stderr: "health alert NOPE is not currently raised",
  });
  assert.equal(await d!.command(["health", "mute", "NOPE", "5x", "--sticky"]), {
    retval: -22,
    stdout: "",
    stderr: "invalid duration: 5x (unrecogized unit 'x')",
  });
  assert.equal(
    (await d!.command(["health", "mute", "NOPE", "0", "--sticky"])).stderr,
    "invalid duration: 0 (timespan = 0)",
  );
  assert.equal(
    (await d!.command(["health", "mute", "NOPE", "abc", "--sticky"])).stderr,
    "invalid duration: abc (expected digit)",
  );
  assert.is((await d!.command(["warner", "count", "2"])).retval, 0);
  assert.is((await json(["health"])).status, "HEALTH_WARN");
  assert.equal(await d!.command(["health", "mute", "WARN_X", "1h"]), { retval: 0, stdout: "", stderr: "" });
  const h = await json(["health", "detail"]);
  assert.equal(
    shapeDiff(h, fixture("health-detail.json"), [".checks"]).filter((x) => !x.startsWith("extra .mutes[]")),
    [],
  );
  assert.is(h.status, "HEALTH_OK");
  assert.is(h.checks.WARN_X.muted, true);
  assert.equal(Object.keys(h.mutes[0]), ["code", "ttl", "sticky", "summary", "count"]);
  assert.equal(
    { ...h.mutes[0], ttl: undefined },
    { code: "WARN_X", ttl: undefined, sticky: false, summary: "x is off", count: 2 },
  );
  assert.match(h.mutes[0].ttl, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
  assert.is((await d!.command(["health"])).stdout, "HEALTH_OK (muted: WARN_X(59m))");
  assert.match(
    (await d!.command(["health", "detail"])).stdout,
    /^HEALTH_OK \(muted: WARN_X\(59m\)\)\n\(MUTED ttl 59m\) \[WRN\] WARN_X: x is off\n    one$/,
  );
  // the count falls: the mute follows it down; it grows past it: the mute ends
  await d!.command(["warner", "count", "1"]);
  assert.is((await json(["health"])).mutes[0].count, 1);
  await d!.command(["warner", "count", "3"]);
  const after = await json(["health"]);
  assert.is(after.status, "HEALTH_WARN");
  assert.equal(after.mutes, []);
  // a sticky mute of a code not raised is kept, and unmute removes it
  assert.is((await d!.command(["health", "mute", "LATER", "--sticky"])).retval, 0);
  assert.equal((await json(["health"])).mutes, [{ code: "LATER", sticky: true, summary: "", count: 0 }]);
  assert.is((await d!.command(["health", "unmute", "NOT_MUTED"])).retval, 0);
  assert.is((await d!.command(["health", "unmute"])).retval, 0);
  assert.equal((await json(["health"])).mutes, []);
  await d!.command(["warner", "count", "0"]);
});

test("config-key through the CLI prints what `ceph config-key` prints, with its exit codes", async () => {
  const run = (...args: string[]) => cli(["-c", cfg, ...args]);
  assert.equal(await run("config-key", "set", "lab/a", "hello"), { code: 0, stdout: "", stderr: "set lab/a\n" });
  assert.equal(await run("config-key", "get", "lab/a"), { code: 0, stdout: "hello\n", stderr: "" });
  assert.equal(await run("config-key", "get", "nope"), {
    code: 2,
    stdout: "",
    stderr: "Error ENOENT: error obtaining 'nope': (2) No such file or directory\n",
  });
  assert.equal(await run("config-key", "exists", "lab/a"), { code: 0, stdout: "", stderr: "key 'lab/a' exists\n" });
  assert.equal(await run("config-key", "exists", "nope"), {
    code: 2,
    stdout: "",
    stderr: "Error ENOENT: key 'nope' doesn't exist\n",
  });
  assert.equal(await run("config-key", "rm", "nope"), { code: 0, stdout: "", stderr: "key deleted\n" });
  assert.equal(await run("config-key", "put", "lab/b", "v"), { code: 0, stdout: "", stderr: "set lab/b\n" });
  assert.equal(await run("config-key", "dump", "lab/"), {
    code: 0,
    stdout: '{\n    "lab/a": "hello",\n    "lab/b": "v"\n}\n',
    stderr: "",
  });
  assert.equal(await run("-f", "json", "config-key", "dump", "lab/"), {
    code: 0,
    stdout: '{"lab/a":"hello","lab/b":"v"}\n',
    stderr: "",
  });
  const ls = await run("config-key", "ls");
  assert.equal(shapeDiff(JSON.parse(ls.stdout), fixture("config-key-ls.json")), []);
  assert.ok(ls.stdout.startsWith('[\n    "'), ls.stdout);
  assert.equal(await run("config-key", "del", "lab/a"), { code: 0, stdout: "", stderr: "key deleted\n" });
  assert.is((await run("config-key", "get", "lab/a")).code, 2);
  const bad = await run("health", "mute", "X", "1q", "--sticky");
  assert.equal(bad, { code: 22, stdout: "", stderr: "Error EINVAL: invalid duration: 1q (unrecogized unit 'q')\n" });
});

test("daemon-level commands: version, config show, config get FIELD, perf dump and schema", async () => {
  const v = await json(["version"]);
  assert.equal(Object.keys(v), ["version", "release", "release_type"]);
  assert.is(v.version, (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
  assert.is(v.release, "pacific");
  const show = await json(["config", "show"]);
  assert.ok(
    Object.values(show).every((x) => typeof x === "string"),
    "every value a string, as Ceph's",
  );
  assert.is(show.name, "mgr.t");
  assert.is(show["http.listen"], "");
  assert.is(show["modules.good.enabled"], "true");
  assert.equal(await json(["config", "get", "name"]), { name: "mgr.t" });
  assert.equal(await d!.command(["config", "get", "nope"]), {
    retval: -2,
    stdout: "",
    stderr: "error getting 'nope': (2) No such file or directory",
  });
  const before = await json(["perf", "dump"]);
  await d!.command(["good", "ping"]);
  await d!.command(["config-key", "set", "perf/x", "1"]);
  const after = await json(["perf", "dump"]);
  assert.is(after.tsmgr.module_commands, before.tsmgr.module_commands + 1);
  assert.ok(after.tsmgr.builtin_commands > before.tsmgr.builtin_commands);
  assert.ok(after.store.writes > before.store.writes);
  assert.ok(after.modules.modules_running >= 3);
  assert.equal(Object.keys(after.tsmgr.command_lat), ["avgcount", "sum", "avgtime"]);
  const schema = await json(["perf", "schema"]);
  for (const [section, counters] of Object.entries(after)) {
    assert.equal(Object.keys(schema[section]).sort(), Object.keys(counters as object).sort(), section);
  }
  assert.equal(Object.keys(schema.tsmgr.builtin_commands), [
    "type",
    "metric_type",
    "value_type",
    "description",
    "nick",
    "priority",
    "units",
  ]);
  assert.is(schema.tsmgr.builtin_commands.type, 10);
});

test.run();
