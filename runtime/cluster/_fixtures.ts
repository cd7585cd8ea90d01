// Loads the real Ceph 16.2.15 dumps (copied into ./fixtures): the simulation's templates, and the
// static answers (config_options) both backends serve.
// Each file is read and parsed once per process; callers get the parsed value and must not mutate it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FIXTURE_DIR = fileURLToPath(new URL("./fixtures/", import.meta.url));

// Parsed fixtures are immutable templates: caching them is safe and saves re-parsing 0.7 MB
// of config_options for every simulated cluster a test builds.
const parsed = new Map<string, unknown>();

/** Path of a fixture file, relative to the fixtures folder (e.g. "mgr-get/get.osd_map.json"). */
export function fixturePath(relative: string): string {
  return FIXTURE_DIR + relative;
}

/** Raw text of a fixture file. */
export function fixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), "utf8");
}

/** Parsed fixture, shared and frozen: clone before changing anything. */
export function fixture<T = unknown>(relative: string): T {
  let value = parsed.get(relative);
  if (value === undefined) {
    value = deepFreeze(JSON.parse(fixtureText(relative)));
    parsed.set(relative, value);
  }
  return value as T;
}

const compact = new Map<string, string>();

/** A fixture re-serialized without whitespace (for big static answers such as config_options). */
export function fixtureCompact(relative: string): string {
  let text = compact.get(relative);
  if (text === undefined) {
    text = JSON.stringify(JSON.parse(fixtureText(relative)));
    compact.set(relative, text);
  }
  return text;
}

/** What a module's `get(name)` returned on the real mgr. */
export function mgrGet<T = unknown>(name: string): T {
  return fixture<T>(`mgr-get/get.${name}.json`);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** A mutable deep copy of a (frozen) template. */
export function clone<T>(value: T): T {
  return structuredClone(value) as T;
}
