// A local HTTP server on 127.0.0.1 for the fetch() tests: every route a test needs, nothing
// else. Tests never send traffic anywhere but here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  port: number;
  /** requests seen, as "METHOD /path" */
  seen: string[];
  /** /slow requests open now, and the most ever open at once */
  slowOpen: number;
  slowMax: number;
  /** headers of the last request */
  lastHeaders: IncomingMessage["headers"];
  close(): Promise<void>;
}

function route(req: IncomingMessage, res: ServerResponse, body: Buffer, s: TestServer): void {
  const u = new URL(req.url ?? "/", "http://127.0.0.1");
  const to = u.searchParams.get("to");
  switch (u.pathname) {
    case "/echo":
      res.setHeader("content-type", "application/json");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.end(JSON.stringify({ method: req.method, body: body.toString("utf8"), headers: req.headers }));
      return;
    case "/redirect":
      res.writeHead(Number(u.searchParams.get("status") ?? 302), { location: to ?? "/echo" });
      res.end();
      return;
    case "/huge":
      // no content-length: the cap must hold while the body streams in
      res.write(Buffer.alloc(64 * 1024, 120));
      for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024, 120));
      res.end();
      return;
    case "/declared-huge":
      res.writeHead(200, { "content-length": String(1 << 30) });
      res.write("x");
      return;
    case "/slow":
      // answers never: the timeout or an abort must end the request
      s.slowOpen++;
      s.slowMax = Math.max(s.slowMax, s.slowOpen);
      res.on("close", () => s.slowOpen--);
      res.writeHead(200);
      res.write("partial");
      return;
    case "/bytes":
      res.end(Buffer.from([0, 1, 2, 254, 255]));
      return;
    default:
      res.writeHead(404);
      res.end("not found");
  }
  void s;
}

export async function startServer(): Promise<TestServer> {
  const sockets = new Set<import("node:net").Socket>();
  const s: TestServer = { port: 0, seen: [], slowOpen: 0, slowMax: 0, lastHeaders: {}, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      s.seen.push(`${req.method} ${req.url}`);
      s.lastHeaders = req.headers;
      route(req, res, Buffer.concat(chunks), s);
    });
  });
  server.on("connection", (c) => (sockets.add(c), c.on("close", () => sockets.delete(c))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  s.port = (server.address() as AddressInfo).port;
  s.close = () => {
    for (const c of sockets) c.destroy();
    return new Promise((r) => server.close(() => r()));
  };
  return s;
}
