// A command line as words, the way a shell would split the simple cases: spaces separate,
// '...' and "..." keep spaces (and the other quote) inside one word.
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + ch;
  }
  if (quote)
    throw new SyntaxError(
      `command ${JSON.stringify(line)} has an unclosed ${quote}: close it, or pass the words as an array`,
    );
  if (word !== undefined) words.push(word);
  return words;
}
