// The grants a module's source likely needs, found by reading it (not by running it): the mon
// commands it sends (`prefix: "..."` string literals in sendCommand calls), whether it serves
// HTTP, and the data names it reads. A hint for `tsmgr check`, labelled so: a prefix built at
// run time, or a call through a helper, is not seen.
import type { ModuleGrants } from "../config/index.ts";

export interface Grant {
  key: "commands" | "net" | "data";
  what: string;
  /** whether a module's allow section already covers it */
  granted(allow: ModuleGrants): boolean;
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

export function likelyGrants(sources: readonly string[]): Grant[] {
  const text = sources.join("\n");
  const grants: Grant[] = [];
  const sends = /\bsendCommand\s*\(/.test(text);
  const prefixes = sends
    ? unique([...text.matchAll(/\bprefix\s*:\s*(["'`])([a-z][a-z0-9 _-]*)\1/g)].map((m) => m[2]!))
    : [];
  for (const p of prefixes) {
    grants.push({
      key: "commands",
      what: JSON.stringify(p),
      granted: (a) => a.commands.some((c) => c === "rw" || c === "r" || c === p || p.startsWith(c + " ")),
    });
  }
  if (sends && !prefixes.length)
    grants.push({
      key: "commands",
      what: "sendCommand is called (its prefixes were not found as literals)",
      granted: (a) => a.commands.length > 0,
    });
  if (/\bserveHttp\s*\(/.test(text))
    grants.push({
      key: "net",
      what: 'serveHttp is called: an address such as "127.0.0.1:8080"',
      granted: (a) => a.net.length > 0,
    });
  const names = unique([...text.matchAll(/\bget\s*(?:<[^>]*>)?\s*\(\s*(["'])([a-z_]+)\1\s*\)/g)].map((m) => m[2]!));
  if (names.length)
    grants.push({
      key: "data",
      what: names.map((n) => JSON.stringify(n)).join(", ") + ' (the default ["*"] covers them)',
      granted: (a) => names.every((n) => a.data.includes("*") || a.data.includes(n)),
    });
  return grants;
}
