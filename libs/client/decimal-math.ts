/**
 * Exact sums and differences of decimal strings, for totals a widget shows (a ladder's cumulative
 * depth, a venue's share of the book). Browsers have no decimal.js, so the digits ride in a BigInt
 * scaled by 10^decimals; test/unit/client-decimal-math.test.ts checks them against decimal.js.
 */
const SIGNED = /^-?\d+(\.\d+)?$/;

interface Scaled {
  n: bigint;
  scale: number;
}

function parse(s: string): Scaled {
  if (typeof s !== 'string' || s.length > 64 || !SIGNED.test(s)) throw new Error(`not a decimal string: ${JSON.stringify(s)}`);
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const frac = dot < 0 ? '' : body.slice(dot + 1);
  const n = BigInt((dot < 0 ? body : body.slice(0, dot)) + frac);
  return { n: neg ? -n : n, scale: frac.length };
}

function at(x: Scaled, scale: number): bigint {
  return x.n * 10n ** BigInt(scale - x.scale);
}

function format(n: bigint, scale: number): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return neg && body !== '0' ? `-${body}` : body;
}

/** a + b, exact, in canonical spelling ("1.50" + "0.5" → "2"). */
export function addDecimal(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return format(at(x, scale) + at(y, scale), scale);
}

/** a − b, exact; negative results carry a leading "-". */
export function subDecimal(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.max(x.scale, y.scale);
  return format(at(x, scale) - at(y, scale), scale);
}

/** The exact sum of decimal strings ("0" for none). */
export function sumDecimals(xs: Iterable<string>): string {
  let acc: Scaled = { n: 0n, scale: 0 };
  for (const s of xs) {
    const x = parse(s);
    const scale = Math.max(acc.scale, x.scale);
    acc = { n: at(acc, scale) + at(x, scale), scale };
  }
  return format(acc.n, acc.scale);
}

/**
 * part / whole as a number in [0, 1] for display (bar widths, percentages): the quotient is taken
 * exactly to 1e-9 before it becomes a float, so tiny sizes are not lost to rounding.
 */
export function shareOf(part: string, whole: string): number {
  const x = parse(part);
  const y = parse(whole);
  const scale = Math.max(x.scale, y.scale);
  const p = at(x, scale);
  const w = at(y, scale);
  if (w <= 0n || p <= 0n) return 0;
  if (p >= w) return 1;
  return Number((p * 1_000_000_000n) / w) / 1e9;
}
