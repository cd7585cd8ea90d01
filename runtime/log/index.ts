// Logging: pino with its own level numbers (so filtering works) plus each record's Ceph
// severity as a field, pretty lines on a terminal and JSON lines otherwise.
import { pino, type Logger, type DestinationStream } from "pino";
import { escapeControl } from "../text.ts";

export type { Logger } from "pino";

/** Ceph severities of the python log levels (ceph-mgr plugin guide). */
export const CEPH_SEVERITY: Record<string, number> = { fatal: 0, error: 0, warn: 1, info: 4, debug: 20, trace: 20 };

const COLORS: Record<string, string> = {
  error: "\x1b[31m",
  fatal: "\x1b[31m",
  warn: "\x1b[33m",
  info: "\x1b[32m",
  debug: "\x1b[90m",
};
export type LevelName = "trace" | "debug" | "info" | "warn" | "error" | "fatal";
/** pino's numeric levels by name, as they appear in a JSON record's `level` */
export const LEVEL_NAMES: Readonly<Record<number, LevelName>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/**
 * A destination that renders JSON records as short coloured lines, for people at a terminal.
 * Every character a record carries (a module's message, its fields) goes through
 * escapeControl(): a newline cannot forge a second record, nor an escape sequence recolour,
 * erase or retitle. Only the level's colour is a real escape sequence.
 */
export function prettyDestination(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line);
      } catch {
        out.write(escapeControl(line.replace(/\n$/, "")) + "\n");
        return;
      }
      const { level, time, msg, module, component, severity: _s, pid: _p, hostname: _h, ...rest } = rec;
      const name = LEVEL_NAMES[level as number] ?? String(level);
      const who = module ? `[${String(module)}]` : component ? `(${String(component)})` : "";
      // JSON.stringify escapes C0 controls but not DEL, C1 or the bidi overrides
      const extra = Object.keys(rest).length ? " " + JSON.stringify(rest) : "";
      const t = typeof time === "string" ? time.slice(11, 23) : "";
      const text = escapeControl(`${who} ${msg ?? ""}${extra}`);
      out.write(`${t} ${COLORS[name] ?? ""}${escapeControl(name.toUpperCase()).padEnd(5)}\x1b[0m ${text}\n`);
    },
  };
}

export interface LogOptions {
  level?: string;
  /** write here instead of stdout (tests) */
  destination?: DestinationStream;
  /** force pretty (true) or JSON (false); default: pretty when stdout is a TTY */
  pretty?: boolean;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const pretty = opts.pretty ?? (!opts.destination && process.stdout.isTTY === true);
  const dest =
    opts.destination ?? (pretty ? prettyDestination(process.stdout) : pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level: opts.level ?? "info",
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label, number) => ({ level: number, severity: CEPH_SEVERITY[label] ?? 4 }),
      },
    },
    dest,
  );
}

/**
 * Per-module rate limit on log lines: a token bucket refilled each second. Dropped lines are
 * counted and reported once as a single "suppressed N lines" record, so a flood costs the
 * daemon almost nothing and is still visible.
 */
export class LogRateLimiter {
  #tokens: number;
  #suppressed = 0;
  #last = Date.now();
  constructor(
    readonly perSecond: number,
    readonly onSuppressed: (count: number) => void,
  ) {
    this.#tokens = perSecond;
  }

  /** True when this line may be written. */
  take(): boolean {
    const now = Date.now();
    if (now - this.#last >= 1000) {
      if (this.#suppressed > 0) this.onSuppressed(this.#suppressed);
      this.#suppressed = 0;
      this.#tokens = this.perSecond;
      this.#last = now;
    }
    if (this.#tokens > 0) {
      this.#tokens--;
      return true;
    }
    this.#suppressed++;
    return false;
  }

  /** Reports what is still pending (on module stop). */
  flush(): void {
    if (this.#suppressed > 0) this.onSuppressed(this.#suppressed);
    this.#suppressed = 0;
  }
}
