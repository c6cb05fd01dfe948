/** `bookfuse watch` rendering: exact strings from the local book, asks above bids, venue states. */
import { describe, expect, it } from 'vitest';
import { LocalBook } from '../../libs/client/index.js';
import { renderTop, watch } from '../../services/cli/watch.js';

describe('bookfuse watch', () => {
  it('renders the top of book with exact prices, best ask nearest the spread', () => {
    const b = new LocalBook('BTC-USD');
    b.applySnapshot({
      symbol: 'BTC-USD', epoch: 2, seq: 7, depth: 2, ts: 0, merge_ts: 0, gw_ts: 0, crossed: false,
      bids: [['98500.1', '2.75', {}], ['98500', '0.00000001', {}], ['98499.9', '1', {}]],
      asks: [['98502', '0.4', {}], ['98501.25', '1.5', {}]],
      venues: { 'okx-swap': { state: 'live', mid: null, age_ms: 9000, stale: true, divergent: false }, 'binance-usdm': { state: 'live', mid: '98501', age_ms: 1, stale: false, divergent: true, bps: 31 } },
    });
    const out = renderTop(b, 2, 'open', Date.UTC(2026, 0, 1)).split('\n');
    expect(out[0]).toBe('BTC-USD  epoch 2 seq 7  open  ');
    expect(out[1]).toBe('venues  binance-usdm:live!31bps  okx-swap:STALE');
    expect(out.slice(2, 7)).toEqual(['ask        98502  0.4', 'ask     98501.25  1.5', '----------------------------', 'bid      98500.1  2.75', 'bid        98500  0.00000001']);
  });

  it('refuses bad usage with exit code 2', async () => {
    expect(await watch([], {})).toBe(2);
    expect(await watch(['BTC-USD', '--depth', 'x'], {})).toBe(2);
  });
});
