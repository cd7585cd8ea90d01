// Ceph's own options as a module reads them [get_ceph_option, get_foreign_ceph_option]: the
// value the mgr has (get("config")) or the value the mon's config db gives another daemon, typed
// by the option schema (get("config_options")) as PyUtil.cc's get_python_typed_option_value does.
// Works on any ClusterSource: both backends publish `config` and keep the config db.
import { fixture } from "./_fixtures.ts";
import type { ClusterSource } from "./types.ts";

interface OptionSchema {
  name: string;
  type: string;
  default: unknown;
  daemon_default: unknown;
}

export type CephOptionValue = string | number | boolean;

let index: Map<string, OptionSchema> | undefined;
function schema(name: string): OptionSchema | undefined {
  index ??= new Map(
    fixture<{ options: OptionSchema[] }>("mgr-get/get.config_options.json").options.map((o) => [o.name, o]),
  );
  return index.get(name);
}

/** The daemon types Ceph's EntityName accepts ("osd.0", "osd", "client.admin", ...). */
const ENTITY = /^(auth|mon|osd|mds|mgr|client)(\.[^\s]*)?$/;

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
  e: 2 ** 60,
};

/** An option's text as the type its schema gives: int, uint, size → integer; float, secs, millisecs → number; bool; else text. */
export function typedOptionValue(type: string, text: string): CephOptionValue {
  switch (type) {
    case "int":
    case "uint":
    case "size": {
      const m = /^\s*(-?\d+)\s*([kmgtpe]?)i?b?\s*$/i.exec(text);
      return m ? Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]! : Number.parseInt(text, 10) || 0;
    }
    case "float":
    case "secs":
    case "millisecs": {
      const n = Number(text);
      return Number.isNaN(n) ? 0 : n;
    }
    case "bool":
      return ["1", "true", "True", "on", "yes"].includes(text);
    default:
      return text;
  }
}

function unknownOption(fn: string, key: string): RangeError {
  return new RangeError(
    `${fn}(): "${key}" is not a Ceph option (Ceph raises KeyError "option not found: ${key}"): see get("config_options") for the names`,
  );
}

function defaultText(opt: OptionSchema, daemon: boolean): string {
  const d =
    daemon && opt.daemon_default !== "" && opt.daemon_default !== undefined && opt.daemon_default !== null
      ? opt.daemon_default
      : opt.default;
  return d === undefined || d === null ? "" : String(d);
}

/** [get_ceph_option]: the mgr's own value of a Ceph option. RangeError for a name Ceph does not know. */
export function cephOption(cluster: ClusterSource, key: string): CephOptionValue {
  const opt = schema(key);
  if (!opt) throw unknownOption("getCephOption", key);
  const config = JSON.parse(cluster.getJson("config") ?? "{}") as Record<string, unknown>;
  const v = config[key];
  return typedOptionValue(opt.type, v === undefined || v === null ? defaultText(opt, true) : String(v));
}

/**
 * [get_foreign_ceph_option]: what the mon's config db gives `entity` ("osd.0", "mds.a", "osd")
 * for an option: its own section, then its type's, then global, then the option's default
 * (the daemon default for daemons). RangeError for an unknown option or an entity Ceph cannot name.
 */
export function foreignCephOption(cluster: ClusterSource, entity: string, key: string): CephOptionValue {
  const opt = schema(key);
  if (!opt) throw unknownOption("getForeignCephOption", key);
  const m = ENTITY.exec(entity);
  if (!m)
    throw new RangeError(
      `getForeignCephOption(): "${entity}" is not a Ceph entity (Ceph raises KeyError "invalid entity"): use TYPE.ID such as "osd.0", with TYPE one of mon, mgr, osd, mds, client`,
    );
  const type = m[1]!;
  const db = cluster.configDb();
  for (const section of [entity, type, "global"]) {
    const hit = db.find((e) => e.section === section && e.name === key);
    if (hit) return typedOptionValue(opt.type, hit.value);
  }
  return typedOptionValue(opt.type, defaultText(opt, type !== "client"));
}
