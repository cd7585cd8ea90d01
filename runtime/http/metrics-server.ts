// The daemon's own Prometheus endpoint (mgr.json `http.metrics`, off by default): GET /metrics
// answers the text a registry renders; anything else is 404. No auth: bind it to an address
// only the scraper reaches (the figures say what modules cost, not what they hold).
import { createServer, type Server } from "node:http";

export class MetricsServer {
  readonly #server: Server;
  address = "";

  private constructor(render: () => Promise<string>, contentType: string) {
    this.#server = createServer({ connectionsCheckingInterval: 1_000, requestTimeout: 10_000 }, (req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("tsmgr serves Prometheus metrics at GET /metrics\n");
        return;
      }
      render().then(
        (text) => res.writeHead(200, { "content-type": contentType }).end(text),
        (e: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${e.message}\n`),
      );
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  static async listen(address: string, render: () => Promise<string>, contentType: string): Promise<MetricsServer> {
    const s = new MetricsServer(render, contentType);
    const i = address.lastIndexOf(":");
    const host = address.slice(0, i).replace(/^\[|\]$/g, "");
    await new Promise<void>((resolve, reject) => {
      s.#server.once("error", (e: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `http.metrics ${address}: ${e.code === "EADDRINUSE" ? "the address is in use (set a different http.metrics in mgr.json)" : e.message}`,
          ),
        ),
      );
      s.#server.listen(Number(address.slice(i + 1)), host, () => resolve());
    });
    const a = s.#server.address();
    s.address =
      typeof a === "object" && a ? `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}` : address;
    return s;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
