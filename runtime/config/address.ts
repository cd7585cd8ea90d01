// Checks a "host:port" address from mgr.json before anything tries to bind it, so that a typo is
// a config error naming the field (exit 2), not a stack trace from listen().
import { isIP } from "node:net";
import { ConfigError } from "../errors.ts";

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 chars at most. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function hostProblem(host: string): string | undefined {
  if (host.startsWith("[") && host.endsWith("]")) {
    return isIP(host.slice(1, -1)) === 6 ? undefined : `${JSON.stringify(host)} is not an IPv6 address in brackets`;
  }
  if (isIP(host) === 4) return undefined;
  if (/^[\d.]+$/.test(host)) return `${JSON.stringify(host)} is not an IPv4 address`;
  if (host.length > 253 || !host.split(".").every((l) => LABEL.test(l))) {
    return `${JSON.stringify(host)} is not a host name or IP address`;
  }
  return undefined;
}

/**
 * Throws a ConfigError at `field` unless `addr` is "HOST:PORT" with a port 0–65535 and HOST an
 * IPv4 address, a bracketed IPv6 address or a host name. `example` shows the right form.
 */
export function checkAddress(addr: string, field: string, example: string): void {
  const colon = addr.lastIndexOf(":");
  const host = colon > 0 ? addr.slice(0, colon) : "";
  const port = colon > 0 ? addr.slice(colon + 1) : "";
  if (!host || !/^\d{1,5}$/.test(port)) {
    throw new ConfigError(field, `${JSON.stringify(addr)} is not an address such as ${JSON.stringify(example)}`);
  }
  if (Number(port) > 65535) {
    throw new ConfigError(field, `${JSON.stringify(addr)}: port ${port} is out of range: ports are 0 to 65535`);
  }
  const problem = hostProblem(host);
  if (problem) throw new ConfigError(field, `${JSON.stringify(addr)}: ${problem} (e.g. ${JSON.stringify(example)})`);
}
