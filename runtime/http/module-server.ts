// HTTP for modules, Deno-style: the host owns the socket on the address granted in mgr.json
// (`allow.net`) and hands each request, as plain data, to the module's handler in its isolate,
// with a body-size limit and a per-request deadline. The host frames every response itself.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type ConnectionGuard, type ConnectionLimits, defaultLimits, guardHttpServer } from "./_conn-guard.ts";
import { moduleResponseHeaders } from "./_response-headers.ts";

export interface ModuleHttpTarget {
  http(
    req: object,
    timeoutMs: number,
  ): Promise<{ status: number; headers: Record<string, string>; body: string; encoding: string }>;
}

export interface ModuleHttpOptions {
  /** default: an eighth of the descriptor limit (at most 256), idle connections closed after 5 s */
  limits?: Partial<ConnectionLimits>;
  /** hears why a module's response was refused, and of refused connections (at most every 10 s) */
  warn?: (msg: string) => void;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** 1xx would announce a second response on the same connection: only final statuses. */
function isFinalStatus(s: unknown): s is number {
  return typeof s === "number" && Number.isInteger(s) && s >= 200 && s <= 599;
}

export class ModuleHttpServer {
  readonly #server: Server;
  readonly #target: () => ModuleHttpTarget | undefined;
  readonly #timeoutMs: number;
  readonly #warn: (msg: string) => void;
  readonly guard: ConnectionGuard;
  uri = "";

  private constructor(target: () => ModuleHttpTarget | undefined, timeoutMs: number, opts: ModuleHttpOptions) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    this.#warn = opts.warn ?? (() => {});
    this.#server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => void this.#serve(req, res));
    this.guard = guardHttpServer(this.#server, { ...defaultLimits(1 / 8, 256, 5_000), ...opts.limits }, (reason, n) =>
      this.#warn(`refused ${n} HTTP connection(s): ${reason}`),
    );
  }

  static async listen(
    addr: string,
    target: () => ModuleHttpTarget | undefined,
    timeoutMs: number,
    opts: ModuleHttpOptions = {},
  ): Promise<ModuleHttpServer> {
    const s = new ModuleHttpServer(target, timeoutMs, opts);
    const i = addr.lastIndexOf(":");
    await new Promise<void>((resolve, reject) => {
      s.#server.once("error", reject);
      s.#server.listen(Number(addr.slice(i + 1)), addr.slice(0, i).replace(/^\[|\]$/g, ""), () => resolve());
    });
    s.uri = `http://${addr}/`;
    return s;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { "content-type": "text/plain" }).end(`request body larger than ${MAX_BODY_BYTES} bytes\n`);
        req.destroy();
        return;
      }
      chunks.push(c as Buffer);
    }
    const t = this.#target();
    if (!t) {
      res.writeHead(503, { "content-type": "text/plain" }).end("module is not running\n");
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    try {
      // only path and query come from the client: the origin is always this server's
      const sent = new URL(req.url ?? "/", "http://h");
      const url = new URL(sent.pathname + sent.search, this.uri);
      const query = Object.fromEntries(url.searchParams);
      const out = await t.http(
        {
          method: req.method ?? "GET",
          url: url.href,
          path: url.pathname,
          query,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
        },
        this.#timeoutMs,
      );
      this.#respond(req, res, out);
    } catch (e) {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`module error: ${(e as Error).message}\n`);
    }
  }

  #respond(
    req: IncomingMessage,
    res: ServerResponse,
    out: { status: unknown; headers: unknown; body: unknown; encoding: unknown },
  ): void {
    const headers = moduleResponseHeaders(out.headers);
    if (!isFinalStatus(out.status) || typeof headers === "string") {
      const why = isFinalStatus(out.status)
        ? headers
        : `status ${JSON.stringify(out.status)} is not an integer from 200 to 599`;
      this.#warn(`HTTP response to ${req.method} ${(req.url ?? "").slice(0, 200)} refused: ${why}`);
      res.writeHead(500, { "content-type": "text/plain" }).end(`module sent an invalid response: ${why}\n`);
      return;
    }
    const body = Buffer.from(
      typeof out.body === "string" ? out.body : "",
      out.encoding === "latin1" ? "latin1" : "utf8",
    );
    res.writeHead(out.status, { ...headers, "content-length": String(body.length) }).end(body);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
