// `tsmgr top [-n N] [-d SECONDS]`: the daemon's `top` table, redrawn every second (or every -d
// seconds) like top(1), most CPU first; `-n 1` prints it once (for scripts: with -f json).
import { Errno } from "../errors.ts";

export interface TopIo {
  /** asks the daemon group for `top` in this format */
  ask(format: "plain" | "json" | "json-pretty"): Promise<{ retval: number; stdout: string; stderr: string }>;
  write(text: string): void;
  error(text: string): void;
  isTTY: boolean;
}

/** -n and -d, or a usage message. */
export function parseTopArgs(words: readonly string[]): { n: number; delayMs: number } | string {
  let n = Infinity;
  let delayMs = 1000;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const v = Number(words[i + 1]);
    if (w === "-n" && Number.isInteger(v) && v > 0) n = v;
    else if (w === "-d" && v >= 0.1) delayMs = v * 1000;
    else
      return `tsmgr top: unexpected ${JSON.stringify(w)}${w === "-n" || w === "-d" ? " (give -n a count > 0, -d seconds >= 0.1)" : ""}\nusage: tsmgr top [-n ITERATIONS] [-d SECONDS]`;
    i++;
  }
  return { n, delayMs };
}

export async function runTop(
  words: readonly string[],
  format: "plain" | "json" | "json-pretty",
  io: TopIo,
): Promise<number> {
  const o = parseTopArgs(words);
  if (typeof o === "string") {
    io.error(o + "\n");
    return Errno.EINVAL;
  }
  for (let i = 0; i < o.n; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, o.delayMs));
    const r = await io.ask(format);
    if (r.retval < 0) {
      io.error(`Error: ${r.stderr}\n`);
      return Math.min(255, -r.retval);
    }
    // redraw in place on a terminal (home + clear), as top does; a pipe gets one table per round
    const clear = io.isTTY && format === "plain" && o.n > 1 ? "\x1b[H\x1b[2J" : "";
    const stamp = format === "plain" ? `tsmgr top - ${new Date().toTimeString().slice(0, 8)}\n` : "";
    io.write(clear + stamp + r.stdout + (r.stdout.endsWith("\n") ? "" : "\n"));
  }
  return 0;
}
