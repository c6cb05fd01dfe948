/** #16.5, the pure part: interval types, epoch-aligned windows, and when a window takes its price. */
import { describe, expect, it } from 'vitest';
import { WindowPrices, parseWindowTypes, windowStart } from '../../../libs/consensus/index.js';

const mid = (price: string) => ({ price, venues: ['binance-usdm', 'okx-swap'] });
const T0 = Date.UTC(2026, 11, 4, 19, 0, 0); // a 1d, 4h, 1h, 15m, 5m and 5s boundary

describe('window types', () => {
  it('parses <n>s|m|h|d, keeps the order and drops repeats; refuses anything else', () => {
    expect(parseWindowTypes('5m,15m,1h,4h,1d').map((t) => t.ms)).toEqual([300_000, 900_000, 3_600_000, 14_400_000, 86_400_000]);
    expect(parseWindowTypes('5s, 5s,2m').map((t) => t.type)).toEqual(['5s', '2m']);
    for (const bad of ['', '5', '0m', '5w', '1.5h', 'm5']) expect(() => parseWindowTypes(bad)).toThrow(/window type|WINDOW_TYPES/);
  });

  it('aligns windows to the epoch (UTC)', () => {
    expect(windowStart(T0 + 4_999, 5_000)).toBe(T0);
    expect(windowStart(T0 + 5_000, 5_000)).toBe(T0 + 5_000);
    expect(windowStart(Date.UTC(2026, 11, 4, 23, 59), 86_400_000)).toBe(Date.UTC(2026, 11, 4));
  });
});

describe('WindowPrices', () => {
  const types = parseWindowTypes('5s,1m');

  it('leaves the window it started in alone, then opens each window at the first update at or after its boundary', () => {
    const w = new WindowPrices('BTC', types, 5_000, T0 + 2_000);
    expect(w.update(T0 + 3_000, mid('100'))).toEqual([]);
    expect(w.wantsMid(T0 + 4_999)).toBe(false);
    expect(w.wantsMid(T0 + 5_000)).toBe(true);
    const [e] = w.update(T0 + 5_000, mid('100.05'));
    expect(e).toEqual({ type: 'window_open', asset: 'BTC', marketType: '5s', window_start: T0 + 5_000, window_end: T0 + 10_000, price: '100.05', source: 'consensus_mid', venues: ['binance-usdm', 'okx-swap'], ts: T0 + 5_000 });
    // later updates in the same window change nothing
    expect(w.update(T0 + 6_000, mid('101'))).toEqual([]);
    // the minute boundary opens both intervals with the same price
    expect(w.update(T0 + 60_010, mid('99.5')).map((x) => [x.marketType, x.window_start, x.type === 'window_open' && x.price])).toEqual([
      ['5s', T0 + 60_000, '99.5'],
      ['1m', T0 + 60_000, '99.5'],
    ]);
  });

  it('an update without a two-sided mid does not open a window; none within the timeout is an error', () => {
    const w = new WindowPrices('ETH', parseWindowTypes('1m'), 5_000, T0 + 1);
    expect(w.update(T0 + 60_000, null)).toEqual([]);
    expect(w.tick(T0 + 64_999)).toEqual([]);
    const [e] = w.tick(T0 + 65_000);
    expect(e).toMatchObject({ type: 'window_open_error', asset: 'ETH', marketType: '1m', window_start: T0 + 60_000, window_end: T0 + 120_000 });
    expect(e!.type === 'window_open_error' && e!.reason).toMatch(/5000 ms/);
    expect(w.update(T0 + 66_000, mid('1'))).toEqual([]);
  });

  it('a window shorter than the timeout errors at the next boundary at the latest, and the next one still opens', () => {
    const w = new WindowPrices('BTC', parseWindowTypes('5s'), 60_000, T0 + 1);
    expect(w.tick(T0 + 5_001)).toEqual([]);
    const out = w.update(T0 + 10_002, mid('7'));
    expect(out.map((x) => [x.type, x.window_start])).toEqual([
      ['window_open_error', T0 + 5_000],
      ['window_open', T0 + 10_000],
    ]);
  });
});
