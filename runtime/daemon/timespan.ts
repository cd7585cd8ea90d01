// Durations as Ceph writes and reads them: `health mute CODE 5m` parses with Ceph's
// parse_timespan (same units, same error messages), and a mute's time left is shown with
// Ceph's to_pretty_timedelta ("84s", "59m", "2h", "9d", "3w", "3M", "2y").

const UNITS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  wk: 604800,
  week: 604800,
  weeks: 604800,
  mo: 2592000,
  month: 2592000,
  months: 2592000,
  y: 31536000,
  yr: 31536000,
  year: 31536000,
  years: 31536000,
};

/** Thrown with Ceph's own words ("expected digit", "unrecogized unit 'x'": Ceph's spelling). */
export class TimespanError extends RangeError {
  override name = "TimespanError";
}

const isSpace = (c: string | undefined) => c !== undefined && /[ \t\n\v\f\r]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);

/** Seconds in `s` ("90", "5m", "1h 30m", "2 days"); a bare number counts seconds, as in Ceph. */
export function parseTimespan(s: string): number {
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    while (isSpace(s[pos])) pos++;
    if (pos >= s.length) break;
    const start = pos;
    while (isDigit(s[pos])) pos++;
    if (start === pos) throw new TimespanError("expected digit");
    let val = Number(s.slice(start, pos));
    if (!Number.isSafeInteger(val)) throw new TimespanError("strict_strtoll: value out of range");
    while (isSpace(s[pos])) pos++;
    const unitStart = pos;
    while (isAlpha(s[pos])) pos++;
    if (unitStart !== pos) {
      const unit = s.slice(unitStart, pos);
      const mult = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
      if (mult === undefined) throw new TimespanError(`unrecogized unit '${unit}'`);
      val *= mult;
    } else if (pos < s.length) {
      throw new TimespanError(`unexpected trailing '${s.slice(pos)}'`);
    }
    total += val;
  }
  return total;
}

/** Ceph's to_pretty_timedelta: one unit, rounded down. */
export function prettyTimedelta(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  if (s < 14 * 86400) return `${Math.floor(s / 86400)}d`;
  if (s < 12 * 7 * 86400) return `${Math.floor(s / (7 * 86400))}w`;
  if (s < 2 * 365 * 86400) return `${Math.floor(s / (30 * 86400))}M`;
  return `${Math.floor(s / (365 * 86400))}y`;
}

/** A time as Ceph's utime_t prints it in JSON: "2026-12-02T18:00:36.288420+0000". */
export function cephTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-02T18:00:36.288Z
  return `${iso.slice(0, 23)}000+0000`;
}
