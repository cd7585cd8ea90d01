// Readers for mgr.json fields: each checks one value's type and range and throws a ConfigError
// naming the field (its dotted path) when it is wrong.
import { ConfigError } from "../errors.ts";
import { checkAddress } from "./address.ts";

export type Obj = Record<string, unknown>;

/** A daemon id: letters, digits, _ . and -. */
export const ID = /^[A-Za-z0-9_.-]{1,64}$/;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function checkKeys(obj: Obj, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(obj)) {
    if (allowed.includes(k)) continue;
    const near = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
    const hint = near ? `; did you mean "${near}"?` : `; known fields: ${allowed.join(", ")}`;
    throw new ConfigError(at ? `${at}.${k}` : k, `unknown field${hint}`);
  }
}

export function section(obj: Obj, key: string, at: string): Obj {
  const v = obj[key];
  if (v === undefined) return {};
  if (!isObj(v)) throw new ConfigError(at + key, `must be an object, got ${typeName(v)}`);
  return v;
}

export function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

export function str(obj: Obj, key: string, at: string, def: string, pattern?: RegExp, what?: string): string {
  const v = obj[key];
  if (v === undefined) return def;
  if (typeof v !== "string") throw new ConfigError(at + key, `must be a string, got ${typeName(v)}`);
  if (pattern && !pattern.test(v)) throw new ConfigError(at + key, `${JSON.stringify(v)} is not ${what}`);
  return v;
}

export function num(
  obj: Obj,
  key: string,
  at: string,
  def: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = obj[key];
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new ConfigError(at + key, `must be a number, got ${typeName(v)}`);
  if (v < min || v > max) throw new ConfigError(at + key, `${v} is out of range: must be between ${min} and ${max}`);
  return v;
}

export function bool(obj: Obj, key: string, at: string, def: boolean): boolean {
  const v = obj[key];
  if (v === undefined) return def;
  if (typeof v !== "boolean") throw new ConfigError(at + key, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function strList(obj: Obj, key: string, at: string, def: string[]): string[] {
  const v = obj[key];
  if (v === undefined) return def;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new ConfigError(at + key, "must be an array of strings");
  return v as string[];
}

export function oneOf<T extends string>(obj: Obj, key: string, at: string, def: T, choices: readonly T[]): T {
  const v = str(obj, key, at, def);
  if (!choices.includes(v as T))
    throw new ConfigError(at + key, `${JSON.stringify(v)} is not one of ${choices.join(", ")}`);
  return v as T;
}

/** `allow.net` at `at`: a list of addresses, each checked (port range, host form). */
export function netList(allow: Obj, at: string): string[] {
  const net = strList(allow, "net", at, []);
  for (const a of net) checkAddress(a, at + "net", "127.0.0.1:8080");
  return net;
}

/** `http.listen` at `at`: an address, or "" for no HTTP. */
export function listenAddress(http: Obj, at: string, def: string): string {
  const listen = str(http, "listen", at, def);
  if (listen !== "") checkAddress(listen, at + "listen", "127.0.0.1:7000");
  return listen;
}
