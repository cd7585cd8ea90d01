// Text a module wrote, made safe to show a person at a terminal: control characters become
// visible escapes (`\x1b`, `\r`, `\u202e`), so the text can neither move the cursor, recolour,
// erase, retitle the window, reorder itself, nor forge a line. JSON output never goes through here.

/**
 * C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), and the Unicode
 * bidirectional overrides and isolates, which reorder what is shown without a control byte.
 */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export interface EscapeOptions {
  /** keep line feeds as they are (multi-line output whose lines the caller owns); default false */
  newlines?: boolean;
  /** keep tabs as they are; default false */
  tabs?: boolean;
}

/**
 * `s` with every control character written as a visible escape: `"\x1b[2K"` becomes the six
 * characters `\x1b[2K`, a newline becomes `\n` unless `newlines` keeps it.
 *
 * @example escapeControl("\r\x1b[32mHEALTH_OK") // => "\\r\\x1b[32mHEALTH_OK"
 */
export function escapeControl(s: string, opts: EscapeOptions = {}): string {
  return s.replace(CONTROL, (c) => {
    if ((c === "\n" && opts.newlines) || (c === "\t" && opts.tabs)) return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
