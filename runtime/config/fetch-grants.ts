// `modules.NAME.allow.fetch`: the hosts a module's fetch() may reach, as "host", "host:port",
// "*.domain" (any subdomain, not the domain itself) or an address ("10.0.0.5:9093", "[::1]:8080").
// Parsed here once, for the config check and for runtime/api/fetch.ts.
import { ConfigError } from "../errors.ts";
import { strList, type Obj } from "./_fields.ts";

export interface FetchGrant {
  /** the host as WHATWG URL serializes it (lower case, IPv6 in brackets); for a wildcard, the domain */
  host: string;
  /** undefined: any port */
  port: number | undefined;
  /** "*.example.com": subdomains of `host` only */
  wildcard: boolean;
}

/** The grant, or a sentence saying what is wrong with it. */
export function parseFetchGrant(g: string): FetchGrant | string {
  const wildcard = g.startsWith("*.");
  const rest = wildcard ? g.slice(2) : g;
  if (rest === "" || /[/?#@\s\\]/.test(rest) || rest.includes("*"))
    return `${JSON.stringify(g)} is not a host ("api.example.com"), a host and port ("10.0.0.5:9093") or "*.example.com"`;
  let u: URL;
  try {
    u = new URL(`http://${rest}`);
  } catch {
    return `${JSON.stringify(g)} is not a valid host or host:port`;
  }
  const portText = /:(\d+)$/.exec(rest)?.[1];
  if (/:$/.test(rest) || (rest.includes(":") && !rest.startsWith("[") && portText === undefined))
    return `${JSON.stringify(g)} has a bad port`;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535))
    return `${JSON.stringify(g)}: the port must be between 1 and 65535`;
  if (wildcard && (u.hostname.startsWith("[") || /^[\d.]+$/.test(u.hostname)))
    return `${JSON.stringify(g)}: a wildcard needs a domain name, not an address`;
  return { host: u.hostname, port, wildcard };
}

/** `allow.fetch` at `at`, each entry checked. */
export function fetchList(allow: Obj, at: string): string[] {
  const list = strList(allow, "fetch", at, []);
  for (const g of list) {
    const p = parseFetchGrant(g);
    if (typeof p === "string") throw new ConfigError(`${at}fetch`, p);
  }
  return list;
}
