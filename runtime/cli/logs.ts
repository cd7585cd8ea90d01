// `tsmgr logs [-f] [MODULE] [--level L]`: the daemon's recent log (its `log tail` command), as
// short lines, filtered by module and level; with -f/--follow, new records as they come (polled).
// Everything a record carries is shown through escapeControl: a module cannot forge lines.
import { Errno } from "../errors.ts";
import { escapeControl } from "../text.ts";
import type { GroupResponse } from "./connect.ts";

export interface LogsArgs {
  follow: boolean;
  module?: string;
  level?: string;
}

const LEVELS = ["debug", "info", "warn", "error"];
const NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const COLORS: Record<number, string> = {
  20: "\x1b[90m",
  30: "\x1b[32m",
  40: "\x1b[33m",
  50: "\x1b[31m",
  60: "\x1b[31m",
};
/** How often -f asks for new records. */
export const FOLLOW_POLL_MS = 500;

/** `logs` words after the command word: `-f`/`--follow`, `--level L`, and one MODULE. */
export function parseLogsArgs(words: readonly string[]): LogsArgs | string {
  const out: LogsArgs = { follow: false };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "--follow" || w === "-f") out.follow = true;
    else if (w === "--level" || w.startsWith("--level=")) {
      const v = w.includes("=") ? w.slice(8) : words[++i];
      if (!v || !LEVELS.includes(v)) return `--level: give one of ${LEVELS.join(", ")}`;
      out.level = v;
    } else if (w.startsWith("-"))
      return `unknown option ${JSON.stringify(w)}: logs takes -f/--follow, --level L and a module name`;
    else if (out.module !== undefined)
      return `one module at a time: got ${JSON.stringify(out.module)} and ${JSON.stringify(w)}`;
    else out.module = w;
  }
  return out;
}

/**
 * In `tsmgr logs -f`, the CLI's own `-f FORMAT` would take the next word: a `-f` after `logs` that
 * is not followed by a format is the follow flag.
 */
export function followFlag(argv: readonly string[]): string[] {
  const valued = new Set(["-c", "--config", "--id", "-f", "--format", "--timeout", "-i"]);
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-")) i += valued.has(argv[i]!) ? 2 : 1;
  if (argv[i] !== "logs") return [...argv];
  return argv.map((a, j) =>
    j > i && a === "-f" && !["plain", "json", "json-pretty"].includes(argv[j + 1] ?? "") ? "--follow" : a,
  );
}

/** One record as a line: time, level, who, message, other fields. */
export function formatRecord(rec: Record<string, unknown>, color: boolean): string {
  const { seq: _q, level, time, msg, module, component, severity: _s, pid: _p, hostname: _h, ...rest } = rec;
  const n = typeof level === "number" ? level : 30;
  const name = (NAMES[n] ?? String(level)).padEnd(5);
  const who = module ? `[${String(module)}]` : component ? `(${String(component)})` : "";
  const extra = Object.keys(rest).length ? " " + JSON.stringify(rest) : "";
  const t = typeof time === "string" ? time.slice(11, 23) : "";
  const text = escapeControl(`${who} ${String(msg ?? "")}${extra}`, { newlines: true, tabs: true });
  return color ? `${t} ${COLORS[n] ?? ""}${name}\x1b[0m ${text}` : `${t} ${name} ${text}`;
}

interface Tail {
  records: Record<string, unknown>[];
  next: number;
  dropped: number;
}

export type LogAsk = (argv: string[]) => Promise<GroupResponse>;

/** Prints the log (and with `follow`, keeps printing until `stop()` says so); the exit code. */
export async function runLogs(
  a: LogsArgs,
  ask: LogAsk,
  write: (line: string) => void,
  o: { color: boolean; stop?: () => boolean; json?: boolean },
): Promise<number> {
  let since = 0;
  for (;;) {
    const argv = [
      "log",
      "tail",
      `--since=${since}`,
      ...(a.module ? [`--module=${a.module}`] : []),
      ...(a.level ? [`--level=${a.level}`] : []),
    ];
    const res = await ask(argv);
    if (res.retval !== 0) {
      write(`tsmgr logs: ${res.stderr || `error ${res.retval}`}`);
      return Math.min(255, -res.retval) || Errno.EINVAL;
    }
    const tail = JSON.parse(res.stdout) as Tail;
    if (tail.dropped > 0 && since > 0)
      write(`... ${tail.dropped} records were logged faster than they were followed, and are not shown`);
    for (const r of tail.records) write(o.json ? JSON.stringify(r) : formatRecord(r, o.color));
    since = tail.next;
    if (!a.follow || o.stop?.()) return 0;
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    if (o.stop?.()) return 0;
  }
}
