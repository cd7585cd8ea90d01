// Crash timestamps as Ceph's crash module reads and writes them: "2023-06-22T20:35:38.058818Z"
// (DATEFMT, a trailing Z dropped) or the older "2023-06-22 20:35:38.058818", always UTC.

const DATEFMT = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/;
const OLD_DATEFMT = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/;

export class BadTimestamp extends SyntaxError {
  override name = "BadTimestamp";
}

/**
 * Milliseconds since the epoch (fractions of a millisecond kept), or BadTimestamp with Python's
 * strptime message for the older format, as Ceph reports it.
 *
 * @example crashTime("2018-06-22T20:35:38.058818Z") // 1529699738058.818
 */
export function crashTime(text: string): number {
  const s = text.replace(/Z+$/, "");
  const m = DATEFMT.exec(s) ?? OLD_DATEFMT.exec(s);
  const t = m && fields(m);
  if (t === undefined || t === null)
    throw new BadTimestamp(`time data '${s}' does not match format '%Y-%m-%d %H:%M:%S.%f'`);
  return t;
}

function fields(m: RegExpExecArray): number | undefined {
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const micros = Number(m[7]!.padEnd(6, "0"));
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(ms);
  // strptime refuses a day or hour that does not exist (Feb 30, 25:00)
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== sec
  )
    return undefined;
  return ms + micros / 1000;
}

/** Python's str(datetime.utcnow()): "2024-01-02 03:04:05.123000" (the "archived" field). */
export function pyUtcNow(now = Date.now()): string {
  const d = new Date(now);
  const two = (n: number) => String(n).padStart(2, "0");
  const date = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  // Python leaves the fraction out when it is zero
  return `${date} ${time}${ms ? "." + String(ms * 1000).padStart(6, "0") : ""}`;
}
