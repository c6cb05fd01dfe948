/**
 * The input checks every boundary shares: venue frames (libs/venues/validate.ts), bus messages
 * (libs/bus/codec.ts), exact decimals (fixed.ts) and the client (libs/client/decimal-order.ts;
 * browsers get this very file as /client/checks.js, so it imports nothing). Predicates only: each
 * boundary raises its own error (BAD_FRAME, BAD_MESSAGE, a resync) with its own words.
 */
export type Obj = Record<string, unknown>;

/** Decimals as bookfuse writes them: digits with an optional fraction ("0.5"; never ".5", "1.", "1e5", "-1"). */
export const CANONICAL_DECIMAL = /^\d+(\.\d+)?$/;
/** Decimals as venues write them: also "1." and ".5". */
export const PLAIN_DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

/** A JSON object (not null, not an array). */
export function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `[price, size, …]`: two strings first (extra entries, like OKX's order count, allowed), both of `form` when given. */
export function isLevel(l: unknown, form?: RegExp): l is [string, string, ...unknown[]] {
  if (!Array.isArray(l) || l.length < 2 || typeof l[0] !== 'string' || typeof l[1] !== 'string') return false;
  return form === undefined || (form.test(l[0]) && form.test(l[1]));
}

export type SeqStep = 'next' | 'duplicate' | 'gap';

/**
 * A sequenced message against the last one applied: already seen (`seq <= last`), continuing it
 * (`prevSeq`, by default `seq - 1`, equals `last`) or a gap. The consensus intake (venue books and
 * collector lines), the gateway's held book, the client book and the Binance spot and Bybit venue
 * syncs read their streams this way, each deciding what a step means to it. Binance USD-M (a `u`
 * equal to the book id is not a repeat), OKX (ids may fall back after maintenance) and Hyperliquid
 * (no ids) keep their own rules.
 */
export function seqStep(last: number, seq: number, prevSeq = seq - 1): SeqStep {
  if (seq <= last) return 'duplicate';
  return prevSeq === last ? 'next' : 'gap';
}
