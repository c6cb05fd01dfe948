/**
 * Divergence of venue mids from the consensus mid, decided exactly. Mids are compared as BigInt
 * multiples of 4·mid at a common scale (4·mid keeps both the venue mid (b+a)/2 and an even-count
 * median (m1+m2)/2 integral), so a venue exactly at the threshold is never misjudged by a float.
 * The thresholds come as decimal strings for the same reason.
 */
import { fractionDigits, parseScaled } from '../core/index.js';

export interface Threshold {
  /** threshold in bps as an integer at `scale` */
  int: bigint;
  scale: number;
  text: string;
}

export function threshold(bps: string): Threshold {
  const scale = fractionDigits(bps);
  return { int: BigInt(parseScaled(bps, scale)), scale, text: bps };
}

export function thresholdNumber(t: Threshold): number {
  return Number(t.text);
}

/** 4·median of the given 4·mid values (sorted copy; at most a handful of venues). */
export function median4(mids4: bigint[]): bigint {
  const s = [...mids4].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = s.length;
  if (n % 2 === 1) return s[(n - 1) >> 1]!;
  // 4·((m1+m2)/2) = (4m1 + 4m2) / 2: exact because 4·mid values here are even (2·(bid+ask))
  return (s[n / 2 - 1]! + s[n / 2]!) / 2n;
}

/** |v − m| / m in bps, compared with a threshold: 1 above, 0 equal, −1 below. */
export function compareBps(v4: bigint, m4: bigint, t: Threshold): number {
  const diff = v4 > m4 ? v4 - m4 : m4 - v4;
  const lhs = diff * 10000n * 10n ** BigInt(t.scale);
  const rhs = t.int * m4;
  return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
}

/**
 * Hysteresis with a minimum duration: the flag rises only after the mid stayed strictly above the
 * raise threshold for `minMs`, and falls only after it stayed strictly below the clear threshold
 * for `minMs`; anything in between keeps the current state and restarts the clock.
 */
export class DivergenceState {
  divergent = false;
  /** since when the condition that would flip the flag has held */
  private since: number | null = null;
  /** last evaluated distance: 1 above raise, −1 below clear, 0 in the band or unknown */
  private zone: -1 | 0 | 1 = 0;
  bps: number | undefined;

  /** New distance measured at `now`. Returns true when the flag flipped. */
  observe(zone: -1 | 0 | 1, bps: number, now: number, minMs: number): boolean {
    this.bps = bps;
    if (zone !== this.zone) {
      this.zone = zone;
      this.since = null;
    }
    return this.advance(now, minMs);
  }

  /** The venue cannot be judged now (not a member): timers stop, the flag stays. */
  suspend(): void {
    this.zone = 0;
    this.since = null;
    this.bps = undefined;
  }

  /** Time passed: flip when the condition has held long enough. */
  advance(now: number, minMs: number): boolean {
    const wants = this.divergent ? this.zone === -1 : this.zone === 1;
    if (!wants) {
      this.since = null;
      return false;
    }
    this.since ??= now;
    if (now - this.since >= minMs) {
      this.divergent = !this.divergent;
      this.since = null;
      return true;
    }
    return false;
  }
}
