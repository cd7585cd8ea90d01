// Ceph's mgr_util.to_pretty_timedelta: a duration in seconds as one number and a unit ("45s",
// "3m", "5h", "2d", "3w", "4M", "1y"), each unit used until twice its size.

const STEPS: [limit: number, unit: number, suffix: string][] = [
  [120, 1, "s"],
  [120 * 60, 60, "m"],
  [48 * 3600, 3600, "h"],
  [14 * 86400, 86400, "d"],
  [84 * 86400, 7 * 86400, "w"],
  [730 * 86400, 30 * 86400, "M"],
];

export function prettyDuration(seconds: number): string {
  const whole = Math.trunc(seconds);
  for (const [limit, unit, suffix] of STEPS) {
    if (seconds < limit) return `${Math.floor(whole / unit)}${suffix}`;
  }
  return `${Math.floor(whole / (365 * 86400))}y`;
}
