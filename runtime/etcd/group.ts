// One etcd prefix holds one group of daemons: the group marker that says whose prefix it is, and
// the layout of the keys under it.
//
// Layout under the configured prefix P (`etcd.prefix`, "tsmgr/" by default). Only tsmgr writes
// here; one prefix holds exactly one group:
//
//   P group                       the group marker: {"tsmgr":1,"group":ID,"created_by":..,"created_at":..},
//                                 written once by the first daemon (see `checkGroup`)
//   P kv/KEY                      the store: one etcd key per store key, the value as UTF-8
//                                 (e.g. P kv/mgr/hello/count, P kv/config/mgr/mgr/hello/greeting)
//   P election/mgr/LEASE          one per live daemon, attached to its lease (runtime/election/etcd.ts):
//                                 the candidate key, value = {name, gid, addr, asok}; the leader is
//                                 the key with the lowest create revision (the fencing token)
//   P mgrmap                      written only by the active, fenced: {epoch, token, name, gid, services}
//   P fail                        a `tsmgr mgr fail` request: {token, by, at}, for the active holding token
//
import type { Etcd3, IKeyValue } from "etcd3";
import { StoreError } from "../errors.ts";
import { etcdReason } from "./etcd-reason.ts";

/** The group marker's key, relative to the prefix. */
export const GROUP_KEY = "group";

/**
 * One prefix, one group. The first daemon records `group` (the group identity: by default the
 * cluster the group manages, see runtime/daemon/backends.ts) in P group; a daemon whose identity
 * differs is refused, and so is a prefix that already holds keys tsmgr did not write, or that
 * lies inside (or contains) another group's prefix.
 */
export async function checkGroup(
  client: Etcd3,
  prefix: string,
  group: string,
  name: string,
  endpoints: readonly string[],
): Promise<void> {
  const where = `etcd ${endpoints.join(",")}`;
  const fix = `give each group its own etcd.prefix in mgr.json`;
  const ns = client.namespace(prefix);
  try {
    // an enclosing group (its prefix is a "/"-boundary ancestor of ours)
    for (const outer of ancestors(prefix)) {
      const kv = (await client.get(outer + GROUP_KEY).exec()).kvs[0];
      const marker = kv ? parseMarker(kv.value.toString("utf8")) : undefined;
      if (marker) {
        throw new StoreError(
          `etcd.prefix ${JSON.stringify(prefix)} lies inside the prefix ${JSON.stringify(outer)} of another tsmgr group ` +
            `(${describeMarker(marker)}) on ${where}: its keys would mix with that group's; ${fix} that does not overlap another`,
        );
      }
    }
    const cur = await ns.get(GROUP_KEY).exec();
    let kv: IKeyValue | undefined = cur.kvs[0];
    if (!kv) {
      const present = await ns.getAll().limit(5).keys();
      if (present.length > 0) {
        throw new StoreError(
          `etcd.prefix ${JSON.stringify(prefix)} on ${where} already holds keys that no tsmgr group wrote (e.g. ` +
            `${present
              .slice(0, 3)
              .map((k) => JSON.stringify(prefix + k))
              .join(", ")}) and no group marker ${JSON.stringify(prefix + GROUP_KEY)}: ` +
            `it belongs to something else; ${fix}, one that holds nothing yet`,
        );
      }
      const marker = JSON.stringify({ tsmgr: 1, group, created_by: name, created_at: new Date().toISOString() });
      const res = await ns
        .if(GROUP_KEY, "Create", "==", 0)
        .then(ns.put(GROUP_KEY).value(marker))
        .else(ns.get(GROUP_KEY))
        .commit();
      if (res.succeeded) return;
      kv = res.responses[0]?.response_range?.kvs[0];
      if (!kv)
        throw new StoreError(`the group marker ${prefix + GROUP_KEY} on ${where} vanished while being read: try again`);
    }
    const marker = parseMarker(kv.value.toString("utf8"));
    if (!marker) {
      throw new StoreError(
        `${JSON.stringify(prefix + GROUP_KEY)} on ${where} is not a tsmgr group marker (value ${JSON.stringify(kv.value.toString("utf8").slice(0, 80))}): ` +
          `etcd.prefix ${JSON.stringify(prefix)} belongs to something else; ${fix}`,
      );
    }
    if (marker.group !== group) {
      throw new StoreError(
        `etcd.prefix ${JSON.stringify(prefix)} on ${where} belongs to another tsmgr group: ${describeMarker(marker)}, ` +
          `while this daemon's group is ${JSON.stringify(group)}. Daemons of one group must manage the same cluster; two unrelated ` +
          `groups sharing a prefix would overwrite each other's store and fight over one election: ${fix} (or, if this daemon ` +
          `belongs to that group, point it at the same cluster)`,
      );
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      `cannot check the group marker ${prefix + GROUP_KEY} on ${where} (${etcdReason(err)}): check that etcd is running and reachable`,
      { cause: err },
    );
  }
}

interface Marker {
  tsmgr: number;
  group: string;
  created_by?: string;
  created_at?: string;
}

function parseMarker(s: string): Marker | undefined {
  try {
    const m = JSON.parse(s) as Marker;
    return m && typeof m === "object" && m.tsmgr === 1 && typeof m.group === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

function describeMarker(m: Marker): string {
  return `group ${JSON.stringify(m.group)}${m.created_by ? `, started by daemon ${m.created_by}` : ""}${m.created_at ? ` at ${m.created_at}` : ""}`;
}

/** "a/b/c/" → ["", "a/", "a/b/"]: the prefixes another group could hold that enclose this one. */
function ancestors(prefix: string): string[] {
  const out = [""];
  for (let i = prefix.indexOf("/"); i >= 0 && i < prefix.length - 1; i = prefix.indexOf("/", i + 1))
    out.push(prefix.slice(0, i + 1));
  return out.filter((p) => p !== prefix);
}
