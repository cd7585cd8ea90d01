// Maps positions in a module's bundle back to its .ts sources, so every stack trace a user
// sees names the file and line they wrote. A small decoder of source map v3 "mappings".

const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));

/** [generatedColumn, sourceIndex, sourceLine, sourceColumn] per segment, grouped by generated line. */
type Segment = [number, number, number, number];

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const line of mappings.split(";")) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const seg of line.split(",")) {
      if (!seg) continue;
      const v: number[] = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const d = B64.get(ch);
        if (d === undefined) break;
        value += (d & 31) << shift;
        if (d & 32) {
          shift += 5;
          continue;
        }
        v.push(value & 1 ? -(value >>> 1) : value >>> 1);
        shift = 0;
        value = 0;
      }
      genCol += v[0] ?? 0;
      if (v.length < 4) continue;
      src += v[1]!;
      srcLine += v[2]!;
      srcCol += v[3]!;
      segs.push([genCol, src, srcLine, srcCol]);
    }
    lines.push(segs);
  }
  return lines;
}

export class SourceMap {
  readonly #json: () => string;
  readonly #toDisplay: (source: string) => string;
  #lines: Segment[][] | undefined;
  #sources: string[] = [];

  /**
   * `toDisplay` turns a source path from the map into what users should see. Decoding waits for
   * the first stack to map: a 1 MB bundle's map takes ~50 ms, which no module start should pay.
   * So may reading the text: `json` may be a function giving it (the bundle cache decodes a map
   * only when asked). An empty text maps nothing.
   */
  constructor(json: string | (() => string), toDisplay: (source: string) => string) {
    this.#json = typeof json === "string" ? () => json : json;
    this.#toDisplay = toDisplay;
  }

  #decoded(): Segment[][] {
    if (!this.#lines) {
      const text = this.#json();
      const raw = (text ? JSON.parse(text) : { sources: [], mappings: "" }) as { sources: string[]; mappings: string };
      this.#sources = raw.sources.map(this.#toDisplay);
      this.#lines = decodeMappings(raw.mappings);
    }
    return this.#lines;
  }

  /** The source position of a 1-based line and column of the bundle, or undefined. */
  original(line: number, column: number): { file: string; line: number; column: number } | undefined {
    const segs = this.#decoded()[line - 1];
    if (!segs || segs.length === 0) return undefined;
    let lo = 0;
    let hi = segs.length - 1;
    const col = column - 1;
    // the last segment starting at or before the column
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]![0] <= col) lo = mid;
      else hi = mid - 1;
    }
    const s = segs[lo]!;
    if (s[0] > col && lo === 0) return undefined;
    return { file: this.#sources[s[1]] ?? "?", line: s[2] + 1, column: s[3] + 1 };
  }
}

/**
 * Rewrites every `FILENAME:line:col` in `text` (a stack or message) to the .ts position.
 * `lineOneShift` is how many characters the host prepended on line 1 of the script.
 */
export function mapStack(text: string, filename: string, map: SourceMap | undefined, lineOneShift = 0): string {
  if (!map || !text) return text;
  const re = new RegExp(filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ":(\\d+):(\\d+)", "g");
  return text.replace(re, (whole, l: string, c: string) => {
    const line = Number(l);
    const col = line === 1 ? Number(c) - lineOneShift : Number(c);
    const pos = map.original(line, col);
    return pos ? `${pos.file}:${pos.line}:${pos.column}` : whole;
  });
}
