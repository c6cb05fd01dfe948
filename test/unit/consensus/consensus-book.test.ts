import { describe, expect, it } from 'vitest';
import { ConsensusBook } from '../../../libs/consensus/index.js';
import { GROUP, RULES, delta, snap, status } from './venue-books.js';

const T0 = 1_000_000;

function book(rules = RULES) {
  return new ConsensusBook(GROUP, rules, 7, T0);
}

describe('consensus book levels', () => {
  it('buckets bids down and asks up to the tick, sums per venue and totals', () => {
    const b = book();
    b.applyBook(snap('binance-usdm', 'BTC-USDT', 10, [['100.05', '1.5'], ['99.9', '2']], [['100.11', '0.3']]), T0);
    b.applyBook(snap('okx-swap', 'BTC-USDT', 3, [['100.0', '0.25']], [['100.2', '1']]), T0);
    const s = b.flush(T0)!;
    expect(s.kind).toBe('snapshot');
    expect(s.epoch).toBe(7);
    expect(s.seq).toBe(1);
    expect(s.bids).toEqual([
      ['100', '1.75', { 'binance-usdm': '1.5', 'okx-swap': '0.25' }],
      ['99.9', '2', { 'binance-usdm': '2' }],
    ]);
    expect(s.asks).toEqual([['100.2', '1.3', { 'binance-usdm': '0.3', 'okx-swap': '1' }]]);
    expect(s.crossed).toBe(false);
  });

  it('sends only changed levels in deltas with contiguous seq, total 0 removing', () => {
    const b = book();
    b.applyBook(snap('binance-usdm', 'BTC-USDT', 10, [['100', '1'], ['99', '1']], [['101', '1']]), T0);
    b.flush(T0);
    b.applyBook(delta('binance-usdm', 'BTC-USDT', 11, [['100', '0'], ['99', '3']], []), T0 + 1);
    const d = b.flush(T0 + 1)!;
    expect(d).toMatchObject({ kind: 'delta', seq: 2, prev_seq: 1 });
    expect(d.bids).toEqual(expect.arrayContaining([['100', '0', {}], ['99', '3', { 'binance-usdm': '3' }]]));
    expect(d.bids).toHaveLength(2);
    expect(d.asks).toEqual([]);
    expect(b.flush(T0 + 2)).toBeNull();
  });

  it('reports a crossed consensus book', () => {
    const b = book();
    b.applyBook(snap('binance-usdm', 'BTC-USDT', 1, [['101', '1']], [['102', '1']]), T0);
    b.applyBook(snap('okx-swap', 'BTC-USDT', 1, [['99', '1']], [['100', '1']]), T0);
    expect(b.flush(T0)!.crossed).toBe(true);
  });
});

describe('sequence and recovery', () => {
  it('a gap takes the venue out, buffers deltas and a snapshot brings it back in order', () => {
    const b = book();
    b.applyBook(snap('binance-usdm', 'BTC-USDT', 10, [['100', '1']], [['101', '1']]), T0);
    b.flush(T0);
    expect(b.applyBook(delta('binance-usdm', 'BTC-USDT', 13, [['100', '5']], []), T0)).toBe('gap');
    expect(b.drainAlerts().map((a) => a.kind)).toEqual(['RESYNC']);
    expect(b.needsSnapshot().map((s) => s.venue)).toEqual(['binance-usdm', 'okx-swap', 'hyperliquid']);
    const out = b.flush(T0)!;
    expect(out.bids).toEqual([['100', '0', {}]]);
    expect(b.applyBook(delta('binance-usdm', 'BTC-USDT', 14, [['100', '6']], []), T0)).toBe('buffered');
    expect(b.applyBook(snap('binance-usdm', 'BTC-USDT', 13, [['100', '5']], [['101', '1']]), T0)).toBe('applied');
    expect(b.slot('binance-usdm', 'BTC-USDT')!.seq).toBe(14);
    expect(b.flush(T0)!.bids).toEqual([['100', '6', { 'binance-usdm': '6' }]]);
  });
});

describe('staleness', () => {
  it('goes stale after the threshold, stays listed out of the totals, recovers on the next delta', () => {
    const b = book({ ...RULES, staleAfterMs: 5000 });
    b.applyBook(snap('binance-usdm', 'BTC-USDT', 1, [['100', '1']], [['101', '1']]), T0);
    b.applyBook(snap('okx-swap', 'BTC-USDT', 1, [['100', '2']], [['101', '2']]), T0);
    b.flush(T0);
    b.drainAlerts();
    b.applyBook(delta('okx-swap', 'BTC-USDT', 2, [['100', '3']], []), T0 + 4000);
    b.tick(T0 + 5000);
    expect(b.drainAlerts()).toEqual([]);
    b.tick(T0 + 5001);
    // hyperliquid never delivered a book: it is stale too
    expect(b.drainAlerts().map((a) => [a.kind, a.venue, a.priority])).toEqual([
      ['STALE', 'binance-usdm', 'P0'],
      ['STALE', 'hyperliquid', 'P0'],
    ]);
    const d = b.flush(T0 + 5001)!;
    expect(d.bids).toEqual([['100', '3', { 'binance-usdm': '1', 'okx-swap': '3' }]]);
    expect(d.venues!['binance-usdm']).toMatchObject({ stale: true, state: 'stale', member: false });
    b.applyBook(delta('binance-usdm', 'BTC-USDT', 2, [['100', '1.5']], []), T0 + 6000);
    expect(b.drainAlerts().map((a) => a.kind)).toEqual(['RECOVERED']);
    expect(b.flush(T0 + 6000)!.bids).toEqual([['100', '4.5', { 'binance-usdm': '1.5', 'okx-swap': '3' }]]);
  });

  it('a collector down status makes its books stale at once', () => {
    const b = book();
    b.applyBook(snap('okx-swap', 'BTC-USDT', 1, [['100', '2']], [['101', '2']]), T0);
    b.flush(T0);
    b.drainAlerts();
    b.applyStatus(status('okx-swap', 'down'), T0 + 10);
    expect(b.drainAlerts().map((a) => [a.kind, a.detail['reason']])).toEqual([['STALE', 'down']]);
    expect(b.flush(T0 + 10)!.bids).toEqual([['100', '0', {}]]);
  });
});

describe('divergence', () => {
  it('flags above the threshold, clears below the lower one, never in between', () => {
    const b = book({ ...RULES, divergenceMinMs: 0 });
    b.applyBook(snap('binance-usdm', 'BTC-USDT', 1, [['9999', '1']], [['10001', '1']]), T0);
    b.applyBook(snap('okx-swap', 'BTC-USDT', 1, [['9999', '1']], [['10001', '1']]), T0);
    // 10030 is exactly 30 bps from 10000: not above
    b.applyBook(snap('hyperliquid', 'BTC-USDC', 1, [['10029', '1']], [['10031', '1']]), T0);
    b.flush(T0);
    expect(b.drainAlerts().filter((a) => a.kind === 'DIVERGENCE')).toEqual([]);
    const hl = (seq: number, bid: string, ask: string) => b.applyBook(snap('hyperliquid', 'BTC-USDC', seq, [[bid, '1']], [[ask, '1']]), T0 + seq);
    hl(2, '10029.2', '10031'); // mid 10030.1: 30.1 bps
    b.flush(T0 + 2);
    expect(b.drainAlerts().map((a) => [a.kind, a.venue])).toEqual([['DIVERGENCE', 'hyperliquid']]);
    hl(3, '10024', '10026'); // exactly 25 bps: not below
    b.flush(T0 + 3);
    expect(b.drainAlerts()).toEqual([]);
    hl(4, '10023.9', '10026'); // 24.95 bps
    b.flush(T0 + 4);
    expect(b.drainAlerts().map((a) => a.kind)).toEqual(['CONVERGED']);
  });
});
