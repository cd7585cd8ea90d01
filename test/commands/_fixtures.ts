// Reads the JSON fixtures of test/fixtures/commands for the command tests.

import { readFileSync } from "node:fs";

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/commands/${name}`, import.meta.url), "utf8")) as T;
}
