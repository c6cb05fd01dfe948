/**
 * decimal.js, configured once: the reference arithmetic for everything that is not on a hot path
 * (metadata, contract conversion, notional) and the oracle the scaled-integer code is tested against.
 */
import { Decimal as DecimalJs } from 'decimal.js';

export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -60, toExpPos: 60 });
export type Decimal = InstanceType<typeof Decimal>;

/** Plain, canonical decimal string of a Decimal (no exponent, no trailing zeros). */
export function decString(d: Decimal): string {
  if (d.isZero()) return '0';
  return d.toFixed();
}

export function dec(s: string | number): Decimal {
  return new Decimal(s);
}
