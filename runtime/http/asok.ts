// The admin socket: a Unix socket at DATADIR/mgr.ID.asok, mode 0600 (only the daemon's user),
// carrying one JSON request per line and one JSON answer per line, matched by `id` — and
// Ceph's admin-socket protocol, so `ceph --admin-daemon PATH status` works (_ceph-asok.ts).
import { chmodSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { AsokConnection } from "./_asok-connection.ts";
import type { CommandListing } from "./_ceph-asok.ts";
import { ConnectionGuard, type ConnectionLimits, defaultLimits } from "./_conn-guard.ts";
import type { RequestHandler } from "./protocol.ts";

export type { RequestHandler } from "./protocol.ts";

export interface AdminSocketOptions {
  /** every command, for Ceph's get_command_descriptions (the daemon passes its router's help()) */
  commands?: () => readonly CommandListing[];
  /** default: a sixteenth of the descriptor limit (at most 128), idle connections closed after 10 s */
  limits?: Partial<ConnectionLimits>;
  /** a request whose first bytes arrived must be complete within this many ms (default 10 s) */
  requestMs?: number;
}

export class AdminSocket {
  readonly path: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly guard: ConnectionGuard;

  private constructor(path: string, handler: RequestHandler, opts: AdminSocketOptions) {
    this.path = path;
    this.guard = new ConnectionGuard({ ...defaultLimits(1 / 16, 128, 10_000), ...opts.limits });
    const requestMs = opts.requestMs ?? 10_000;
    if (!Number.isInteger(requestMs) || requestMs < 1)
      throw new RangeError(`requestMs must be a positive integer, got ${JSON.stringify(requestMs)}`);
    const ctx = { guard: this.guard, handler, listing: opts.commands ?? (() => []), requestMs };
    this.#server = createServer((sock) => {
      if (!this.guard.admit(sock)) return;
      this.#sockets.add(sock);
      sock.on("close", () => this.#sockets.delete(sock));
      sock.on("error", () => {});
      new AsokConnection(sock, ctx);
    });
  }

  static async listen(path: string, handler: RequestHandler, opts: AdminSocketOptions = {}): Promise<AdminSocket> {
    const s = new AdminSocket(path, handler, opts);
    try {
      unlinkSync(path); // stale socket of a dead daemon (the caller checked no live daemon uses it)
    } catch {
      // none
    }
    await new Promise<void>((resolve, reject) => {
      s.#server.once("error", reject);
      s.#server.listen(path, () => {
        s.#server.off("error", reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server.close(() => r()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
