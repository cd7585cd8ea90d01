// Python's int() and float() on a string, as ceph_argparse calls them: Unicode decimal digits
// count as digits ("١٢" and "１２" are 12), surrounding whitespace is dropped, single underscores
// may separate digits, and int(s, 0) reads 0x/0o/0b prefixes but refuses "010".

/** Python's str.isspace() characters that int()/float() strip (Py_UNICODE_ISSPACE). */
const PY_SPACE =
  /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII_DIGIT = /\p{Nd}/gu;

const BASE0_RE =
  /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|0[oO]((?:_?[0-7])+)|0[bB]((?:_?[01])+)|(0(?:_?0)*)|([1-9](?:_?\d)*))$/;
const BASE10_RE = /^([+-]?)(\d(?:_?\d)*)$/;
const BASE16_RE = /^([+-]?)(?:0[xX]_?)?([0-9a-fA-F](?:_?[0-9a-fA-F])*)$/;
const FLOAT_RE = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const FLOAT_SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * The text Python parses: every Unicode decimal digit replaced by its ASCII digit, whitespace
 * stripped (_PyUnicode_TransformDecimalAndSpaceToASCII, then strip).
 */
function toAscii(text: string): string {
  const ascii = text.replace(NON_ASCII_DIGIT, (d) => (d < "\x80" ? d : String(digitValue(d))));
  return ascii.replace(PY_SPACE, "");
}

/** Unicode lays every decimal digit out in runs of ten from 0 to 9: count back to the run's start. */
function digitValue(digit: string): number {
  const cp = digit.codePointAt(0)!;
  let start = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Python's int(text, base) as a bigint, or undefined where Python raises ValueError. */
export function pyInt(text: string, base: 0 | 10 | 16): bigint | undefined {
  const ascii = toAscii(text);
  if (base === 10) {
    const m = BASE10_RE.exec(ascii);
    return m ? signed(m[1]!, BigInt(m[2]!.replaceAll("_", ""))) : undefined;
  }
  if (base === 16) {
    const m = BASE16_RE.exec(ascii);
    return m ? signed(m[1]!, BigInt(`0x${m[2]!.replaceAll("_", "")}`)) : undefined;
  }
  const m = BASE0_RE.exec(ascii);
  if (!m) return undefined;
  const [, sign, hex, oct, bin, zero, dec] = m;
  const digits = (hex ? `0x${hex}` : oct ? `0o${oct}` : bin ? `0b${bin}` : (zero ?? dec)!).replaceAll("_", "");
  return signed(sign!, BigInt(digits));
}

/** Python's float(text), or undefined where Python raises ValueError (inf and nan included). */
export function pyFloat(text: string): number | undefined {
  const ascii = toAscii(text);
  const special = FLOAT_SPECIAL_RE.exec(ascii);
  if (special) {
    if (special[2]!.toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  return FLOAT_RE.test(ascii) ? Number(ascii.replaceAll("_", "")) : undefined;
}

function signed(sign: string, value: bigint): bigint {
  return sign === "-" ? -value : value;
}
