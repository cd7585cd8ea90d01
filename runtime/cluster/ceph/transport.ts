// librados for Node: one long-lived `rados_helper.py` child on Debian's python3-rados, spoken to
// in framed JSON over its pipes. Each call gets an id; answers come back in any order. The child is
// spawned only when the ceph backend starts, so a machine without Ceph's libraries never needs it.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CephBackendError } from "./errors.ts";

export const HELPER_PATH = fileURLToPath(new URL("./rados_helper.py", import.meta.url));
/**
 * The system interpreter: a pyenv `python3` earlier on PATH cannot import Debian's `rados`.
 * TSMGR_CEPH_PYTHON overrides it (another layout, or a test of the missing-package path).
 */
export const DEFAULT_PYTHON = "/usr/bin/python3";
const pythonPath = (given?: string) => given ?? (process.env.TSMGR_CEPH_PYTHON || DEFAULT_PYTHON);
export const INSTALL_HINT = "apt-get install -y --no-install-recommends python3-rados";

const ETIMEDOUT = 110;
const ENOTCONN = 107;

export interface RadosConnectOptions {
  conf: string;
  keyring: string;
  name: string;
  /** librados' mon/osd op timeout: a command to an unreachable mon fails with -110 after this */
  timeoutMs: number;
  connectTimeoutMs: number;
  python?: string;
  /** cluster log level to subscribe to ("info", "debug", ...); "" for none */
  logLevel?: string;
  workers?: number;
}

export interface RawResult {
  /** 0 or a negative errno, as librados returns it */
  r: number;
  /** the output buffer, as bytes */
  out: Buffer;
  outs: string;
}

/** One cluster log entry as the helper reports it (librados' monitor_log2 callback). */
export interface RawLogEntry {
  channel: string;
  name: string;
  who: string;
  sec: number;
  nsec: number;
  seq: number;
  priority: string;
  message: string;
}

export interface ReadyInfo {
  fsid: string;
  addr: string;
  version: number[];
}

interface Pending {
  resolve: (r: RawResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Header {
  id?: number;
  ev?: string;
  r?: number;
  outs?: string;
  len: number;
  [k: string]: unknown;
}

export type TransportTarget = string | number | null;

/** One helper process. `exited` settles when it is gone; a new connection needs a new Transport. */
export class RadosTransport {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, Pending>();
  readonly #onLog: (e: RawLogEntry) => void;
  readonly #slackMs = 2000;
  readonly #timeoutMs: number;
  readonly #opts: RadosConnectOptions;
  readonly #readyHooks: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void };
  #nextId = 1;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #header: Header | undefined;
  #stderr = "";
  #alive = true;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  readonly ready: Promise<ReadyInfo>;

  private constructor(opts: RadosConnectOptions, onLog: (e: RawLogEntry) => void) {
    this.#onLog = onLog;
    this.#opts = opts;
    this.#timeoutMs = opts.timeoutMs;
    const python = pythonPath(opts.python);
    const arg = JSON.stringify({
      conf: opts.conf,
      keyring: opts.keyring,
      name: opts.name,
      timeout_s: Math.max(1, Math.ceil(opts.timeoutMs / 1000)),
      connect_timeout_s: Math.max(1, Math.ceil(opts.connectTimeoutMs / 1000)),
      workers: opts.workers ?? 8,
      log_level: opts.logLevel ?? "info",
    });
    this.#child = spawn(python, ["-u", HELPER_PATH, arg], { stdio: ["pipe", "pipe", "pipe"] });
    let readyResolve!: (r: ReadyInfo) => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((readyResolve = res), (readyReject = rej)));
    this.ready.catch(() => {});
    this.#readyHooks = { resolve: readyResolve, reject: readyReject };
    this.exited = new Promise((resolve) => {
      this.#child.on("error", (e: NodeJS.ErrnoException) => {
        this.#alive = false;
        readyReject(
          e.code === "ENOENT"
            ? new CephBackendError(
                "ENOPKG",
                `the ceph cluster backend runs librados through ${python} with Debian's python3-rados, and ${python} does not exist: ${INSTALL_HINT}`,
              )
            : new CephBackendError(
                "EHELPER",
                `cannot start the librados helper (${python} ${HELPER_PATH}): ${e.message}`,
              ),
        );
        resolve({ code: null, signal: null });
      });
      this.#child.on("exit", (code, signal) => {
        this.#alive = false;
        readyReject(
          new CephBackendError(
            "EHELPER",
            `the librados helper exited during start (code ${code ?? signal}): ${this.#stderr.trim().slice(-500) || "no output"}`,
          ),
        );
        this.#failAll(`the librados helper exited (code ${code ?? signal})`);
        resolve({ code, signal });
      });
    });
    this.#child.stdout.on("data", (d: Buffer) => this.#onData(d));
    this.#child.stderr.on("data", (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
    });
    // a write to a helper that just died must not crash the daemon
    this.#child.stdin.on("error", () => {});
  }

  /** Spawns the helper and waits until librados is connected (or says why it cannot be). */
  static async connect(opts: RadosConnectOptions, onLog: (e: RawLogEntry) => void = () => {}): Promise<RadosTransport> {
    const python = pythonPath(opts.python);
    if (python.startsWith("/") && !existsSync(python)) {
      throw new CephBackendError(
        "ENOPKG",
        `the ceph cluster backend runs librados through ${python} with Debian's python3-rados, and ${python} does not exist: ${INSTALL_HINT}`,
      );
    }
    const t = new RadosTransport(opts, onLog);
    // librados gives up after client_mount_timeout by itself; this covers a helper that hangs anyway
    const guard = setTimeout(() => {
      t.#readyHooks.reject(
        new CephBackendError("ECONNECT", connectMessage(opts, 110, "the librados helper did not report back")),
      );
    }, opts.connectTimeoutMs + 5000);
    guard.unref();
    try {
      await t.ready;
    } catch (e) {
      await t.close();
      throw e;
    } finally {
      clearTimeout(guard);
    }
    return t;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Sends one command; never rejects: failures are negative errnos, as librados reports them. */
  call(op: "mon" | "mgr" | "osd", cmd: string, inbuf = "", target: TransportTarget = null): Promise<RawResult> {
    return this.#request({ op, cmd, inbuf, target });
  }

  /** Our own client's configuration values for the given option names (unknown ones are left out). */
  async conf(names: readonly string[]): Promise<Record<string, string>> {
    const r = await this.#request({ op: "conf", names });
    return r.r === 0 ? (JSON.parse(r.out.toString("utf8")) as Record<string, string>) : {};
  }

  ping(): Promise<RawResult> {
    return this.#request({ op: "ping" });
  }

  #request(body: Record<string, unknown>): Promise<RawResult> {
    if (!this.#alive) return Promise.resolve(failed(-ENOTCONN, "the librados helper is not running"));
    const id = this.#nextId++;
    return new Promise<RawResult>((resolve) => {
      // librados times mon and osd commands out by itself (this only covers a wedged helper);
      // mgr commands run without a librados timeout (see rados_helper.py) and end here
      const timer = setTimeout(
        () => {
          this.#pending.delete(id);
          resolve(failed(-ETIMEDOUT, "timed out"));
        },
        this.#timeoutMs + (body.op === "mgr" ? 0 : this.#slackMs),
      );
      timer.unref();
      this.#pending.set(id, { resolve, timer });
      this.#child.stdin.write(JSON.stringify({ id, ...body }) + "\n");
    });
  }

  /** Ends the helper: EOF first (it shuts librados down cleanly), SIGKILL if it lingers. */
  close(): Promise<void> {
    if (this.#alive) {
      this.#child.stdin.end();
      const kill = setTimeout(() => this.#child.kill("SIGKILL"), 3000);
      kill.unref();
      void this.exited.then(() => clearTimeout(kill));
    }
    this.#failAll("the ceph cluster backend stopped");
    return this.exited.then(() => {});
  }

  #failAll(why: string): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.resolve(failed(-ENOTCONN, why));
    }
  }

  // Frames: a JSON header line, then `len` raw bytes. Chunks are only joined once a frame is whole.
  #onData(d: Buffer): void {
    this.#chunks.push(d);
    this.#buffered += d.length;
    for (;;) {
      if (!this.#header) {
        const nl = this.#indexOfNewline();
        if (nl < 0) return;
        const all = this.#take(nl + 1);
        try {
          this.#header = JSON.parse(all.subarray(0, nl).toString("utf8")) as Header;
        } catch {
          continue; // not ours (a stray print from a library): skip the line
        }
      }
      const h = this.#header!;
      if (this.#buffered < h.len) return;
      const payload = h.len > 0 ? this.#take(h.len) : EMPTY;
      this.#header = undefined;
      this.#dispatch(h, payload);
    }
  }

  #indexOfNewline(): number {
    let offset = 0;
    for (const c of this.#chunks) {
      const i = c.indexOf(10);
      if (i >= 0) return offset + i;
      offset += c.length;
    }
    return -1;
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length ? [rest] : [];
    this.#buffered = rest.length;
    return out;
  }

  #dispatch(h: Header, payload: Buffer): void {
    if (h.id !== undefined) {
      const p = this.#pending.get(h.id);
      if (!p) return;
      this.#pending.delete(h.id);
      clearTimeout(p.timer);
      p.resolve({ r: h.r ?? -5, out: payload, outs: h.outs ?? "" });
      return;
    }
    switch (h.ev) {
      case "ready":
        this.#readyHooks.resolve({
          fsid: String(h.fsid ?? ""),
          addr: String(h.addr ?? ""),
          version: (h.version as number[]) ?? [],
        });
        return;
      case "log":
        this.#onLog(h.entry as RawLogEntry);
        return;
      case "fatal": {
        const code = h.code === "ENOPKG" ? "ENOPKG" : "ECONNECT";
        const message =
          code === "ENOPKG"
            ? `the ceph cluster backend needs Debian's python3-rados (the librados Python binding): ${INSTALL_HINT} (${String(h.message)})`
            : connectMessage(this.#opts, Number(h.errno) || 0, String(h.message));
        this.#readyHooks.reject(new CephBackendError(code, message, Number(h.errno) || 0));
        return;
      }
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** Why librados would not connect, in terms of mgr.json's cluster.ceph fields. */
function connectMessage(opts: RadosConnectOptions, errno: number, raw: string): string {
  const who = `as ${opts.name} with ${opts.conf}${opts.keyring ? ` and keyring ${opts.keyring}` : ""}`;
  switch (errno) {
    case 2:
      return `cannot connect to the Ceph cluster: cannot read ${opts.conf} (cluster.ceph.conf in mgr.json) or a file it names: ${raw}`;
    case 1:
    case 13:
      return `cannot connect to the Ceph cluster ${who}: the mons refused the credentials (check cluster.ceph.name and cluster.ceph.keyring in mgr.json): ${raw}`;
    case 110:
      return `cannot connect to the Ceph cluster ${who}: no mon answered within ${Math.ceil(opts.connectTimeoutMs / 1000)} s (is "mon host" in ${opts.conf} right, and the mons up?): ${raw}`;
    default:
      return `cannot connect to the Ceph cluster ${who}: ${raw}`;
  }
}

function failed(r: number, outs: string): RawResult {
  return { r, out: EMPTY, outs };
}
