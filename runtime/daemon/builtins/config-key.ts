// `config-key get | set | rm | exists | ls | dump` (and Ceph's older spellings put, del, list): the
// group's key/value store, answering as Ceph's KVMonitor does: the status line ("set KEY", "key
// deleted", "key 'K' exists") is the answer's stderr (the CLI shows it on stderr, as `ceph`
// does), `get` prints the value exactly, `ls` and `dump` print JSON (indented unless -f json).
// Keys under the daemon's own prefix (credentials, module state) are neither readable nor
// writable here, whatever the caller's caps: they are as if they did not exist.
import { Errno } from "../../errors.ts";
import { DAEMON_PREFIX } from "../auth-keys.ts";
import { fail } from "./_util.ts";
import type { Builtin, BuiltinAnswer, BuiltinDeps, CommandRequest } from "./types.ts";

const isDaemonKey = (key: string) => key.startsWith(DAEMON_PREFIX);

function refuseDaemonKey(key: string): void {
  if (isDaemonKey(key))
    fail(
      Errno.EACCES,
      `keys under ${DAEMON_PREFIX} belong to the tsmgr daemon and cannot be read or changed with config-key (credentials: tsmgr auth; module state: tsmgr module)`,
    );
}

/** Ceph's is_binary_string: a byte that is neither printable ASCII nor white space. */
function isBinary(s: string): boolean {
  return /[^\x20-\x7e\t\n\v\f\r]/.test(s);
}

/** `dump` shows a binary value as Ceph does, by its length in bytes. */
function dumpValue(v: string): string {
  return isBinary(v) ? `<<< binary blob of length ${Buffer.byteLength(v)} >>>` : v;
}

type Run = (a: Record<string, unknown>, req: CommandRequest) => Promise<BuiltinAnswer> | BuiltinAnswer;

// long: one table of the family's commands, each a few lines; split, the spellings would drift
export function configKeyCommands({ kv }: BuiltinDeps): Builtin[] {
  const visible = (prefix: string) => kv.prefix(prefix).filter(([k]) => !isDaemonKey(k));
  const get: Run = (a) => {
    const key = String(a.key);
    const v = isDaemonKey(key) ? undefined : kv.get(key);
    if (v === undefined) fail(Errno.ENOENT, `error obtaining '${key}': (2) No such file or directory`);
    return { text: v }; // the value exactly, whatever -f says (as Ceph)
  };
  const set: Run = async (a, req) => {
    const key = String(a.key);
    refuseDaemonKey(key);
    await kv.set(key, a.val === undefined ? (req.inbuf ?? "") : String(a.val));
    return { text: "", stderr: `set ${key}` };
  };
  const rm: Run = async (a) => {
    const key = String(a.key);
    refuseDaemonKey(key);
    if (kv.get(key) !== undefined) await kv.set(key, null);
    return { text: "", stderr: "key deleted" }; // Ceph says so whether or not the key existed
  };
  const ls: Run = () => {
    const keys = visible("").map(([k]) => k);
    return { data: keys, text: JSON.stringify(keys, null, 4) };
  };
  return [
    {
      cmd: "config-key get name=key,type=CephString",
      desc: "get a stored value",
      perm: "r",
      needsActive: true,
      run: get,
    },
    {
      cmd: "config-key set name=key,type=CephString name=val,type=CephString,req=false",
      desc: "store a value (durable when the command returns)",
      perm: "rw",
      needsActive: true,
      run: set,
    },
    {
      cmd: "config-key put name=key,type=CephString name=val,type=CephString,req=false",
      desc: "put <key>, value <val> (Ceph's older spelling of config-key set)",
      perm: "rw",
      needsActive: true,
      run: set,
    },
    {
      cmd: "config-key rm name=key,type=CephString",
      desc: "delete a stored value",
      perm: "rw",
      needsActive: true,
      run: rm,
    },
    {
      cmd: "config-key del name=key,type=CephString",
      desc: "delete <key> (Ceph's older spelling of config-key rm)",
      perm: "rw",
      needsActive: true,
      run: rm,
    },
    {
      cmd: "config-key exists name=key,type=CephString",
      desc: "check whether a key exists",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const key = String(a.key);
        if (isDaemonKey(key) || kv.get(key) === undefined) fail(Errno.ENOENT, `key '${key}' doesn't exist`);
        return { text: "", stderr: `key '${key}' exists` };
      },
    },
    { cmd: "config-key ls", desc: "list every key", perm: "r", needsActive: true, run: ls },
    {
      cmd: "config-key list",
      desc: "list keys (Ceph's older spelling of config-key ls)",
      perm: "r",
      needsActive: true,
      run: ls,
    },
    {
      cmd: "config-key dump name=key,type=CephString,req=false",
      desc: "every key and value (under an optional prefix)",
      perm: "r",
      needsActive: true,
      run: (a) => {
        const out: Record<string, string> = {};
        for (const [k, v] of visible(a.key === undefined ? "" : String(a.key))) out[k] = dumpValue(v);
        return { data: out, text: JSON.stringify(out, null, 4) };
      },
    },
  ];
}
