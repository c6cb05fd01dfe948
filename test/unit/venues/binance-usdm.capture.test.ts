import { describe, expect, it } from 'vitest';
import { createBinanceUsdmAdapter } from '../../../libs/venues/binance-usdm/adapter.js';
import { fixture, fixtureJson } from '../../helpers/fixtures.js';
import { replayWithTickers } from '../../helpers/book-ticker.js';

const adapter = createBinanceUsdmAdapter();

async function replayUsdm(file: string, withMetadata: boolean) {
  const instruments = withMetadata ? adapter.parseInstruments([fixtureJson('binance-usdm', 'exchangeinfo-20210722.json')]) : undefined;
  return replayWithTickers(adapter as never, fixture('binance-usdm', file), { depth: 1000, instruments });
}

describe('binance-usdm on real captures', () => {
  it.each([
    {
      what: 'BTCUSDT 2024 (@depth@0ms): syncs from the REST snapshot, no gaps, every matching bookTicker equals the rebuilt top',
      file: 'btcusdt-20240808-depth0ms-trade-bookticker.capture.ndjson',
      withMetadata: false,
      stats: { snapshots: 1, trades: 1161 },
      books: ['BTC-USDT'],
      tickers: 56,
    },
    {
      what: '4 symbols 2021: symbols whose snapshot equals a dropped u sync through pu == lastUpdateId',
      file: '4symbols-20210722-depth100ms-bookticker-aggtrade.capture.ndjson',
      withMetadata: true,
      stats: { snapshots: 4 },
      books: ['AKRO-USDT', 'CTK-USDT', 'KEEP-USDT', 'SUSHI-USDT'],
      tickers: 50,
    },
  ])('$what', async (c) => {
    const { result, tickers } = await replayUsdm(c.file, c.withMetadata);
    expect(result.stats).toMatchObject({ gaps: 0, resyncs: 0, crossed: 0, rejected: 0, ...c.stats });
    expect(result.stats.deltas).toBeGreaterThan(c.withMetadata ? 0 : 500);
    expect(Object.keys(result.books).sort()).toEqual(c.books);
    expect(tickers.compared).toBeGreaterThanOrEqual(c.tickers);
    expect(tickers.mismatches).toEqual([]);
  });

  it('parses the recorded single frames: forceOrder is a sampled liquidation of a short (BUY closes a short)', () => {
    const raw = '{"stream":"btcusdt@forceOrder","data":{"e":"forceOrder","E":1584059031426,"o":{"s":"BTCUSDT","S":"BUY","o":"LIMIT","f":"IOC","q":"0.014","p":"4793.91","ap":"4706.04","X":"FILLED","l":"0.015","z":"0.014","T":1584059031421}}}';
    const parsed = adapter.parse(raw, 0);
    expect(parsed).toEqual({
      kind: 'liquidations',
      liquidations: [{ venueSymbol: 'BTCUSDT', side: 'buy', liquidated: 'short', price: '4706.04', qty: '0.014', coverage: 'sampled', ts: 1584059031421 }],
    });
  });
});
