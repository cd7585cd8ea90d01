// The admin socket: a Unix socket at DATADIR/mgr.ID.asok, mode 0600 (only the daemon's user),
// carrying one JSON request per line and one JSON answer per line, matched by `id`.
import { chmodSync, unlinkSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { Errno, errorResponse, MAX_REQUEST_BYTES, parseRequest, type WireRequest, type WireResponse } from "./protocol.ts";

export type RequestHandler = (req: WireRequest, caps: string) => Promise<WireResponse>;

export class AdminSocket {
  readonly path: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(path: string, handler: RequestHandler) {
    this.path = path;
    this.#server = createServer((sock) => this.#serve(sock, handler));
  }

  static async listen(path: string, handler: RequestHandler): Promise<AdminSocket> {
    const s = new AdminSocket(path, handler);
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

  #serve(sock: Socket, handler: RequestHandler): void {
    this.#sockets.add(sock);
    sock.on("close", () => this.#sockets.delete(sock));
    sock.on("error", () => {});
    sock.setEncoding("utf8");
    let buf = "";
    const reply = (r: WireResponse) => {
      if (!sock.destroyed) sock.write(JSON.stringify(r) + "\n");
    };
    sock.on("data", (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === "") continue;
        const req = parseRequest(line);
        if (typeof req === "string") {
          reply(errorResponse(Errno.EINVAL, req));
          continue;
        }
        handler(req, "*").then(reply, (e: Error) => reply(errorResponse(Errno.EIO, `internal error: ${e.message}`, req.id)));
      }
      if (buf.length > MAX_REQUEST_BYTES) {
        reply(errorResponse(Errno.EINVAL, `request larger than ${MAX_REQUEST_BYTES} bytes: refused`));
        sock.end();
        buf = "";
      }
    });
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
