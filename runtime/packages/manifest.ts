// tsmgr.json, a package's manifest: name, version, the sdk range it needs, its entry file, the
// permissions it declares and a description. Checked field by field, as mgr.json is.
import semver from "semver";
import { MODULE_NAME } from "../loader/discover.ts";
import { PackageError } from "./package-error.ts";

export const MANIFEST_FILE = "tsmgr.json";

export interface PackageManifest {
  name: string;
  version: string;
  /** a semver range of @tsmgr/sdk versions, e.g. "^0.1.0" */
  sdk: string;
  /** the module's entry, relative to the package root */
  entry: string;
  /** what the module declares it needs, in modules.NAME.allow's grammar */
  permissions: Record<string, string[]>;
  description: string;
}

const FIELDS = [
  "name",
  "version",
  "sdk",
  "entry",
  "permissions",
  "description",
  "license",
  "author",
  "homepage",
  "$schema",
];
const PERMISSION_KEYS = ["commands", "data", "net", "fetch", "remote"];

const bad = (field: string, why: string) => new PackageError(`${MANIFEST_FILE}: ${field} ${why}`);

function text(o: Record<string, unknown>, k: string, dflt?: string): string {
  const v = o[k];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "string")
    throw bad(k, v === undefined ? "is missing" : `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function permissions(v: unknown): Record<string, string[]> {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw bad("permissions", 'must be an object such as {"data": ["osd_map"]}');
  const out: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(v)) {
    if (!PERMISSION_KEYS.includes(k))
      throw bad(`permissions.${k}`, `is not a permission: use ${PERMISSION_KEYS.join(", ")}`);
    if (!Array.isArray(list) || list.some((x) => typeof x !== "string" || x.length > 1024) || list.length > 1000)
      throw bad(`permissions.${k}`, "must be an array of strings");
    out[k] = [...(list as string[])];
  }
  return out;
}

/** The manifest from tsmgr.json's text; a PackageError naming the field otherwise. */
export function parseManifest(json: string): PackageManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new PackageError(`${MANIFEST_FILE} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new PackageError(`${MANIFEST_FILE} must be a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k)) throw bad(k, `is not a manifest field: known fields are ${FIELDS.join(", ")}`);
  const name = text(o, "name");
  if (!MODULE_NAME.test(name))
    throw bad("name", `"${name}" is not a module name: lower-case letters, digits and _, starting with a letter`);
  const version = text(o, "version");
  if (semver.valid(version) === null) throw bad("version", `"${version}" is not a semver version such as 1.0.0`);
  const sdk = text(o, "sdk");
  if (semver.validRange(sdk) === null) throw bad("sdk", `"${sdk}" is not a semver range such as ^0.1.0`);
  const entry = text(o, "entry", "index.ts");
  if (
    !/^[A-Za-z0-9_][A-Za-z0-9_./-]*\.ts$/.test(entry) ||
    entry.split("/").some((p) => p === ".." || p === "." || p === "")
  )
    throw bad("entry", `"${entry}" must be a .ts file inside the package, such as index.ts or src/main.ts`);
  const description = text(o, "description", "");
  if (description.length > 4096) throw bad("description", "is longer than 4096 characters");
  return { name, version, sdk, entry, permissions: permissions(o.permissions), description };
}
