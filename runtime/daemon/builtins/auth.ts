// `auth add | rm | ls`: keys for callers of the HTTP API, each with caps (r, w, x, *).
import { Errno } from "../../errors.ts";
import { fail } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

export function authCommands({ auth }: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "auth add name=entity,type=CephString name=caps,type=CephString,req=false",
      desc: "create a key for HTTP callers with caps r, w, rw, rwx or * (printed once)",
      perm: "rwx",
      needsActive: true,
      run: async (a) => {
        const entity = String(a.entity);
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(entity))
          fail(Errno.EINVAL, `auth add: entity name "${entity}" must be letters, digits, _ . -`);
        const caps = a.caps === undefined ? "r" : String(a.caps);
        if (!/^(\*|r?w?x?)$/.test(caps) || caps === "")
          fail(Errno.EINVAL, `auth add: caps "${caps}" must be r, w, rw, rx, rwx or *`);
        if (auth.exists(entity)) fail(Errno.EEXIST, `entity ${entity} exists: tsmgr auth rm ${entity} first`);
        const key = await auth.add(entity, caps);
        return { data: { entity, key, caps }, text: `[${entity}]\n\tkey = ${key}\n\tcaps = "${caps}"` };
      },
    },
    {
      cmd: "auth rm name=entity,type=CephString",
      desc: "delete an HTTP caller's key",
      perm: "rwx",
      needsActive: true,
      run: async (a) => {
        await auth.remove(String(a.entity));
        return { text: "" };
      },
    },
    {
      cmd: "auth ls",
      desc: "list HTTP callers and their caps (not their keys)",
      perm: "rwx",
      needsActive: true,
      run: () => {
        const list = auth.list();
        return { data: list, text: list.map((e) => `${e.entity}: ${e.caps}`).join("\n") };
      },
    },
  ];
}
