// HTTP for modules, Deno-style: the host owns the socket on the address granted in mgr.json
// (`allow.net`) and hands each request, as plain data, to the module's handler in its isolate,
// with a body-size limit and a per-request deadline.
import { createServer, type Server } from "node:http";

export interface ModuleHttpTarget {
  http(req: object, timeoutMs: number): Promise<{ status: number; headers: Record<string, string>; body: string; encoding: string }>;
}

export const MAX_BODY_BYTES = 1024 * 1024;

export class ModuleHttpServer {
  readonly #server: Server;
  uri = "";

  private constructor(target: () => ModuleHttpTarget | undefined, timeoutMs: number) {
    this.#server = createServer(async (req, res) => {
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
      const t = target();
      if (!t) {
        res.writeHead(503, { "content-type": "text/plain" }).end("module is not running\n");
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      try {
        // only path and query come from the client: the origin is always this server's
        const sent = new URL(req.url ?? "/", "http://h");
        const url = new URL(sent.pathname + sent.search, this.uri);
        const query = Object.fromEntries(url.searchParams);
        const out = await t.http({ method: req.method ?? "GET", url: url.href, path: url.pathname, query, headers, body: Buffer.concat(chunks).toString("utf8") }, timeoutMs);
        const status = Number.isInteger(out.status) && out.status >= 100 && out.status <= 599 ? out.status : 500;
        const safe: Record<string, string> = {};
        for (const [k, v] of Object.entries(out.headers)) if (/^[A-Za-z0-9-]+$/.test(k) && !/[\r\n]/.test(v)) safe[k] = v;
        res.writeHead(status, safe).end(Buffer.from(out.body, out.encoding === "latin1" ? "latin1" : "utf8"));
      } catch (e) {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`module error: ${(e as Error).message}\n`);
      }
    });
    this.#server.requestTimeout = 30_000;
  }

  static async listen(addr: string, target: () => ModuleHttpTarget | undefined, timeoutMs: number): Promise<ModuleHttpServer> {
    const s = new ModuleHttpServer(target, timeoutMs);
    const i = addr.lastIndexOf(":");
    await new Promise<void>((resolve, reject) => {
      s.#server.once("error", reject);
      s.#server.listen(Number(addr.slice(i + 1)), addr.slice(0, i).replace(/^\[|\]$/g, ""), () => resolve());
    });
    s.uri = `http://${addr}/`;
    return s;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
