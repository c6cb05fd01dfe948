import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from '../../../libs/core/index.js';
import { SpotBookSync } from '../../../libs/venues/binance-spot/sync.js';
import { createBinanceSpotAdapter } from '../../../libs/venues/binance-spot/adapter.js';
import type { DepthEvent } from '../../../libs/venues/binance-common/frames.js';

/** A decimal string as venues send them: any scale up to 8, sometimes zero-padded like Binance REST. */
const decimal = (maxInt: number) =>
  fc.tuple(fc.integer({ min: 0, max: maxInt }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 4 })).map(([v, scale, pad]) => {
    const s = String(v).padStart(scale + 1, '0');
    const str = scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
    return pad && scale > 0 ? str + '0'.repeat(pad) : str;
  });
const level = fc.tuple(decimal(10_000_000).filter((p) => !new Decimal(p).isZero()), fc.oneof(decimal(1_000_000), fc.constantFrom('0', '0.00000000')));
const side = fc.array(level, { maxLength: 12 });

function reference(snapshot: { bids: [string, string][]; asks: [string, string][] }, events: { b: [string, string][]; a: [string, string][] }[]) {
  const book = { bids: new Map<string, Decimal>(), asks: new Map<string, Decimal>() };
  const set = (m: Map<string, Decimal>, [p, q]: [string, string]) => {
    const key = new Decimal(p).toFixed();
    if (new Decimal(q).isZero()) m.delete(key);
    else m.set(key, new Decimal(q));
  };
  snapshot.bids.forEach((l) => set(book.bids, l));
  snapshot.asks.forEach((l) => set(book.asks, l));
  for (const e of events) {
    e.b.forEach((l) => set(book.bids, l));
    e.a.forEach((l) => set(book.asks, l));
  }
  const sorted = (m: Map<string, Decimal>, desc: boolean) =>
    [...m].sort((x, y) => (desc ? new Decimal(y[0]).cmp(x[0]) : new Decimal(x[0]).cmp(y[0]))).map(([p, q]) => [p, q.toFixed()]);
  return { bids: sorted(book.bids, true), asks: sorted(book.asks, false) };
}

describe('binance-spot book arithmetic equals decimal.js', () => {
  it('snapshot + contiguous diffs with mixed scales and zero padding: every level and the size totals equal the decimal.js rebuild', () => {
    const instrument = createBinanceSpotAdapter().fallbackInstrument('BTCUSDT')!;
    fc.assert(
      fc.property(side, side, fc.array(fc.tuple(side, side), { maxLength: 15 }), (sb, sa, evs) => {
        const sync = new SpotBookSync(instrument);
        const L = 1000;
        // the first event is buffered before the snapshot and straddles it (U <= L < L + 1 <= u)
        const events: DepthEvent[] = evs.map(([b, a], i) => ({ symbol: 'BTCUSDT', U: i === 0 ? L - 2 : L + 1 + i, u: L + 1 + i, E: i, bids: b, asks: a }));
        sync.onFrame(events[0] ?? { symbol: 'BTCUSDT', U: L - 2, u: L + 1, E: 0, bids: [], asks: [] }, 0);
        expect(sync.onSnapshot({ lastUpdateId: L, bids: sb, asks: sa }, 0).action).toBe('applied');
        for (const ev of events.slice(1)) expect(sync.onFrame(ev, 0).action).toBe('applied');
        const want = reference({ bids: sb, asks: sa }, evs.map(([b, a]) => ({ b, a })));
        expect(sync.book.levels(true, Infinity)).toEqual(want.bids);
        expect(sync.book.levels(false, Infinity)).toEqual(want.asks);
        let sum = 0;
        sync.book.bids.forEachTop(Infinity, (_p, q) => (sum += q));
        expect(sync.book.formatSize(sum)).toBe(want.bids.reduce((s, [, q]) => s.plus(q!), new Decimal(0)).toFixed());
      }),
      { numRuns: 300, seed: 20240808 },
    );
  });
});
