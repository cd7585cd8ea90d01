// The client side of the command protocol: one request over an admin socket (or HTTP), with a
// deadline. Used by the CLI and by a standby forwarding a command to the active daemon.
import { createConnection } from "node:net";
import { Errno, errorResponse, type WireRequest, type WireResponse } from "./protocol.ts";

/** Thrown when nothing answers at the address (no daemon there). */
export class NoDaemon extends Error {
  override name = "NoDaemon";
}

export function requestAsok(path: string, req: WireRequest, timeoutMs: number): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    let buf = "";
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          resolve(errorResponse(Errno.ETIMEDOUT, `no answer from the daemon at ${path} within ${timeoutMs} ms`)),
        ),
      timeoutMs,
    );
    sock.setEncoding("utf8");
    sock.on("connect", () => sock.write(JSON.stringify(req) + "\n"));
    sock.on("data", (d: string) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      finish(() => {
        try {
          resolve(JSON.parse(buf.slice(0, nl)) as WireResponse);
        } catch {
          resolve(errorResponse(Errno.EIO, `the daemon at ${path} sent an answer that is not JSON`));
        }
      });
    });
    sock.on("error", (e: NodeJS.ErrnoException) => {
      finish(() =>
        e.code === "ENOENT" || e.code === "ECONNREFUSED"
          ? reject(new NoDaemon(`no daemon listening at ${path}`))
          : resolve(errorResponse(Errno.EIO, `admin socket ${path}: ${e.message}`)),
      );
    });
    sock.on("close", () =>
      finish(() => resolve(errorResponse(Errno.EIO, `the daemon at ${path} closed the connection without answering`))),
    );
  });
}

/** The same request over HTTP (`addr` is host:port), with an optional key. */
export async function requestHttp(
  addr: string,
  req: WireRequest,
  timeoutMs: number,
  key?: string,
): Promise<WireResponse> {
  try {
    const res = await fetch(`http://${addr}/api/v1/command`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(req),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return (await res.json()) as WireResponse;
  } catch (e) {
    const err = e as Error;
    if (err.name === "TimeoutError")
      return errorResponse(Errno.ETIMEDOUT, `no answer from ${addr} within ${timeoutMs} ms`);
    throw new NoDaemon(`no daemon answering at http://${addr}: ${err.message}`);
  }
}
