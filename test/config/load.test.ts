// mgr.json edge cases (issue 21 item 13, issue 14 items 5 and 8): values that used to pass
// validation and then crash the daemon with a stack trace, module names that are keys of every
// JS object, per-daemon overrides for two daemons sharing one file, and typos in module names.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  configFromObject,
  defaultModuleConfig,
  moduleConfigOf,
  moduleLimits,
  unknownModuleEntries,
  type Config,
} from "../../runtime/config/index.ts";
import { ConfigError } from "../../runtime/errors.ts";
import { cleanup, cli, tempDir, writeConfig } from "../_util.ts";

function refused(raw: Record<string, unknown>, field: string, message: string | RegExp): void {
  try {
    configFromObject(raw, "/etc/tsmgr/mgr.json");
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.is((e as ConfigError).field, field);
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected a ConfigError at ${field}`);
}

const cfgOf = (raw: Record<string, unknown>): Config => configFromObject(raw, "/etc/tsmgr/mgr.json");

test("cluster.sim.tickMs beyond setTimeout's 2^31-1 ms is refused naming the field", () => {
  refused(
    { cluster: { sim: { tickMs: 2147483648 } } },
    "cluster.sim.tickMs",
    "2147483648 is out of range: must be between 0 and 2147483647",
  );
  assert.is(cfgOf({ cluster: { sim: { tickMs: 2147483647 } } }).cluster.sim.tickMs, 2147483647);
});

test("http.listen with a port over 65535 is refused naming the field and the port range", () => {
  refused(
    { http: { listen: "127.0.0.1:99999" } },
    "http.listen",
    '"127.0.0.1:99999": port 99999 is out of range: ports are 0 to 65535',
  );
  refused(
    { modules: { dash: { allow: { net: ["0.0.0.0:70000"] } } } },
    "modules.dash.allow.net",
    "port 70000 is out of range",
  );
});

test("addresses need a valid host: IPv4, [IPv6] or a host name", () => {
  refused({ http: { listen: "300.1.1.1:7000" } }, "http.listen", '"300.1.1.1" is not an IPv4 address');
  refused({ http: { listen: "[zz::1]:7000" } }, "http.listen", '"[zz::1]" is not an IPv6 address in brackets');
  refused({ http: { listen: "-bad-.example:7000" } }, "http.listen", "is not a host name or IP address");
  refused({ http: { listen: "7000" } }, "http.listen", 'is not an address such as "127.0.0.1:7000"');
  for (const ok of ["127.0.0.1:0", "[::1]:7000", "localhost:65535", "mgr-1.example.org:7000", ""]) {
    assert.is(cfgOf({ http: { listen: ok } }).http.listen, ok);
  }
});

test("a daemon started with tickMs 2147483648 or port 99999 exits 2 naming the field, without a stack trace", async () => {
  const dir = tempDir("tsmgr-cfg-");
  try {
    mkdirSync(join(dir, "modules"));
    for (const [extra, field] of [
      [{ cluster: { sim: { tickMs: 2147483648 } } }, "cluster.sim.tickMs"],
      [{ http: { listen: "127.0.0.1:99999" } }, "http.listen"],
    ] as const) {
      const file = writeConfig(dir, extra);
      const r = await cli(["daemon", "-c", file], { timeoutMs: 20_000 });
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, field);
      assert.not.match(r.stderr, /\n\s+at /, "no stack trace");
    }
  } finally {
    cleanup(dir);
  }
});

test("a module named like an Object.prototype key gets no inherited config section", () => {
  const cfg = cfgOf({});
  assert.is(cfg.modules["constructor"], undefined);
  assert.is(moduleConfigOf(cfg, "constructor"), undefined);
  assert.is(moduleConfigOf(cfg, "toString"), undefined);
  assert.equal(moduleLimits(cfg, "constructor"), cfg.limits);
  assert.equal(moduleConfigOf(cfg, "hello") ?? defaultModuleConfig(), defaultModuleConfig());
});

test("reserved module names are refused in mgr.json", () => {
  refused({ modules: { constructor: { enabled: true } } }, "modules.constructor", '"constructor" is reserved');
  refused({ modules: { prototype: { enabled: true } } }, "modules.prototype", "is reserved");
});

test("unknownModuleEntries() names each mgr.json module entry with no module, with a did-you-mean", () => {
  const cfg = cfgOf({
    modulePath: "/srv/modules",
    modules: { helo: { enabled: true }, hello: { enabled: true }, zzz: {} },
  });
  assert.equal(unknownModuleEntries(cfg, ["hello", "dashboard"]), [
    'modules.helo: there is no module "helo" in /srv/modules; did you mean "hello"? (fix the name in mgr.json or add the module)',
    'modules.zzz: there is no module "zzz" in /srv/modules; the modules found are hello, dashboard (fix the name in mgr.json or add the module)',
  ]);
  assert.equal(unknownModuleEntries(cfg, ["hello", "helo", "zzz"]), []);
});

const shared = {
  http: { listen: "127.0.0.1:7000" },
  modules: { dashboard: { enabled: true, allow: { net: ["127.0.0.1:8080"] } }, hello: { enabled: true } },
  daemons: {
    x: {},
    y: { http: { listen: "127.0.0.1:7001" }, modules: { dashboard: { allow: { net: ["127.0.0.1:8081"] } } } },
  },
};

test("daemons.ID overrides http.listen and a module's allow.net for the daemon with that id only", () => {
  const x = cfgOf({ ...shared, id: "x" });
  assert.is(x.http.listen, "127.0.0.1:7000");
  assert.equal(x.modules.dashboard!.allow.net, ["127.0.0.1:8080"]);
  const y = cfgOf({ ...shared, id: "y" });
  assert.is(y.http.listen, "127.0.0.1:7001");
  assert.equal(y.modules.dashboard!.allow.net, ["127.0.0.1:8081"]);
  assert.is(y.modules.dashboard!.enabled, true, "the rest of the module's section is kept");
  assert.equal(Object.keys(y.daemons), ["x", "y"]);
});

test("an id given at start (tsmgr daemon --id) replaces the file's and picks that daemon's overrides", () => {
  const y = configFromObject({ ...shared, id: "x" }, "/etc/tsmgr/mgr.json", { id: "y" });
  assert.is(y.id, "y");
  assert.is(y.http.listen, "127.0.0.1:7001");
  refused({ id: "bad id" }, "id", "is not a daemon id");
});

test("two daemons of one file that would bind one address are refused, naming both and the fields", () => {
  refused(
    { ...shared, daemons: { x: {}, y: { modules: { dashboard: { allow: { net: ["127.0.0.1:8081"] } } } } } },
    "daemons",
    'daemons "x" and "y" would both bind "127.0.0.1:7000" (http.listen and http.listen): give each daemon its own address, e.g. daemons.y.http.listen',
  );
  refused(
    { ...shared, daemons: { x: {}, y: { http: { listen: "127.0.0.1:7001" } } } },
    "daemons",
    '"127.0.0.1:8080" (modules.dashboard.allow.net and modules.dashboard.allow.net)',
  );
  // port 0 and no HTTP cannot clash
  cfgOf({ http: { listen: "127.0.0.1:0" }, daemons: { x: {}, y: {} } });
  cfgOf({ http: { listen: "" }, daemons: { x: {}, y: {} } });
});

test("daemons.ID entries are checked like the rest of mgr.json", () => {
  refused(
    { daemons: { y: { http: { listen: "127.0.0.1:99999" } } } },
    "daemons.y.http.listen",
    "port 99999 is out of range",
  );
  refused(
    { daemons: { y: { modules: { dash: { allow: { net: ["x:1"] } } } } } },
    "daemons.y.modules.dash",
    "there is no modules.dash entry to override",
  );
  refused(
    { modules: { dash: {} }, daemons: { y: { modules: { dash: { enabled: true } } } } },
    "daemons.y.modules.dash.enabled",
    "unknown field",
  );
  refused({ daemons: { y: { listen: "127.0.0.1:1" } } }, "daemons.y.listen", "unknown field");
  refused({ daemons: { "a b": {} } }, "daemons.a b", "daemon ids are");
});

test.run();
