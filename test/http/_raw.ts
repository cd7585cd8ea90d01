// Raw HTTP/1.1 over a TCP socket, for tests that must see the bytes on the wire: pipelined
// requests, and a parser that splits the answer stream into responses by its own framing
// (as a client or proxy would), so a response that smuggles a second one shows up as two.
import { connect, createServer } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Writes `paths` as GET requests in one write (the last with Connection: close); resolves with every byte the server sent until it closed. */
export function pipelined(port: number, paths: string[]): Promise<string> {
  const reqs = paths
    .map((p, i) => `GET ${p} HTTP/1.1\r\nHost: t\r\n${i === paths.length - 1 ? "Connection: close\r\n" : ""}\r\n`)
    .join("");
  return new Promise((resolve) => {
    let got = "";
    const s = connect(port, "127.0.0.1", () => s.write(reqs));
    s.setEncoding("latin1");
    s.on("data", (c: string) => (got += c));
    s.on("close", () => resolve(got));
    s.on("error", () => {});
  });
}

/** Splits a byte stream into responses by Content-Length and chunked framing. */
export function parseResponses(raw: string): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) throw new Error(`incomplete response head: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]);
    if (!status) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const l of lines) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
    rest = rest.slice(end + 4);
    let body = "";
    if (headers["transfer-encoding"] === "chunked") {
      for (;;) {
        const nl = rest.indexOf("\r\n");
        const size = parseInt(rest.slice(0, nl), 16);
        body += rest.slice(nl + 2, nl + 2 + size);
        rest = rest.slice(nl + 2 + size + 2);
        if (size === 0) break;
      }
    } else if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      body = rest.slice(0, n);
      rest = rest.slice(n);
    } else if (status >= 200 && status !== 204 && status !== 304) {
      body = rest;
      rest = "";
    }
    out.push({ status, headers, body });
  }
  return out;
}
