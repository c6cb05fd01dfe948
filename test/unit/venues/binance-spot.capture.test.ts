import { describe, expect, it } from 'vitest';
import { createBinanceSpotAdapter } from '../../../libs/venues/binance-spot/adapter.js';
import type { TradeMessage } from '../../../libs/core/index.js';
import { fixture, fixtureJson } from '../../helpers/fixtures.js';
import { replayWithTickers } from '../../helpers/book-ticker.js';

const adapter = createBinanceSpotAdapter();

describe('binance-spot on real captures', () => {
  it('BTCUSDT 2024: joins the REST snapshot, no gaps, every matching bookTicker equals the rebuilt top, trade ids contiguous', async () => {
    const trades: TradeMessage[] = [];
    const { result, tickers } = await replayWithTickers(adapter as never, fixture('binance-spot', 'btcusdt-20240808-depth100ms-trade-bookticker.capture.ndjson'), {
      depth: 1000,
      onOutput: (o) => {
        if (o.type === 'trade') trades.push(o.msg);
      },
    });
    expect(result.stats).toMatchObject({ gaps: 0, resyncs: 0, crossed: 0, rejected: 0, snapshots: 1 });
    expect(result.stats.deltas).toBeGreaterThan(500);
    expect(tickers.compared).toBeGreaterThanOrEqual(110);
    expect(tickers.mismatches).toEqual([]);
    expect(Object.keys(result.books)).toEqual(['BTC-USDT']);

    expect(trades).toHaveLength(1381);
    const ids = trades.map((t) => Number(t.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
    // m:true (buyer is maker) ⇒ the taker sold; the recording has both kinds
    expect(new Set(trades.map((t) => t.side))).toEqual(new Set(['buy', 'sell']));
    expect(trades[0]).toMatchObject({ venue: 'binance-spot', symbol: 'BTC-USDT', id: '3735683259', price: '61837.63', qty: '0.02', side: 'sell', ts: 1723161255342 });
  });

  it('4 symbols 2021 with exchangeInfo: events buffered before each snapshot join it, 26 bookTickers match', async () => {
    const instruments = adapter.parseInstruments([fixtureJson('binance-spot', 'exchangeinfo-20211012.json')]);
    const { result, tickers } = await replayWithTickers(adapter as never, fixture('binance-spot', '4symbols-20211012-depth100ms-bookticker-aggtrade.capture.ndjson'), {
      depth: 1000,
      instruments,
    });
    expect(result.stats).toMatchObject({ gaps: 0, resyncs: 0, crossed: 0, rejected: 0, snapshots: 4 });
    expect(Object.keys(result.books).sort()).toEqual(['BLZ-ETH', 'LRC-BTC', 'NKN-USDT', 'RUNE-EUR']);
    expect(tickers.compared).toBeGreaterThanOrEqual(26);
    expect(tickers.mismatches).toEqual([]);
  });
});
