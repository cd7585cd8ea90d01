// Where a module's fetch() may go: the URL's host must be granted (modules.NAME.allow.fetch),
// and every address the name resolves to is checked: a loopback, link-local or unspecified
// address needs a grant of that address itself, so a granted name that resolves to 127.0.0.1
// (by design or by a DNS trick) cannot reach the daemon's own API, etcd or a metadata service.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseFetchGrant, type FetchGrant } from "../config/fetch-grants.ts";
import { PermissionDenied } from "../errors.ts";

/** Resolves a host name to every address (dns.lookup, so /etc/hosts counts, as for the OS). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export function parseGrants(list: readonly string[]): FetchGrant[] {
  return list.map((g) => parseFetchGrant(g)).filter((g): g is FetchGrant => typeof g !== "string");
}

const defaultPort = (u: URL) => (u.port !== "" ? Number(u.port) : u.protocol === "https:" ? 443 : 80);

function matches(g: FetchGrant, host: string, port: number): boolean {
  if (g.port !== undefined && g.port !== port) return false;
  return g.wildcard ? host.endsWith(`.${g.host}`) : host === g.host;
}

/** An address in the loopback, link-local or unspecified ranges (IPv4-mapped IPv6 included). */
export function isInternal(address: string): boolean {
  let a = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) a = mapped[1]!;
  if (isIP(a) === 4) {
    const [x, y] = a.split(".").map(Number) as [number, number];
    return x === 127 || x === 0 || (x === 169 && y === 254);
  }
  if (a === "::1" || a === "::") return true;
  return /^fe[89ab][0-9a-f]?:/.test(a);
}

export interface Checked {
  /** the address to connect to: checked, and pinned so a second resolution cannot rebind */
  address: string;
  family: number;
  port: number;
}

/**
 * Checks one hop (`via`: the URL that redirected here) and resolves it. Throws PermissionDenied
 * naming modules.NAME.allow.fetch and the grant that would allow it.
 */
export async function checkHop(
  module: string,
  grants: readonly FetchGrant[],
  url: URL,
  via: string | undefined,
  resolve: Resolver,
): Promise<Checked> {
  const port = defaultPort(url);
  const host = url.hostname;
  const key = `modules.${module}.allow.fetch`;
  const from = via === undefined ? "" : ` (a redirect from ${JSON.stringify(via)})`;
  if (!grants.some((g) => matches(g, host, port))) {
    throw new PermissionDenied(
      `module "${module}" requires fetch access to "${host}:${port}"${from}: grant it in mgr.json at ${key}`,
    );
  }
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  const addrs = isIP(bare) !== 0 ? [{ address: bare, family: isIP(bare) }] : await resolve(bare);
  if (addrs.length === 0) throw new TypeError(`fetch(): ${JSON.stringify(host)} did not resolve to any address`);
  for (const a of addrs) {
    if (!isInternal(a.address) || isIP(bare) !== 0) continue;
    const literal = a.family === 6 ? `[${a.address}]` : a.address;
    const norm = new URL(`http://${literal}`).hostname;
    if (!grants.some((g) => !g.wildcard && g.host === norm && (g.port === undefined || g.port === port))) {
      throw new PermissionDenied(
        `module "${module}" may not fetch "${host}:${port}"${from}: it resolves to ${a.address}, a loopback or link-local address, which needs its own grant: add "${literal}:${port}" to ${key} in mgr.json`,
      );
    }
  }
  return { address: addrs[0]!.address, family: addrs[0]!.family, port };
}
