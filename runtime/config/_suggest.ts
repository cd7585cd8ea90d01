// "Did you mean …?" for names a user typed: the known name nearest by edit distance, if near
// enough to be a typo rather than a different name.

/** Levenshtein distance (insert, delete, substitute: 1 each), in O(a × b) time and O(b) space. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known name nearest to `name`, when it is within a typo's reach (a third of the longer
 * name, at least 1, at most 3 edits); ties go to the first in `known`. Case is ignored.
 */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    const reach = Math.min(3, Math.max(1, Math.floor(Math.max(name.length, k.length) / 3)));
    if (d <= reach && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
