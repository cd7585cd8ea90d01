// The daemon's recent log in memory, for `tsmgr logs`: a running daemon's log goes to its
// stdout (a terminal, a journal, a pipe), so the CLI cannot read it back; this ring keeps the
// last records, each numbered, and `log tail since=N` answers the ones after a cursor.
import { pino, type Logger } from "pino";

/** Records kept: enough for a screenful of context and a follower polling twice a second. */
export const LOG_RING_SIZE = 2000;

/** What `log tail` answers: records newer than the cursor, and the cursor to ask with next. */
export interface LogTail {
  /** each record as the daemon logged it (pino's JSON), with its `seq` */
  records: Record<string, unknown>[];
  /** the seq of the newest record: pass it as `since` next time */
  next: number;
  /** records newer than `since` that had already left the ring */
  dropped: number;
}

const LEVELS: Record<string, number> = { debug: 20, info: 30, warn: 40, error: 50 };

export class LogRing {
  readonly #lines: string[] = [];
  #seq = 0;
  constructor(readonly size = LOG_RING_SIZE) {}

  push(line: string): void {
    this.#seq++;
    this.#lines.push(line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }

  /** Records after `since` (0: every record kept), of `module` only and at `level` or above when given. */
  tail(since: number, filter: { module?: string; level?: string } = {}): LogTail {
    const first = this.#seq - this.#lines.length + 1;
    // a cursor from a previous daemon (ahead of this one's count) starts over
    const from = since > this.#seq ? 0 : since;
    const min = filter.level ? (LEVELS[filter.level] ?? 0) : 0;
    const records: Record<string, unknown>[] = [];
    for (let i = Math.max(0, from - first + 1); i < this.#lines.length; i++) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(this.#lines[i]!) as Record<string, unknown>;
      } catch {
        rec = { msg: this.#lines[i]! };
      }
      if (filter.module !== undefined && rec.module !== filter.module) continue;
      if (typeof rec.level === "number" && rec.level < min) continue;
      records.push({ seq: first + i, ...rec });
    }
    return { records, next: this.#seq, dropped: Math.max(0, first - from - 1) };
  }
}

/**
 * Copies every line `log` (and its children, which share its destination) writes into a new
 * ring. The destination's write is wrapped in place: pino exposes no other hook on a logger
 * that already exists, and the daemon's logger is made by whoever starts it (tests pass theirs).
 */
export function attachLogRing(log: Logger, size = LOG_RING_SIZE): LogRing {
  const ring = new LogRing(size);
  const stream = (log as unknown as Record<symbol, { write(line: string): unknown }>)[pino.symbols.streamSym];
  if (!stream) return ring;
  const write = stream.write.bind(stream);
  stream.write = (line: string) => {
    ring.push(line.endsWith("\n") ? line.slice(0, -1) : line);
    return write(line);
  };
  return ring;
}
