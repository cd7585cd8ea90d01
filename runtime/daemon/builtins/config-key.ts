// `config-key get | set | rm | exists | ls | dump`: the group's key/value store, as Ceph's.
// Keys under the daemon's own prefix (credentials, module state) are neither readable nor
// writable here, whatever the caller's caps: they are as if they did not exist.
import { Errno } from "../../errors.ts";
import { DAEMON_PREFIX } from "../auth-keys.ts";
import { fail } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

const isDaemonKey = (key: string) => key.startsWith(DAEMON_PREFIX);

function refuseDaemonKey(key: string): void {
  if (isDaemonKey(key)) fail(Errno.EACCES, `keys under ${DAEMON_PREFIX} belong to the tsmgr daemon and cannot be read or changed with config-key (credentials: tsmgr auth; module state: tsmgr module)`);
}

export function configKeyCommands({ kv }: BuiltinDeps): Builtin[] {
  const visible = (prefix: string) => kv.prefix(prefix).filter(([k]) => !isDaemonKey(k));
  return [
    {
      cmd: "config-key get name=key,type=CephString",
      desc: "get a stored value",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const key = String(a.key);
        const v = isDaemonKey(key) ? undefined : kv.get(key);
        if (v === undefined) fail(Errno.ENOENT, `error obtaining '${key}': (2) No such file or directory`);
        return { text: v, data: v };
      },
    },
    {
      cmd: "config-key set name=key,type=CephString name=val,type=CephString,req=false",
      desc: "store a value (durable when the command returns)",
      perm: "rw",
      needsActive: true,
      run: async (a, req) => {
        const key = String(a.key);
        refuseDaemonKey(key);
        await kv.set(key, a.val === undefined ? (req.inbuf ?? "") : String(a.val));
        return { text: `set ${key}` };
      },
    },
    {
      cmd: "config-key rm name=key,type=CephString",
      desc: "delete a stored value",
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const key = String(a.key);
        refuseDaemonKey(key);
        if (kv.get(key) === undefined) return { text: `key '${key}' doesn't exist` };
        await kv.set(key, null);
        return { text: "key deleted" };
      },
    },
    {
      cmd: "config-key exists name=key,type=CephString",
      desc: "check whether a key exists",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const key = String(a.key);
        if (isDaemonKey(key) || kv.get(key) === undefined) fail(Errno.ENOENT, `key '${key}' doesn't exist`);
        return { text: `key '${key}' exists` };
      },
    },
    {
      cmd: "config-key ls",
      desc: "list every key",
      perm: "r",
      needsActive: true,
      run: () => {
        const keys = visible("").map(([k]) => k);
        return { data: keys, text: JSON.stringify(keys, null, 4) };
      },
    },
    {
      cmd: "config-key dump name=key,type=CephString,req=false",
      desc: "every key and value (under an optional prefix)",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const out: Record<string, string> = {};
        for (const [k, v] of visible(a.key === undefined ? "" : String(a.key))) out[k] = v;
        return { data: out, text: JSON.stringify(out, null, 4) };
      },
    },
  ];
}
