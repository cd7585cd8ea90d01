// modules.NAME.allow.fetch and the fetch limits in mgr.json: checked when the config loads.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { configFromObject, DEFAULT_LIMITS } from "../../runtime/config/index.ts";
import { ConfigError } from "../../runtime/errors.ts";

const load = (allow: unknown, limits: unknown = {}) =>
  configFromObject({ modules: { m: { allow: { fetch: allow } } }, limits }, "");

test("allow.fetch accepts hosts, host:port, *.domain and addresses, and defaults to nothing", () => {
  const grants = ["api.example.com", "10.0.0.5:9093", "*.example.com", "[::1]:8080", "127.0.0.1"];
  assert.equal(load(grants).modules.m!.allow.fetch, grants);
  assert.equal(configFromObject({ modules: { m: {} } }, "").modules.m!.allow.fetch, []);
});

test("allow.fetch refuses URLs, paths, bad ports and wildcard addresses, naming the field", () => {
  for (const bad of [
    "http://api.example.com",
    "api.example.com/x",
    "h:0",
    "h:70000",
    "h:",
    "*.10.0.0.1",
    "a*.example.com",
    "",
    "user@h",
  ]) {
    assert.throws(
      () => load([bad]),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message.includes("modules.m.allow.fetch") &&
        e.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
  assert.throws(() => load("api.example.com"), /modules\.m\.allow\.fetch/);
});

test("limits.maxFetchBytes defaults to 8 MiB; fetch limits are range-checked", () => {
  assert.is(DEFAULT_LIMITS.maxFetchBytes, 8 * 1024 * 1024);
  assert.is(load([]).limits.maxFetchBytes, 8 * 1024 * 1024);
  assert.throws(() => load([], { maxFetchBytes: 10 }), /limits\.maxFetchBytes/);
  assert.throws(() => load([], { maxConcurrentFetches: 0 }), /limits\.maxConcurrentFetches/);
  assert.is(load([], { fetchTimeoutMs: 500 }).limits.fetchTimeoutMs, 500);
});

test.run();
