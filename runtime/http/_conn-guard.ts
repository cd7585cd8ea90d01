// Connection limits for every listener (HTTP API, module HTTP, admin socket): a cap per listener
// and per peer, idle connections closed after a few seconds, and caps sized well below the
// process's descriptor limit so a flood of idle connections can never starve the admin socket
// or the store of descriptors.
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionLimits {
  /** connections open at once on this listener */
  maxConnections: number;
  /** connections open at once from one remote address (TCP only) */
  maxPerPeer: number;
  /** a connection with no request in flight and no traffic for this long is closed */
  idleMs: number;
}

/** The soft RLIMIT_NOFILE (Node raises it to the hard limit at start); 1024 when unreadable. */
export function fdLimit(): number {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s+/)[3];
    const n = Number(soft);
    if (Number.isInteger(n) && n > 0) return n;
    if (soft === "unlimited") return 1 << 20;
  } catch {
    // not Linux: assume the common default
  }
  return 1024;
}

/**
 * Default limits for one listener: `share` of the descriptor limit (the HTTP API gets 1/4,
 * each module server 1/8, the admin socket 1/16), so that all listeners together leave well
 * over a third of the descriptors to the store, isolates, the module watcher and the admin socket.
 */
export function defaultLimits(share: number, ceiling: number, idleMs: number): ConnectionLimits {
  const max = Math.max(8, Math.min(ceiling, Math.floor(fdLimit() * share)));
  return { maxConnections: max, maxPerPeer: Math.max(4, Math.floor(max / 2)), idleMs };
}

/** Checks caller-given limits (tests and the daemon's wiring pass them). */
export function checkLimits(l: ConnectionLimits): ConnectionLimits {
  for (const k of ["maxConnections", "maxPerPeer", "idleMs"] as const) {
    if (!Number.isInteger(l[k]) || l[k] < 1)
      throw new RangeError(`connection limit ${k} must be a positive integer, got ${JSON.stringify(l[k])}`);
  }
  return l;
}

interface Conn {
  peer: string;
  busy: number;
}

/**
 * Tracks a listener's open connections. A new connection over a cap first sheds the oldest
 * idle connection (of the same peer when the peer is over its cap), so idle floods cannot lock
 * out a real client; when every connection is busy the new one is refused (closed at once).
 */
export class ConnectionGuard {
  readonly limits: ConnectionLimits;
  // insertion order = age: the first idle entry is the oldest idle connection
  readonly #conns = new Map<Socket, Conn>();
  readonly #perPeer = new Map<string, number>();
  readonly #onShed: (reason: string, count: number) => void;
  #lastReport = 0;
  #unreported = 0;
  /** connections refused or shed since the start */
  shed = 0;

  /** `onShed` hears of refusals at most every 10 s (a flood must not flood the log too). */
  constructor(limits: ConnectionLimits, onShed: (reason: string, count: number) => void = () => {}) {
    this.limits = checkLimits(limits);
    this.#onShed = onShed;
  }

  get size(): number {
    return this.#conns.size;
  }

  /** Call on each new connection; false means it was refused and destroyed. */
  admit(sock: Socket): boolean {
    const peer = sock.remoteAddress ?? "local";
    if ((this.#perPeer.get(peer) ?? 0) >= this.limits.maxPerPeer && !this.#evictIdle(peer)) {
      return this.#refuse(sock, `more than ${this.limits.maxPerPeer} connections from ${peer}`);
    }
    if (this.#conns.size >= this.limits.maxConnections && !this.#evictIdle()) {
      return this.#refuse(sock, `more than ${this.limits.maxConnections} connections`);
    }
    this.#conns.set(sock, { peer, busy: 0 });
    this.#perPeer.set(peer, (this.#perPeer.get(peer) ?? 0) + 1);
    sock.setTimeout(this.limits.idleMs);
    // the idle timer also fires while a request runs (a long command is silent): keep those
    sock.on("timeout", () => {
      if ((this.#conns.get(sock)?.busy ?? 0) === 0) sock.destroy();
    });
    sock.once("close", () => this.#forget(sock));
    return true;
  }

  /** A request started on this connection: it is not idle until `idle()`. */
  busy(sock: Socket): void {
    const c = this.#conns.get(sock);
    if (c) c.busy++;
  }

  idle(sock: Socket): void {
    const c = this.#conns.get(sock);
    if (c && c.busy > 0) c.busy--;
  }

  #evictIdle(peer?: string): boolean {
    for (const [sock, c] of this.#conns) {
      if (c.busy > 0 || (peer !== undefined && c.peer !== peer)) continue;
      this.#forget(sock);
      sock.destroy();
      this.shed++;
      return true;
    }
    return false;
  }

  #refuse(sock: Socket, reason: string): false {
    sock.destroy();
    this.shed++;
    this.#unreported++;
    const now = Date.now();
    if (now - this.#lastReport >= 10_000) {
      this.#onShed(reason, this.#unreported);
      this.#lastReport = now;
      this.#unreported = 0;
    }
    return false;
  }

  #forget(sock: Socket): void {
    const c = this.#conns.get(sock);
    if (!c) return;
    this.#conns.delete(sock);
    const n = (this.#perPeer.get(c.peer) ?? 1) - 1;
    if (n > 0) this.#perPeer.set(c.peer, n);
    else this.#perPeer.delete(c.peer);
  }
}

/**
 * Puts an HTTP server under a guard: idle keep-alive connections close after `idleMs`, headers
 * must arrive within 5 s and a whole request within 15 s (checked every second, not Node's
 * default 30 s), and a connection counts as busy from its request until the response closes.
 */
export function guardHttpServer(
  server: Server,
  limits: ConnectionLimits,
  onShed?: (reason: string, count: number) => void,
): ConnectionGuard {
  const guard = new ConnectionGuard(limits, onShed);
  server.keepAliveTimeout = limits.idleMs;
  server.headersTimeout = 5_000;
  server.requestTimeout = 15_000;
  server.on("connection", (sock: Socket) => guard.admit(sock));
  // with a listener here Node leaves a timed-out socket to the guard (which keeps busy ones)
  server.on("timeout", () => {});
  server.on("request", (req, res) => {
    guard.busy(req.socket);
    res.once("close", () => guard.idle(req.socket));
  });
  return guard;
}
