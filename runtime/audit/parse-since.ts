// `audit ls --since T`: an ISO 8601 time (a date, or a date and time with an optional zone) or
// an age (30s, 10m, 2h, 7d) counted back from now. Anything else is a SyntaxError naming both forms.

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const AGE = /^(\d{1,9})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const SINCE_FORMATS = "an ISO 8601 time (2024-05-01 or 2024-05-01T12:00:00Z) or an age such as 30s, 10m, 2h, 7d";

/** Milliseconds since the epoch for `text`; a SyntaxError saying the accepted forms otherwise. */
export function parseSince(text: string, now: number = Date.now()): number {
  const age = AGE.exec(text);
  if (age) return now - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS];
  const t = ISO.test(text) ? Date.parse(text.replace(" ", "T")) : NaN;
  if (Number.isNaN(t)) throw new SyntaxError(`"${text}" is not a time: give ${SINCE_FORMATS}`);
  return t;
}
