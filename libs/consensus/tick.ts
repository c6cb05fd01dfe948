/**
 * Bucketing venue prices to the consensus tick, exactly. A bucket is the integer k with bucket
 * price k·tick; bids round down (floor), asks round up (ceil). Venue prices arrive as integers at
 * the venue book's own scale, so the divisor is derived per scale and cached by the caller.
 */
import { BookfuseError, fractionDigits, formatScaled, parseScaled, pow10 } from '../core/index.js';

export class Tick {
  readonly text: string;
  /** tick as an integer at `scale` */
  readonly int: number;
  readonly scale: number;

  constructor(tick: string) {
    this.text = tick;
    this.scale = fractionDigits(tick);
    this.int = parseScaled(tick, this.scale);
    if (this.int <= 0) throw new BookfuseError('BAD_CONFIG', `tick must be positive: ${tick}`);
  }

  /** Bucket price string of bucket k. */
  format(k: number): string {
    return formatScaled(k * this.int, this.scale);
  }

  /** [multiplier, divisor]: k = round(price·multiplier / divisor) for prices at `priceScale`. */
  ratioFor(priceScale: number): [number, number] {
    return priceScale >= this.scale ? [1, this.int * pow10(priceScale - this.scale)] : [pow10(this.scale - priceScale), this.int];
  }
}

/** floor(a / b) for non-negative safe integers, corrected where the float quotient rounded up. */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** ceil(a / b) for non-negative safe integers. */
export function ceilDiv(a: number, b: number): number {
  let q = Math.ceil(a / b);
  if (q * b < a) q++;
  else if (q > 0 && (q - 1) * b >= a) q--;
  return q;
}
