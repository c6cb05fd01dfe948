/**
 * Exact ordering of non-negative decimal strings without numbers: a price like "0.000012345678"
 * or "98500.10000001" keeps every digit. The client runs in browsers, so this stays free of
 * decimal.js; test/unit/client-decimal.test.ts checks it against decimal.js. The decimal form is
 * the house's one (libs/core/checks.ts).
 */
import { CANONICAL_DECIMAL } from './checks.js';

export function isDecimal(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= 64 && CANONICAL_DECIMAL.test(s);
}

function split(s: string): [int: string, frac: string] {
  const dot = s.indexOf('.');
  let int = dot < 0 ? s : s.slice(0, dot);
  let frac = dot < 0 ? '' : s.slice(dot + 1);
  let i = 0;
  while (i < int.length - 1 && int.charCodeAt(i) === 48) i++;
  int = int.slice(i);
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  return [int, frac];
}

/** Canonical spelling: "007.10" → "7.1", "0.000" → "0". */
export function canonical(s: string): string {
  const [int, frac] = split(s);
  return frac ? `${int}.${frac}` : int;
}

/** -1, 0 or 1 as a < b, a = b, a > b by decimal value. */
export function compareDecimal(a: string, b: string): number {
  const [ai, af] = split(a);
  const [bi, bf] = split(b);
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  if (ai !== bi) return ai < bi ? -1 : 1;
  if (af === bf) return 0;
  // equal-length digit strings compare like numbers; pad the shorter fraction with zeros
  const n = Math.max(af.length, bf.length);
  const x = af.padEnd(n, '0');
  const y = bf.padEnd(n, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(s: string): boolean {
  return split(s)[0] === '0' && split(s)[1] === '';
}
