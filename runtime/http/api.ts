// The daemon's HTTP API: the same JSON command protocol as the admin socket, for callers that
// present a key (`tsmgr auth add NAME --caps r`); their caps decide which commands they may run.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Errno, errorResponse, MAX_REQUEST_BYTES, parseRequest, type WireResponse } from "./protocol.ts";
import type { RequestHandler } from "./asok.ts";
import { type ConnectionGuard, type ConnectionLimits, defaultLimits, guardHttpServer } from "./_conn-guard.ts";

export interface HttpApiOptions {
  /** default: a quarter of the descriptor limit (at most 1024), idle connections closed after 5 s */
  limits?: Partial<ConnectionLimits>;
  /** hears of refused connections (at most every 10 s) */
  onShed?: (reason: string, count: number) => void;
}

export class HttpApi {
  readonly #server: Server;
  readonly guard: ConnectionGuard;
  address = "";

  private constructor(handler: RequestHandler, capsFor: (key: string) => string | undefined, opts: HttpApiOptions) {
    // headersTimeout is enforced on this interval: Node's default (30 s) let idle sockets live that long
    this.#server = createServer(
      { connectionsCheckingInterval: 1_000 },
      (req, res) => void this.#serve(req, res, handler, capsFor),
    );
    this.guard = guardHttpServer(this.#server, { ...defaultLimits(1 / 4, 1024, 5_000), ...opts.limits }, opts.onShed);
  }

  static async listen(
    listen: string,
    handler: RequestHandler,
    capsFor: (key: string) => string | undefined,
    opts: HttpApiOptions = {},
  ): Promise<HttpApi> {
    const api = new HttpApi(handler, capsFor, opts);
    const i = listen.lastIndexOf(":");
    const host = listen.slice(0, i).replace(/^\[|\]$/g, "");
    const port = Number(listen.slice(i + 1));
    await new Promise<void>((resolve, reject) => {
      api.#server.once("error", (e: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `http.listen ${listen}: ${e.code === "EADDRINUSE" ? "the address is in use (another daemon? set a different http.listen in mgr.json)" : e.message}`,
          ),
        ),
      );
      api.#server.listen(port, host, () => resolve());
    });
    const a = api.#server.address();
    api.address =
      typeof a === "object" && a ? `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}` : listen;
    return api;
  }

  async #serve(
    req: IncomingMessage,
    res: ServerResponse,
    handler: RequestHandler,
    capsFor: (key: string) => string | undefined,
  ): Promise<void> {
    const send = (status: number, body: WireResponse | object) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url !== "/api/v1/command")
      return send(
        404,
        errorResponse(Errno.ENOENT, `no such endpoint ${req.method} ${req.url}: use POST /api/v1/command`),
      );
    if (req.method !== "POST") return send(405, errorResponse(Errno.EINVAL, "use POST with a JSON body"));
    const auth = req.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const caps = key ? capsFor(key) : undefined;
    if (caps === undefined)
      return send(
        401,
        errorResponse(
          Errno.EACCES,
          key
            ? "unknown key"
            : "missing key: send Authorization: Bearer KEY (create one with tsmgr auth add NAME --caps r)",
        ),
      );
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_REQUEST_BYTES)
        return send(413, errorResponse(Errno.EINVAL, `request body larger than ${MAX_REQUEST_BYTES} bytes`));
      chunks.push(c as Buffer);
    }
    const parsed = parseRequest(Buffer.concat(chunks).toString("utf8"));
    if (typeof parsed === "string") return send(400, errorResponse(Errno.EINVAL, parsed));
    parsed.forwarded = false;
    const out = await handler(parsed, caps).catch((e: Error) =>
      errorResponse(Errno.EIO, `internal error: ${e.message}`),
    );
    send(out.retval === -Errno.EACCES ? 403 : 200, out);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
