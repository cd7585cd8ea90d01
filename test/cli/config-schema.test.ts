// mgr.schema.json and the daemon's config loader (runtime/config/load.ts) accept the same keys,
// ranges and defaults: each object of the schema is probed against the loader, whose "unknown
// field" message lists what it knows; the shipped mgr.json validates and names the schema.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configFromObject, defaultModuleConfig } from "../../runtime/config/index.ts";
import { ConfigError } from "../../runtime/errors.ts";
import { ROOT } from "../_util.ts";
import { resolveRef, validate, type Schema } from "./_json-schema.ts";

const SCHEMA = JSON.parse(readFileSync(join(ROOT, "mgr.schema.json"), "utf8")) as Schema;
const FILE = "/cfg/mgr.json";
const test = suite("mgr.schema.json");

/** Sample names for patternProperties: a module and a daemon of the file. */
const SAMPLE: Record<string, string> = { modules: "hello", daemons: "y" };

/** Every object schema with fixed properties, with its path (as keys) from the top. */
function objects(s: Schema, path: string[] = [], out: [string[], Schema][] = []): [string[], Schema][] {
  const r = resolveRef(SCHEMA, s);
  if (r.properties) out.push([path, r]);
  for (const [k, sub] of Object.entries((r.properties ?? {}) as Record<string, Schema>))
    objects(sub, [...path, k], out);
  for (const sub of Object.values((r.patternProperties ?? {}) as Record<string, Schema>))
    objects(sub, [...path, SAMPLE[path[path.length - 1]!] ?? "hello"], out);
  return out;
}

/** A config with `value` at `path`, and the modules.hello section a daemons override needs. */
function withValue(path: string[], value: unknown): Record<string, unknown> {
  const top: Record<string, unknown> = path[0] === "daemons" ? { modules: { hello: {} } } : {};
  let o = top;
  path.forEach((k, i) => {
    if (i === path.length - 1) o[k] = value;
    else o = (o[k] ??= {}) as Record<string, unknown>;
  });
  return top;
}

function loaderError(raw: unknown): string | undefined {
  try {
    configFromObject(raw, FILE);
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
}

test("every object in the schema has exactly the keys the loader accepts there", () => {
  const probed = objects(SCHEMA);
  assert.ok(probed.length >= 15, `only ${probed.length} objects probed`);
  for (const [path, s] of probed) {
    const msg = loaderError(path.length ? withValue(path, { zz_bogus: 1 }) : { zz_bogus: 1 });
    const known = /known fields: (.+)$/.exec(msg ?? "")?.[1];
    assert.ok(known, `${path.join(".") || "(top)"}: the loader accepted an unknown field (${msg})`);
    assert.equal(Object.keys(s.properties as object).sort(), known!.split(", ").sort(), `${path.join(".") || "(top)"}`);
  }
});

test("each number's minimum and maximum in the schema are the loader's", () => {
  for (const [path, s] of objects(SCHEMA)) {
    for (const [k, p] of Object.entries(s.properties as Record<string, Schema>)) {
      if (p.type !== "number") continue;
      const at = [...path, k];
      const name = at.join(".");
      for (const edge of [p.minimum, p.maximum])
        if (typeof edge === "number") assert.is(loaderError(withValue(at, edge)), undefined, `${name} = ${edge}`);
      if (typeof p.minimum === "number")
        assert.match(loaderError(withValue(at, p.minimum - 0.01)) ?? "", /out of range/, `${name} below ${p.minimum}`);
      if (typeof p.maximum === "number")
        assert.match(loaderError(withValue(at, p.maximum + 1)) ?? "", /out of range/, `${name} above ${p.maximum}`);
    }
  }
});

test("the schema's defaults are the loader's", () => {
  const cfg = configFromObject({}, FILE) as unknown as Record<string, unknown>;
  const mod = defaultModuleConfig() as unknown as Record<string, unknown>;
  let checked = 0;
  for (const [path, s] of objects(SCHEMA)) {
    const inModule = path[0] === "modules";
    let base: unknown = inModule ? mod : cfg;
    for (const k of inModule ? path.slice(2) : path) base = (base as Record<string, unknown> | undefined)?.[k];
    for (const [k, p] of Object.entries(s.properties as Record<string, Schema>)) {
      // paths resolve against the file; a module's limits are overrides, with no default of their own
      if (
        !("default" in p) ||
        ["modulePath", "dataDir", "conf"].includes(k) ||
        path[0] === "daemons" ||
        (inModule && path[2] === "limits")
      )
        continue;
      assert.equal((base as Record<string, unknown>)[k], p.default, `default of ${[...path, k].join(".")}`);
      checked++;
    }
  }
  assert.ok(checked >= 30, `only ${checked} defaults compared`);
});

test("the shipped mgr.json names the schema and validates against it; a bad one does not", () => {
  const shipped = JSON.parse(readFileSync(join(ROOT, "mgr.json"), "utf8")) as Record<string, unknown>;
  assert.is(shipped.$schema, "./mgr.schema.json");
  assert.equal(validate(SCHEMA, SCHEMA, shipped), []);
  const bad = {
    ...shipped,
    limits: { memoryMb: 1 },
    modules: { Hello: {}, hello: { enabled: "yes", allow: { net: ["nope"] } } },
  };
  assert.equal(validate(SCHEMA, SCHEMA, bad), [
    "limits.memoryMb: below 8",
    "modules.Hello: not allowed",
    "modules.hello.enabled: must be boolean",
    "modules.hello.allow.net[0]: does not match ^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}$",
  ]);
});

test.run();
