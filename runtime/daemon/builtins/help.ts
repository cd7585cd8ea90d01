// `help [WORDS...]`: every command, or those whose words start with WORDS, with usage and description.
import { Errno } from "../../errors.ts";
import { fail } from "./_util.ts";
import type { Builtin, BuiltinDeps, HelpEntry } from "./types.ts";

/** Entries whose prefix starts with `words` (a partial last word matches too, as in Ceph). */
export function matchingHelp(entries: HelpEntry[], words: string[]): HelpEntry[] {
  if (words.length === 0) return entries;
  return entries.filter((e) => {
    const prefix = e.prefix.split(" ");
    return words.every((w, i) => (i === words.length - 1 ? (prefix[i] ?? "").startsWith(w) : prefix[i] === w));
  });
}

export function helpCommands(deps: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "help name=words,type=CephString,n=N,req=false",
      desc: "every command with its descriptor and description; with WORDS, those starting with them",
      perm: "r",
      needsActive: false,
      run: (a) => {
        const words = Array.isArray(a.words) ? a.words.map(String) : [];
        const h = matchingHelp(deps.help(), words);
        if (h.length === 0)
          fail(Errno.ENOENT, `no command starts with "${words.join(" ")}": tsmgr help lists them all`);
        return {
          data: h,
          text: h
            .map((c) => `${c.usage}\n    ${c.desc}${c.module !== "tsmgr" ? ` (module ${c.module})` : ""}`)
            .join("\n"),
        };
      },
    },
  ];
}
