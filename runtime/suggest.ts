// "Did you mean" for names a user or module author typed: a typo in a name that is looked up
// and otherwise silently ignored (a notify type, a config or descriptor field, a module name in
// mgr.json) becomes an error that names the likely intended word.

/**
 * Edit distance between two words: insertions, deletions, substitutions and swaps of two
 * neighbouring letters ("defualt" is one edit from "default"), each costing 1.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // three rolling rows of the optimal-string-alignment table: the one before last for swaps
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word` (ignoring case), if it is close enough to be a typo of it:
 * at most one edit for short words, up to a third of the word's length for longer ones.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance && d <= limit) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` for the closest candidate, or "" when none is close: for the middle of a message. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? "" : ` (did you mean ${JSON.stringify(c)}?)`;
}
