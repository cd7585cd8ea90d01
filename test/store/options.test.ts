// Module options: declarations checked like Ceph's Option rows, values parsed and formatted per
// type, and read back from the store with defaults.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  KvStore,
  ModuleStore,
  formatOptionValue,
  getOption,
  openSqliteStore,
  optionKey,
  parseOptionValue,
  setOption,
  validateOptionDecls,
  type OptionDecl,
  type OptionSpec,
} from "../../runtime/store/index.ts";

const root = mkdtempSync(join(tmpdir(), "tsmgr-options-"));
let n = 0;
const fresh = (): string => join(root, `case${++n}`, "store.db");

test.after(() => rmSync(root, { recursive: true, force: true }));

function decl(spec: Partial<OptionSpec> & { name?: string }): OptionDecl {
  return validateOptionDecls("hello", [{ name: "opt", ...spec }])[0]!;
}

function throwsWith(
  fn: () => unknown,
  type: ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor,
  message: string,
): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, type, `expected ${type.name}, got ${(err as Error).name}: ${(err as Error).message}`);
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${type.name}: ${message}`);
}

test("optionKey() is config/mgr/mgr/<module>/<name>, Ceph's `config set mgr mgr/<module>/<name>`", () => {
  assert.is(optionKey("hello", "count"), "config/mgr/mgr/hello/count");
});

test("validateOptionDecls() fills in type str, level advanced and a null default", () => {
  const [d] = validateOptionDecls("hello", [{ name: "greeting" }]);
  assert.is(d!.module, "hello");
  assert.is(d!.type, "str");
  assert.is(d!.default, null);
  assert.is(d!.level, "advanced");
  assert.is(d!.runtime, false);
  assert.ok(Object.isFrozen(d));
  assert.equal(validateOptionDecls("hello", undefined), [], "no MODULE_OPTIONS means no options");
});

test("validateOptionDecls() parses defaults to their typed value", () => {
  const decls = validateOptionDecls("hello", [
    { name: "count", type: "int", default: "3", min: 1, max: 10 },
    { name: "interval", type: "secs", default: "5m" },
    { name: "cache", type: "size", default: "64K" },
    { name: "enabled", type: "bool", default: "yes" },
    { name: "mode", type: "str", default: "fast", enum_allowed: ["fast", "slow"] },
  ]);
  assert.equal(
    decls.map((d) => d.default),
    [3, 300, 65536, true, "fast"],
  );
});

test("validateOptionDecls() rejects malformed entries with a TypeError naming module and option", () => {
  const cases: [unknown, string][] = [
    [{ name: "x" }, "module hello: MODULE_OPTIONS must be an array of options, got object"],
    [[42], 'module hello: MODULE_OPTIONS[0] must be an object like {name: "count", type: "int"}, got number'],
    [
      [{ type: "int" }],
      'module hello: MODULE_OPTIONS[0].name must be letters, digits, "_", "-" or "." (not starting with "-" or "."), got undefined',
    ],
    [
      [{ name: "a/b" }],
      'module hello: MODULE_OPTIONS[0].name must be letters, digits, "_", "-" or "." (not starting with "-" or "."), got "a/b"',
    ],
    [
      [{ name: "n", type: "addrvec" }],
      'module hello option "n": type "addrvec" is not supported: use one of str, int, float, bool, secs, size, uint, addr, uuid',
    ],
    [
      [{ name: "n", type: "int", defualt: 3 }],
      'module hello option "n": unknown field "defualt" (did you mean "default"?): known fields are name, type, default, min, max, enum_allowed, desc, long_desc, runtime, level, tags, see_also',
    ],
    [[{ name: "n", type: "int", min: "1" }], 'module hello option "n": min must be a finite number, got "1"'],
    [
      [{ name: "n", type: "str", max: 3 }],
      'module hello option "n": max applies only to numeric types (int, uint, float, secs, size), not str',
    ],
    [[{ name: "n", type: "int", min: 5, max: 1 }], 'module hello option "n": min 5 is above max 1'],
    [
      [{ name: "n", enum_allowed: [] }],
      'module hello option "n": enum_allowed must be a non-empty array of strings, got a value of type array',
    ],
    [[{ name: "n", desc: 5 }], 'module hello option "n": desc must be a string, got number'],
    [[{ name: "n", runtime: "yes" }], 'module hello option "n": runtime must be true or false, got "yes"'],
    [
      [{ name: "n", level: "expert" }],
      'module hello option "n": level must be "basic", "advanced" or "dev", got "expert"',
    ],
    [
      [{ name: "n", type: "int", default: "abc" }],
      'module hello option "n": invalid default (option mgr/hello/n: "abc" is not an int)',
    ],
    [
      [{ name: "n", type: "int", default: 50, max: 10 }],
      'module hello option "n": invalid default (option mgr/hello/n: 50 is above the maximum 10)',
    ],
    [[{ name: "n" }, { name: "n" }], 'module hello: option "n" is declared twice in MODULE_OPTIONS: remove one'],
  ];
  for (const [decls, message] of cases) throwsWith(() => validateOptionDecls("hello", decls), TypeError, message);
});

test("str accepts any string (and plain numbers/booleans as text), rejects objects", () => {
  const d = decl({ type: "str" });
  assert.is(parseOptionValue(d, ""), "");
  assert.is(parseOptionValue(d, "hi there"), "hi there");
  assert.is(parseOptionValue(d, 5), "5");
  throwsWith(
    () => parseOptionValue(d, { a: 1 }),
    TypeError,
    "option mgr/hello/opt: a value of type object is not a string",
  );
});

test("int accepts integers as numbers or strings and rejects the rest", () => {
  const d = decl({ type: "int" });
  assert.is(parseOptionValue(d, "42"), 42);
  assert.is(parseOptionValue(d, "-7"), -7);
  assert.is(parseOptionValue(d, 3), 3);
  throwsWith(() => parseOptionValue(d, "abc"), TypeError, 'option mgr/hello/opt: "abc" is not an int');
  throwsWith(() => parseOptionValue(d, "1.5"), TypeError, 'option mgr/hello/opt: "1.5" is not an int');
  throwsWith(() => parseOptionValue(d, 1.5), TypeError, "option mgr/hello/opt: 1.5 is not an int");
  throwsWith(() => parseOptionValue(d, ""), TypeError, 'option mgr/hello/opt: "" is not an int');
  throwsWith(() => parseOptionValue(d, true), TypeError, "option mgr/hello/opt: true is not an int");
  throwsWith(
    () => parseOptionValue(d, "99999999999999999999"),
    RangeError,
    'option mgr/hello/opt: "99999999999999999999" is out of range (beyond ±2^53-1)',
  );
});

test("int honours min and max with RangeErrors", () => {
  const d = decl({ type: "int", min: 1, max: 10 });
  assert.is(parseOptionValue(d, 1), 1);
  assert.is(parseOptionValue(d, "10"), 10);
  throwsWith(() => parseOptionValue(d, 0), RangeError, "option mgr/hello/opt: 0 is below the minimum 1");
  throwsWith(() => parseOptionValue(d, "11"), RangeError, "option mgr/hello/opt: 11 is above the maximum 10");
});

test("uint accepts integers ≥ 0 only", () => {
  const d = decl({ type: "uint" });
  assert.is(parseOptionValue(d, "0"), 0);
  assert.is(parseOptionValue(d, 12), 12);
  throwsWith(
    () => parseOptionValue(d, "-1"),
    RangeError,
    'option mgr/hello/opt: "-1" is below 0, the minimum of a uint',
  );
  throwsWith(() => parseOptionValue(d, "x"), TypeError, 'option mgr/hello/opt: "x" is not a uint');
});

test("float accepts decimals and exponents, rejects NaN, Infinity and words", () => {
  const d = decl({ type: "float", min: 0, max: 1 });
  assert.is(parseOptionValue(d, "0.25"), 0.25);
  assert.is(parseOptionValue(d, ".5"), 0.5);
  assert.is(parseOptionValue(d, "1e-3"), 0.001);
  assert.is(parseOptionValue(d, 1), 1);
  throwsWith(() => parseOptionValue(d, "NaN"), TypeError, 'option mgr/hello/opt: "NaN" is not a float');
  throwsWith(() => parseOptionValue(d, Infinity), TypeError, "option mgr/hello/opt: Infinity is not a float");
  throwsWith(() => parseOptionValue(d, "1.5"), RangeError, "option mgr/hello/opt: 1.5 is above the maximum 1");
});

test("bool accepts true/false/1/0/yes/no/on/off in any case", () => {
  const d = decl({ type: "bool" });
  for (const yes of [true, 1, "true", "TRUE", "1", "yes", "on", "On"])
    assert.is(parseOptionValue(d, yes), true, String(yes));
  for (const no of [false, 0, "false", "0", "no", "off", "OFF"]) assert.is(parseOptionValue(d, no), false, String(no));
  throwsWith(
    () => parseOptionValue(d, "maybe"),
    TypeError,
    'option mgr/hello/opt: "maybe" is not a bool (true/false, yes/no, on/off, 1/0)',
  );
  throwsWith(
    () => parseOptionValue(d, 2),
    TypeError,
    "option mgr/hello/opt: 2 is not a bool (true/false, yes/no, on/off, 1/0)",
  );
});

test("secs accepts whole seconds or a number with s/m/h/d", () => {
  const d = decl({ type: "secs" });
  assert.is(parseOptionValue(d, "30"), 30);
  assert.is(parseOptionValue(d, 30), 30);
  assert.is(parseOptionValue(d, "30s"), 30);
  assert.is(parseOptionValue(d, "5m"), 300);
  assert.is(parseOptionValue(d, "2h"), 7200);
  assert.is(parseOptionValue(d, "1d"), 86400);
  const expected = "a duration (whole seconds, or a number with s, m, h or d, e.g. 5m)";
  throwsWith(() => parseOptionValue(d, "5 minutes"), TypeError, `option mgr/hello/opt: "5 minutes" is not ${expected}`);
  throwsWith(() => parseOptionValue(d, "1.5h"), TypeError, `option mgr/hello/opt: "1.5h" is not ${expected}`);
  throwsWith(() => parseOptionValue(d, "5M"), TypeError, `option mgr/hello/opt: "5M" is not ${expected}`);
  throwsWith(
    () => parseOptionValue(d, -5),
    RangeError,
    "option mgr/hello/opt: -5 is below 0: a secs value cannot be negative",
  );
});

test("secs checks min and max after converting units", () => {
  const d = decl({ type: "secs", max: 3600 });
  assert.is(parseOptionValue(d, "1h"), 3600);
  throwsWith(() => parseOptionValue(d, "2h"), RangeError, "option mgr/hello/opt: 7200 is above the maximum 3600");
});

test("size accepts bytes or K/M/G/T suffixes, 1024-based", () => {
  const d = decl({ type: "size" });
  assert.is(parseOptionValue(d, "100"), 100);
  assert.is(parseOptionValue(d, 4096), 4096);
  assert.is(parseOptionValue(d, "64K"), 65536);
  assert.is(parseOptionValue(d, "64k"), 65536);
  assert.is(parseOptionValue(d, "2M"), 2 * 1024 ** 2);
  assert.is(parseOptionValue(d, "1G"), 1024 ** 3);
  assert.is(parseOptionValue(d, "3T"), 3 * 1024 ** 4);
  assert.is(parseOptionValue(d, "4KiB"), 4096);
  assert.is(parseOptionValue(d, "10B"), 10);
  const expected = "a size (bytes, or a number with K, M, G or T, e.g. 64K)";
  throwsWith(() => parseOptionValue(d, "1.5G"), TypeError, `option mgr/hello/opt: "1.5G" is not ${expected}`);
  throwsWith(() => parseOptionValue(d, "12X"), TypeError, `option mgr/hello/opt: "12X" is not ${expected}`);
  throwsWith(() => parseOptionValue(d, "-1K"), TypeError, `option mgr/hello/opt: "-1K" is not ${expected}`);
  throwsWith(
    () => parseOptionValue(d, "9999999T"),
    RangeError,
    'option mgr/hello/opt: "9999999T" is out of range (beyond 2^53-1)',
  );
});

test("addr accepts an IPv4 or IPv6 address with an optional port", () => {
  const d = decl({ type: "addr" });
  for (const ok of ["127.0.0.1", "10.0.0.1:6789", "::1", "[::1]:8080", "fe80::1", "[2001:db8::5]"]) {
    assert.is(parseOptionValue(d, ok), ok);
  }
  const expected = "an address (IP or IP:port, IPv6 as [addr]:port)";
  for (const bad of ["400.1.1.1", "host.example", "1.2.3.4:65536", "[1.2.3.4]:80", "1.2.3.4:", "::1:80:"]) {
    throwsWith(
      () => parseOptionValue(d, bad),
      TypeError,
      `option mgr/hello/opt: ${JSON.stringify(bad)} is not ${expected}`,
    );
  }
});

test("uuid accepts the dashed or bare 32-hex form and normalises to lower-case dashed", () => {
  const d = decl({ type: "uuid" });
  assert.is(parseOptionValue(d, "0C2B3A1E-4D5F-4A6B-8C7D-9E0F1A2B3C4D"), "0c2b3a1e-4d5f-4a6b-8c7d-9e0f1a2b3c4d");
  assert.is(parseOptionValue(d, "0c2b3a1e4d5f4a6b8c7d9e0f1a2b3c4d"), "0c2b3a1e-4d5f-4a6b-8c7d-9e0f1a2b3c4d");
  throwsWith(() => parseOptionValue(d, "not-a-uuid"), TypeError, 'option mgr/hello/opt: "not-a-uuid" is not a UUID');
  throwsWith(() => parseOptionValue(d, 7), TypeError, "option mgr/hello/opt: 7 is not a UUID");
});

test("enum_allowed restricts values with a RangeError listing the choices", () => {
  const d = decl({ type: "str", enum_allowed: ["fast", "slow"] });
  assert.is(parseOptionValue(d, "slow"), "slow");
  throwsWith(
    () => parseOptionValue(d, "medium"),
    RangeError,
    'option mgr/hello/opt: "medium" is not one of "fast", "slow"',
  );
});

test("formatOptionValue() gives the string to store, which parses back to the same value", () => {
  const cases: [Partial<OptionSpec>, unknown, string][] = [
    [{ type: "int" }, 5, "5"],
    [{ type: "bool" }, "on", "true"],
    [{ type: "secs" }, "5m", "300"],
    [{ type: "size" }, "1K", "1024"],
    [{ type: "float" }, 0.5, "0.5"],
    [{ type: "str" }, "x y", "x y"],
  ];
  for (const [spec, value, stored] of cases) {
    const d = decl(spec);
    assert.is(formatOptionValue(d, value), stored);
    assert.equal(parseOptionValue(d, stored), parseOptionValue(d, value));
  }
  throwsWith(
    () => formatOptionValue(decl({ type: "int" }), "abc"),
    TypeError,
    'option mgr/hello/opt: "abc" is not an int',
  );
});

test("getOption() returns the stored typed value, else the default, else null", async () => {
  const kv = await KvStore.open(openSqliteStore(fresh()));
  const decls = validateOptionDecls("hello", [
    { name: "greeting", default: "hello" },
    { name: "count", type: "int", min: 0, max: 100 },
  ]);
  assert.is(getOption(kv, "hello", decls, "greeting"), "hello");
  assert.is(getOption(kv, "hello", decls, "count"), null);
  await kv.set(optionKey("hello", "count"), "7");
  assert.is(getOption(kv, "hello", decls, "count"), 7);
  await kv.set(optionKey("hello", "count"), "700"); // e.g. stored before max was lowered
  assert.is(
    getOption(kv, "hello", decls, "count"),
    null,
    "a stored value the declaration refuses reads as the default",
  );
  await kv.close();
});

test("setOption() validates, stores the formatted value, and null goes back to the default", async () => {
  const kv = await KvStore.open(openSqliteStore(fresh()));
  const decls = validateOptionDecls("hello", [{ name: "interval", type: "secs", default: 60 }]);
  await setOption(new ModuleStore(kv, "hello"), decls, "interval", "2m");
  assert.is(kv.get("config/mgr/mgr/hello/interval"), "120");
  assert.is(getOption(kv, "hello", decls, "interval"), 120);
  const err = await setOption(new ModuleStore(kv, "hello"), decls, "interval", "soon").then(
    () => undefined,
    (e: Error) => e,
  );
  assert.instance(err, TypeError);
  assert.is(getOption(kv, "hello", decls, "interval"), 120, "a refused value changes nothing");
  await setOption(new ModuleStore(kv, "hello"), decls, "interval", null);
  assert.is(getOption(kv, "hello", decls, "interval"), 60);
  await kv.close();
});

test("an unknown option name throws, listing the declared options", async () => {
  const kv = await KvStore.open(openSqliteStore(fresh()));
  const decls = validateOptionDecls("hello", [{ name: "greeting" }, { name: "count", type: "int" }]);
  throwsWith(
    () => getOption(kv, "hello", decls, "x"),
    Error,
    'module hello has no option "x": declared options are greeting, count',
  );
  throwsWith(() => getOption(kv, "hello", [], "x"), Error, 'module hello has no option "x": it declares no options');
  const err = await setOption(new ModuleStore(kv, "hello"), decls, "x", "1").then(
    () => undefined,
    (e: Error) => e,
  );
  assert.is(err?.message, 'module hello has no option "x": declared options are greeting, count');
  await kv.close();
});

test.run();
