/** The client's exact decimals, local book and backoff schedule. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../libs/core/index.js';
import { BACKOFF_CAP_MS, backoffDelayMs, canonical, compareDecimal, LocalBook } from '../../libs/client/index.js';
import type { SnapshotPayload } from '../../libs/client/index.js';

const decimalString = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 3 }))
  .map(([v, scale, zeros]) => {
    const digits = v.toString().padStart(scale + 1, '0');
    const s = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return s + (scale && zeros ? '0'.repeat(zeros) : '');
  });

describe('decimal ordering', () => {
  it('orders exactly like decimal.js, whatever the digits', () => {
    fc.assert(
      fc.property(decimalString, decimalString, (a, b) => {
        expect(compareDecimal(a, b)).toBe(new Decimal(a).cmp(b));
        expect(canonical(a)).toBe(new Decimal(a).toFixed());
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart prices a float would merge', () => {
    expect(compareDecimal('0.30000000000000001', '0.3')).toBe(1);
    expect(compareDecimal('98500.10000000000000001', '98500.1')).toBe(1);
    expect(compareDecimal('007.10', '7.1')).toBe(0);
  });
});

const snap = (over: Partial<SnapshotPayload> = {}): SnapshotPayload => ({
  symbol: 'BTC-USD',
  epoch: 1,
  seq: 10,
  depth: 5,
  ts: 1,
  merge_ts: 1,
  gw_ts: 1,
  bids: [['100.1', '2', { a: '1.5', b: '0.5' }], ['100.2', '1', { a: '1' }]],
  asks: [['100.4', '3', { b: '3' }], ['100.3', '1', { a: '1' }]],
  venues: { a: { state: 'live', mid: '100.25', age_ms: 1, stale: false, divergent: false } },
  crossed: false,
  ...over,
});

describe('LocalBook', () => {
  it('sorts a snapshot best first and patches it with contiguous deltas', () => {
    const b = new LocalBook('BTC-USD');
    expect(b.applySnapshot(snap())).toBe('applied');
    expect(b.bids.map((l) => l.price)).toEqual(['100.2', '100.1']);
    expect(b.asks.map((l) => l.price)).toEqual(['100.3', '100.4']);
    const d = { symbol: 'BTC-USD', epoch: 1, seq: 11, ts: 2, merge_ts: 2, gw_ts: 2, bids: [['100.15', '4'], ['100.2', '0']] as [string, string][], asks: [['100.3', '5', { a: '5' }]] as never, venues: { a: { state: 'stale', mid: null, age_ms: 6000, stale: true, divergent: false } } } as const;
    expect(b.applyDelta({ ...d })).toBe('applied');
    expect(b.bids.map((l) => [l.price, l.total])).toEqual([['100.15', '4'], ['100.1', '2']]);
    // a totals-only change leaves the per-venue split unknown, not stale
    expect(b.bids[0]!.venues).toEqual({});
    expect(b.asks[0]).toEqual({ price: '100.3', total: '5', venues: { a: '5' } });
    expect(b.venues['a']!.stale).toBe(true);
  });

  it('refuses a gap or an epoch change and stays unsynced until the next snapshot', () => {
    const b = new LocalBook('BTC-USD');
    b.applySnapshot(snap());
    const delta = (seq: number, epoch = 1) => ({ symbol: 'BTC-USD', epoch, seq, ts: 0, merge_ts: 0, gw_ts: 0, bids: [], asks: [] });
    expect(b.applyDelta(delta(12))).toBe('gap');
    expect(b.applyDelta(delta(11))).toBe('no-snapshot');
    b.applySnapshot(snap({ seq: 20 }));
    expect(b.applyDelta(delta(21, 2))).toBe('epoch');
    expect(b.synced).toBe(false);
  });
});

describe('reconnect backoff', () => {
  it('doubles from 1 s to a 30 s cap with ±500 ms jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelayMs(a, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelayMs(0, () => 0)).toBe(500);
    expect(backoffDelayMs(0, () => 0.999999)).toBe(1500);
    expect(backoffDelayMs(9, () => 0.999999)).toBe(BACKOFF_CAP_MS + 500);
  });
});
