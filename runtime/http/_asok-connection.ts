// One admin-socket connection. Its first bytes decide the protocol: Ceph's (a command ended by
// NUL, a first line that is a Ceph `{"prefix": ...}` command, or Ceph's old 4-byte binary
// request) or tsmgr's line protocol (one JSON request per line, answers matched by `id`, any
// number per connection). Nothing is buffered past MAX_REQUEST_BYTES, a started request must
// arrive whole within `requestMs`, and a client pipelining many requests is paused, not queued.
import type { Socket } from "node:net";
import { cephFrame, cephRequest, isCephCommand, OLD_PROTOCOL_COMMANDS, type CommandListing } from "./_ceph-asok.ts";
import type { ConnectionGuard } from "./_conn-guard.ts";
import {
  Errno,
  errorResponse,
  MAX_REQUEST_BYTES,
  parseRequest,
  type RequestHandler,
  type WireResponse,
} from "./protocol.ts";

const NL = 0x0a;
const NUL = 0x00;
/** line requests of one connection running at once before reading pauses */
const MAX_IN_FLIGHT = 32;

export interface ConnectionContext {
  guard: ConnectionGuard;
  handler: RequestHandler;
  listing: () => readonly CommandListing[];
  requestMs: number;
}

export class AsokConnection {
  readonly #sock: Socket;
  readonly #ctx: ConnectionContext;
  #mode: "detect" | "line" | "ceph" = "detect";
  #pending: Buffer[] = [];
  #size = 0;
  #inFlight = 0;
  #deadline: NodeJS.Timeout | undefined;

  constructor(sock: Socket, ctx: ConnectionContext) {
    this.#sock = sock;
    this.#ctx = ctx;
    sock.on("data", (chunk: Buffer) => this.#read(chunk));
    sock.on("close", () => clearTimeout(this.#deadline));
  }

  #read(chunk: Buffer): void {
    if (this.#mode === "ceph" || this.#sock.writableEnded) return; // Ceph: one command per connection, the rest is ignored
    if (this.#mode === "detect" && (this.#size > 0 ? this.#pending[0]![0] : chunk[0]) === NUL)
      return this.#readOld(chunk);
    let rest = chunk;
    while (rest.length > 0) {
      const end = this.#mode === "line" ? rest.indexOf(NL) : firstTerminator(rest);
      if (end < 0) return this.#hold(rest);
      const msg = this.#take(rest.subarray(0, end));
      if (msg === undefined) return;
      const terminator = rest[end];
      rest = rest.subarray(end + 1);
      if (this.#mode === "detect") {
        if (terminator === NUL || isCephCommand(msg)) return void this.#ceph(msg);
        this.#mode = "line";
      }
      this.#line(msg);
    }
  }

  /** Ceph's old protocol: a big-endian request code in 4 bytes, the first of them 0. */
  #readOld(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#size += chunk.length;
    if (this.#size < 4) return this.#armDeadline();
    const code = Buffer.concat(this.#pending).readUInt32BE(0);
    this.#pending = [];
    this.#size = 0;
    void this.#ceph(JSON.stringify({ prefix: OLD_PROTOCOL_COMMANDS[code] ?? "foo" }));
  }

  #hold(part: Buffer): void {
    this.#pending.push(part);
    this.#size += part.length;
    if (this.#size > MAX_REQUEST_BYTES) return this.#refuse(`request larger than ${MAX_REQUEST_BYTES} bytes: refused`);
    this.#armDeadline();
  }

  /** The held bytes plus `last`, as text (undefined: too large, refused); the buffer is empty afterwards. */
  #take(last: Buffer): string | undefined {
    const all = this.#size > 0 ? Buffer.concat([...this.#pending, last]) : last;
    this.#pending = [];
    this.#size = 0;
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
    if (all.length <= MAX_REQUEST_BYTES) return all.toString("utf8");
    this.#refuse(`request larger than ${MAX_REQUEST_BYTES} bytes: refused`);
    return undefined;
  }

  #armDeadline(): void {
    this.#deadline ??= setTimeout(
      () => this.#refuse(`request not complete within ${this.#ctx.requestMs} ms (end it with a newline): refused`),
      this.#ctx.requestMs,
    );
  }

  /** Answers in the line protocol (the default until a client shows it speaks Ceph's) and closes. */
  #refuse(message: string): void {
    this.#pending = [];
    this.#size = 0;
    if (this.#mode !== "ceph") this.#reply(errorResponse(Errno.EINVAL, message));
    this.#mode = "ceph"; // read nothing more
    this.#sock.end();
  }

  #line(text: string): void {
    if (this.#sock.writableEnded || text.trim() === "") return;
    const req = parseRequest(text);
    if (typeof req === "string") return this.#reply(errorResponse(Errno.EINVAL, req));
    this.#started();
    this.#ctx
      .handler(req, "*")
      .catch((e: Error) => errorResponse(Errno.EIO, `internal error: ${e.message}`, req.id))
      .then((r) => {
        this.#reply(r);
        this.#finished();
      });
  }

  async #ceph(text: string): Promise<void> {
    this.#mode = "ceph";
    this.#pending = [];
    this.#size = 0;
    clearTimeout(this.#deadline);
    this.#sock.pause();
    const req = cephRequest(text, this.#ctx.listing);
    this.#started();
    const out =
      "retval" in req
        ? req
        : await this.#ctx
            .handler(req, "*")
            .catch((e: Error) => errorResponse(Errno.EIO, `internal error: ${e.message}`));
    this.#finished();
    // a client that left mid-answer gets EPIPE, swallowed by the socket's error handler
    if (!this.#sock.destroyed) this.#sock.end(cephFrame(out));
  }

  #reply(r: WireResponse): void {
    if (!this.#sock.destroyed && !this.#sock.writableEnded) this.#sock.write(JSON.stringify(r) + "\n");
  }

  #started(): void {
    this.#ctx.guard.busy(this.#sock);
    if (++this.#inFlight >= MAX_IN_FLIGHT) this.#sock.pause();
  }

  #finished(): void {
    this.#ctx.guard.idle(this.#sock);
    if (--this.#inFlight < MAX_IN_FLIGHT && this.#mode === "line") this.#sock.resume();
  }
}

/** The first NUL or newline, whichever comes first. */
function firstTerminator(b: Buffer): number {
  const nl = b.indexOf(NL);
  const nul = b.indexOf(NUL);
  return nl < 0 ? nul : nul < 0 ? nl : Math.min(nl, nul);
}
