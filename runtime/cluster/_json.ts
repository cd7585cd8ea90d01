// JSON text helpers that reproduce Ceph's number and time formatting: floats keep their ".0"
// (a Python module sees float, not int), 64-bit feature masks keep every digit, stamps carry µs.

/** A float as Ceph's dump_float reaches Python: 1 → "1.0". */
export function fl(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/**
 * Flattens a string built by concatenation (a V8 rope) in place, so a fragment cached for many
 * joins is copied as one block each time instead of being walked piece by piece.
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** A JSON string literal. */
export const q: (s: string) => string = JSON.stringify;

const FLOAT_MARK = "\u0000F";
const RAW_MARK = "\u0000R";
const MARK_PATTERN = /"\\u0000([FR])([^"]*)"/g;

/** Marks an unsafe-integer (e.g. a 64-bit feature mask) to be written with all its digits. */
export function rawNumber(digits: string): string {
  return RAW_MARK + digits;
}

/**
 * JSON.stringify for the small structures: numbers under a key in `floatKeys` are written as
 * floats, values made by `rawNumber` are written as bare digits. Big structures use templates.
 */
export function stringifyCeph(value: unknown, floatKeys: ReadonlySet<string> = FLOAT_KEYS, indent?: number): string {
  let marked = false;
  const text = JSON.stringify(
    value,
    (key, v) => {
      if (typeof v === "number" && Number.isInteger(v) && floatKeys.has(key)) {
        marked = true;
        return FLOAT_MARK + v;
      }
      if (typeof v === "string" && v.charCodeAt(0) === 0) marked = true;
      return v;
    },
    indent,
  );
  if (!marked) return text;
  return text.replace(MARK_PATTERN, (_m, kind: string, body: string) => (kind === "F" ? `${body}.0` : body));
}

/** Keys Ceph dumps with dump_float in the structures built through stringifyCeph. */
export const FLOAT_KEYS: ReadonlySet<string> = new Set([
  "weight",
  "primary_affinity",
  "reweight",
  "crush_weight",
  "full_ratio",
  "backfillfull_ratio",
  "nearfull_ratio",
  "laggy_probability",
  "percent_used",
  "total_used_raw_ratio",
  "commit_latency_ms",
  "apply_latency_ms",
  "utilization",
  "var",
  "average_utilization",
  "min_var",
  "max_var",
  "dev",
  "degraded_ratio",
  "misplaced_ratio",
  "unfound_ratio",
  "1min",
  "5min",
  "15min",
  "last",
  "target_size_ratio",
]);

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function parts(ms: number) {
  const d = new Date(Math.floor(ms));
  const micros = Math.floor((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return {
    date: `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
    time: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`,
    frac: String(micros).padStart(6, "0"),
    d,
  };
}

/** utime_t as Ceph dumps it: "2026-11-26T04:31:39.127024+0000". */
export function stamp(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${p.time}.${p.frac}+0000`;
}

/** The monmap's flavour: "2026-11-26T04:17:56.030254Z". */
export function stampZ(ms: number): string {
  const p = parts(ms);
  return `${p.date}T${p.time}.${p.frac}Z`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ctime(3) style, as in osd_ping_times' "last update": "Thu Nov 26 04:31:22 2026". */
export function ctimeStamp(ms: number): string {
  const p = parts(ms);
  const day = String(p.d.getUTCDate()).padStart(2, " ");
  return `${DAYS[p.d.getUTCDay()]} ${MONTHS[p.d.getUTCMonth()]} ${day} ${p.time} ${p.d.getUTCFullYear()}`;
}

/** Seconds with six decimals, as utime_t deltas are printed ("0.997892"). */
export function secondsFixed(seconds: number): string {
  return seconds.toFixed(6);
}
