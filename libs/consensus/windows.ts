/**
 * Window open prices (#16.5), pure: interval types (`WINDOW_TYPES`, `<n>s|m|h|d`), epoch-aligned
 * UTC windows, and the per-asset decision of each window's price. At every boundary a window
 * waits for the first consensus update at or after it; that update's mid is the window's price.
 * None within the timeout: the window is an error. A tracker started mid-window leaves the current
 * window alone (its price was decided by whoever ran then) and begins at the next boundary.
 */
import { BookfuseError, type WindowPrice } from '../core/index.js';

export interface WindowType {
  /** as written: "5s", "15m", "1h", "1d" */
  type: string;
  ms: number;
}

export const DEFAULT_WINDOW_TYPES = '5m,15m,1h,4h,1d';
export const DEFAULT_WINDOW_PRICE_TIMEOUT_MS = 5000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TYPE = /^([1-9]\d{0,5})([smhd])$/;

export function parseWindowType(raw: string): WindowType {
  const m = TYPE.exec(raw);
  if (!m) throw new BookfuseError('BAD_CONFIG', `window type "${raw}" must look like <n>s, <n>m, <n>h or <n>d`);
  return { type: raw, ms: Number(m[1]) * UNIT_MS[m[2]!]! };
}

/** A WINDOW_TYPES value, checked: the interval names, unique, in the order given (for config). */
export function windowTypeNames(raw: string): string[] {
  return parseWindowTypes(raw).map((t) => t.type);
}

/** A WINDOW_TYPES list: unique, in the order given. */
export function parseWindowTypes(raw: string): WindowType[] {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new BookfuseError('BAD_CONFIG', 'WINDOW_TYPES needs at least one interval');
  const seen = new Set<string>();
  return list.filter((t) => !seen.has(t) && seen.add(t)).map(parseWindowType);
}

/** Start of the window of length `ms` holding `t` (epoch-aligned, so UTC-aligned). */
export function windowStart(t: number, ms: number): number {
  return Math.floor(t / ms) * ms;
}

/** The consensus mid a window opens at, with the venues it was taken over. */
export interface WindowMid {
  price: string;
  venues: string[];
}

export interface WindowOpen extends WindowPrice {
  type: 'window_open';
  /** when the price was taken (the consensus update's time) */
  ts: number;
}

export interface WindowOpenError {
  type: 'window_open_error';
  asset: string;
  marketType: string;
  window_start: number;
  window_end: number;
  reason: string;
  ts: number;
}

export type WindowEvent = WindowOpen | WindowOpenError;

interface Slot {
  wt: WindowType;
  /** start of the window being decided or last decided */
  start: number;
  /** true while `start`'s price is still to be taken */
  pending: boolean;
}

export class WindowPrices {
  private readonly slots: Slot[];

  constructor(
    readonly asset: string,
    types: readonly WindowType[],
    private readonly timeoutMs: number,
    now: number,
  ) {
    this.slots = types.map((wt) => ({ wt, start: windowStart(now, wt.ms), pending: false }));
  }

  /** Windows that would take this update's mid (the caller computes the mid only then). */
  wantsMid(now: number): boolean {
    this.roll(now);
    return this.slots.some((s) => s.pending);
  }

  /**
   * A consensus update at `now` with its mid (null: no two-sided book over live, non-divergent
   * venues, which does not resolve a window). Returns the windows it opens.
   */
  update(now: number, mid: WindowMid | null): WindowEvent[] {
    const out = this.expire(now);
    this.roll(now);
    if (mid === null) return out;
    for (const s of this.slots) {
      if (!s.pending) continue;
      s.pending = false;
      out.push({ type: 'window_open', asset: this.asset, marketType: s.wt.type, window_start: s.start, window_end: s.start + s.wt.ms, price: mid.price, source: 'consensus_mid', venues: mid.venues, ts: now });
    }
    return out;
  }

  /** Time passed without an update: windows past their timeout become errors. */
  tick(now: number): WindowEvent[] {
    const out = this.expire(now);
    this.roll(now);
    return out;
  }

  /** New boundaries crossed: those windows now wait for an update (an older pending one is an error). */
  private roll(now: number): void {
    for (const s of this.slots) {
      const start = windowStart(now, s.wt.ms);
      if (start <= s.start) continue;
      s.start = start;
      s.pending = true;
    }
  }

  private expire(now: number): WindowEvent[] {
    const out: WindowEvent[] = [];
    for (const s of this.slots) {
      // the window's own deadline, or a later boundary already passed without any update
      const deadline = Math.min(s.start + this.timeoutMs, s.start + s.wt.ms);
      if (!s.pending || now < deadline) continue;
      s.pending = false;
      out.push({
        type: 'window_open_error',
        asset: this.asset,
        marketType: s.wt.type,
        window_start: s.start,
        window_end: s.start + s.wt.ms,
        reason: `no consensus price within ${this.timeoutMs} ms of the boundary`,
        ts: now,
      });
    }
    return out;
  }
}
