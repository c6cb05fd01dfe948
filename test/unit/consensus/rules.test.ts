import { describe, expect, it } from 'vitest';
import type { TradeMessage } from '../../../libs/core/index.js';
import { DivergenceState, LiquidationDeduper, Tick, TradeMerger, fnv1a, owns, parseShard, ceilDiv, floorDiv } from '../../../libs/consensus/index.js';

const trade = (venue: string, id: string, price: string, qty: string, ts: number): TradeMessage => ({ v: 1, venue, symbol: 'BTC-USDT', id, price, qty, side: 'buy', ts, recv_ts: ts });

describe('tick bucketing', () => {
  it('floors and ceils exactly, also where the float quotient rounds', () => {
    expect(floorDiv(9_007_199_254_740_990, 10)).toBe(900_719_925_474_099);
    expect(ceilDiv(9_007_199_254_740_981, 10)).toBe(900_719_925_474_099);
    expect(floorDiv(29, 10)).toBe(2);
    expect(ceilDiv(21, 10)).toBe(3);
    expect(ceilDiv(20, 10)).toBe(2);
  });
  it('formats bucket prices at the tick scale', () => {
    const t = new Tick('0.25');
    expect(t.format(401)).toBe('100.25');
    expect(t.ratioFor(0)).toEqual([100, 25]);
    expect(t.ratioFor(3)).toEqual([1, 250]);
  });
});

describe('divergence hysteresis with a minimum duration', () => {
  it('raises only after the condition held for minMs and never flaps inside the band', () => {
    const d = new DivergenceState();
    expect(d.observe(1, 31, 0, 1000)).toBe(false);
    expect(d.advance(999, 1000)).toBe(false);
    expect(d.observe(0, 28, 999, 1000)).toBe(false); // back in the band: clock restarts
    expect(d.observe(1, 31, 1500, 1000)).toBe(false);
    expect(d.advance(2500, 1000)).toBe(true);
    expect(d.divergent).toBe(true);
    expect(d.observe(0, 26, 2600, 1000)).toBe(false);
    expect(d.advance(9000, 1000)).toBe(false); // 26 bps is not below 25
    expect(d.observe(-1, 24, 9000, 1000)).toBe(false);
    expect(d.advance(10_000, 1000)).toBe(true);
    expect(d.divergent).toBe(false);
  });
});

describe('trade tape', () => {
  it('drops exact duplicates and merges the same ts+price across venues into one print', () => {
    const m = new TradeMerger('BTC-USD', { key: 'ts+price', windowMs: 0, holdMs: 50, recentIds: 100 });
    expect(m.add(trade('binance-usdm', '1', '100.50', '0.1', 5), 0)).toBe('new');
    expect(m.add(trade('binance-usdm', '1', '100.50', '0.1', 5), 1)).toBe('duplicate');
    expect(m.add(trade('okx-swap', 'a', '100.5', '0.25', 5), 2)).toBe('merged');
    expect(m.add(trade('okx-swap', 'b', '100.5', '0.25', 6), 3)).toBe('new'); // another ms
    expect(m.drain(49)).toEqual([]);
    const [p] = m.drain(50);
    expect(p).toMatchObject({ id: 'binance-usdm:1', price: '100.5', qty: '0.35', venues: ['binance-usdm', 'okx-swap'] });
    expect(p!.sources).toEqual([
      { venue: 'binance-usdm', id: '1', qty: '0.1' },
      { venue: 'okx-swap', id: 'a', qty: '0.25' },
    ]);
    expect(m.drain(53).map((t) => t.id)).toEqual(['okx-swap:b']);
  });
  it('honours the window and the qty key; `id` never merges across venues', () => {
    const w = new TradeMerger('X', { key: 'ts+price+qty', windowMs: 2, holdMs: 10, recentIds: 100 });
    w.add(trade('a', '1', '1', '2', 100), 0);
    expect(w.add(trade('b', '1', '1', '2', 102), 0)).toBe('merged');
    expect(w.add(trade('c', '1', '1', '3', 101), 0)).toBe('new');
    const byId = new TradeMerger('X', { key: 'id', windowMs: 0, holdMs: 10, recentIds: 100 });
    byId.add(trade('a', '1', '1', '2', 100), 0);
    expect(byId.add(trade('b', '1', '1', '2', 100), 0)).toBe('new');
    expect(byId.drain(0)).toHaveLength(2);
  });
  it('remembers a bounded number of ids', () => {
    const m = new TradeMerger('X', { key: 'id', windowMs: 0, holdMs: 0, recentIds: 2 });
    m.add(trade('a', '1', '1', '1', 1), 0);
    m.add(trade('a', '2', '1', '1', 1), 0);
    m.add(trade('a', '3', '1', '1', 1), 0);
    expect(m.add(trade('a', '1', '1', '1', 1), 0)).toBe('new'); // forgotten: the documented cost of the cap
    expect(m.add(trade('a', '3', '1', '1', 1), 0)).toBe('duplicate');
  });
});

describe('liquidations', () => {
  it('prefixes the id with the venue, drops duplicates, fills a missing notional only in a USD-like group', () => {
    const d = new LiquidationDeduper(10);
    const l = { v: 1 as const, venue: 'bybit-linear', symbol: 'BTC-USDT', id: '9', side: 'sell' as const, liquidated: 'long' as const, price: '98412.3', qty: '0.12', notional_usd: '0', coverage: 'complete' as const, ts: 1, recv_ts: 1 };
    expect(d.accept(l, true)).toMatchObject({ id: 'bybit-linear:9', notional_usd: '11809.476' });
    expect(d.accept(l, true)).toBeNull();
    expect(d.accept({ ...l, id: '10' }, false)!.notional_usd).toBe('0');
  });
});

describe('sharding', () => {
  it('splits symbols by FNV-1a, stable and disjoint', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    const shards = [parseShard('0/3'), parseShard('1/3'), parseShard('2/3')];
    for (const s of ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XRP-USD']) expect(shards.filter((o) => owns(o, s))).toHaveLength(1);
    expect(() => parseShard('3/3')).toThrow();
  });
});
