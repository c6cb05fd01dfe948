/**
 * Exact decimals as scaled integers held in JS numbers.
 *
 * A value v at scale s is the integer v·10^s. Integers below 2^53 are exact in a double, so
 * parsing, adding and comparing them never drifts; anything that would leave that range raises
 * PRECISION_EXCEEDED instead of losing a digit. decimal.js stays the reference arithmetic:
 * test/unit/core/fixed.property.test.ts proves these functions agree with it.
 */
import { PLAIN_DECIMAL } from './checks.js';
import { BookfuseError } from './errors.js';

export const MAX_SCALE = 18;
const POW10: number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

export function pow10(n: number): number {
  const p = POW10[n];
  if (p === undefined) throw new BookfuseError('PRECISION_EXCEEDED', `scale ${n} out of range`);
  return p;
}

/** Signals that a string has more fractional digits than the requested scale. */
export const NEEDS_MORE_SCALE = -1;

/**
 * Parse a non-negative decimal string to an integer at `scale`.
 * Returns NEEDS_MORE_SCALE when the string has non-zero digits past `scale` (the caller rescales),
 * throws BAD_NUMBER on anything that is not a plain decimal, PRECISION_EXCEEDED past 2^53.
 */
export function parseScaled(s: string, scale: number): number {
  const len = s.length;
  if (len === 0 || len > 40) throw badNumber(s);
  let int = 0;
  let i = 0;
  let c = 0;
  for (; i < len; i++) {
    c = s.charCodeAt(i);
    if (c === 46 /* . */) break;
    if (c < 48 || c > 57) throw badNumber(s);
    int = int * 10 + (c - 48);
  }
  if (i === 0 && (len === 1 || c !== 46)) throw badNumber(s);
  let frac = 0;
  let digits = 0;
  if (i < len) {
    // i is at '.'
    i++;
    if (i === len && len === 1) throw badNumber(s);
    for (; i < len; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) throw badNumber(s);
      if (digits < scale) {
        frac = frac * 10 + (c - 48);
        digits++;
      } else if (c !== 48) {
        return NEEDS_MORE_SCALE;
      }
    }
  }
  const v = int * pow10(scale) + frac * pow10(scale - digits);
  if (v > Number.MAX_SAFE_INTEGER) {
    throw new BookfuseError('PRECISION_EXCEEDED', `${s} at scale ${scale} exceeds 2^53`);
  }
  return v;
}

/** Number of significant fractional digits ("1.2300" → 2, "5" → 0). Validates the string. */
export function fractionDigits(s: string): number {
  if (!PLAIN_DECIMAL.test(s)) throw badNumber(s);
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  let end = s.length;
  while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

/** Format an integer at `scale` as the canonical decimal string (no trailing zeros, no exponent). */
export function formatScaled(v: number, scale: number): string {
  if (!Number.isSafeInteger(v)) throw new BookfuseError('PRECISION_EXCEEDED', `not a safe integer: ${v}`);
  if (v < 0) return `-${formatScaled(-v, scale)}`;
  // Trailing zeros go arithmetically (exact: v is a safe integer) rather than by slicing strings:
  // every published level is formatted here, so this runs once per price and size per frame.
  while (scale > 0 && v % 10 === 0) {
    v /= 10;
    scale--;
  }
  const digits = String(v);
  if (scale === 0) return digits;
  const cut = digits.length - scale;
  return cut > 0 ? `${digits.slice(0, cut)}.${digits.slice(cut)}` : `0.${'0'.repeat(-cut)}${digits}`;
}

/** Canonical form of a decimal string: "0.10000000" → "0.1", "007" → "7". */
export function canonicalDecimal(s: string): string {
  const scale = fractionDigits(s);
  return formatScaled(parseScaled(s, scale), scale);
}


function badNumber(s: string): BookfuseError {
  return new BookfuseError('BAD_NUMBER', `not a non-negative decimal: ${JSON.stringify(s).slice(0, 40)}`);
}
