import { describe, expect, it } from 'vitest';
import { createBinanceUsdmAdapter } from '../../../libs/venues/binance-usdm/adapter.js';
import { UsdmBookSync } from '../../../libs/venues/binance-usdm/sync.js';
import { replayFile, type ReplayResult } from '../../../libs/venues/replay.js';
import type { VenueEngine } from '../../../libs/venues/engine.js';
import { canonicalDecimal } from '../../../libs/core/index.js';
import { fixture, fixtureJson } from '../../helpers/fixtures.js';

const adapter = createBinanceUsdmAdapter();

interface TickerCheck {
  compared: number;
  mismatches: string[];
}

interface Ticker {
  s: string;
  u: number;
  b: string;
  B: string;
  a: string;
  A: string;
}

/**
 * Replay a capture; whenever the book's last applied u equals a recorded bookTicker's u, the
 * rebuilt best bid and ask (price and size) must equal that ticker. Tickers and depth travel on
 * different streams, so a ticker waits until the book reaches its u.
 */
async function replayWithTickers(file: string, withMetadata: boolean): Promise<{ result: ReplayResult; tickers: TickerCheck }> {
  const tickers: TickerCheck = { compared: 0, mismatches: [] };
  const pending = new Map<string, Map<number, Ticker>>();
  const instruments = withMetadata ? adapter.parseInstruments([fixtureJson('binance-usdm', 'exchangeinfo-20210722.json')]) : undefined;
  const check = (engine: VenueEngine) => {
    for (const [sym, byU] of pending) {
      const entry = engine.books.get(sym);
      if (!entry || entry.state !== 'live') continue;
      const sync = entry.sync as unknown as UsdmBookSync;
      const t = byU.get(sync.lastUpdateId);
      if (!t) continue;
      byU.delete(t.u);
      tickers.compared++;
      const top = [sync.book.levels(true, 1)[0], sync.book.levels(false, 1)[0]];
      const want = [
        [canonicalDecimal(t.b), canonicalDecimal(t.B)],
        [canonicalDecimal(t.a), canonicalDecimal(t.A)],
      ];
      if (JSON.stringify(top) !== JSON.stringify(want)) tickers.mismatches.push(`${t.s}@${t.u}: ${JSON.stringify(top)} != ${JSON.stringify(want)}`);
    }
  };
  let last: VenueEngine | undefined;
  const result = await replayFile(adapter as never, fixture('binance-usdm', file), {
    depth: 1000,
    instruments,
    onLine: (line, engine) => {
      last = engine;
      check(engine); // the previous line's effect
      if (line.src !== 'ws' || !line.raw.includes('"bookTicker"')) return;
      const t = (JSON.parse(line.raw) as { data: Ticker }).data;
      if (!pending.has(t.s)) pending.set(t.s, new Map());
      pending.get(t.s)!.set(t.u, t);
    },
  });
  if (last) check(last);
  return { result, tickers };
}

describe('binance-usdm on real captures', () => {
  it('BTCUSDT 2024 (@depth@0ms): syncs from the REST snapshot, no gaps, every matching bookTicker equals the rebuilt top', async () => {
    const { result, tickers } = await replayWithTickers('btcusdt-20240808-depth0ms-trade-bookticker.capture.ndjson', false);
    expect(result.stats.gaps).toBe(0);
    expect(result.stats.resyncs).toBe(0);
    expect(result.stats.crossed).toBe(0);
    expect(result.stats.rejected).toBe(0);
    expect(result.stats.snapshots).toBe(1);
    expect(result.stats.deltas).toBeGreaterThan(500);
    expect(result.stats.trades).toBe(1161);
    expect(tickers.compared).toBeGreaterThanOrEqual(56);
    expect(tickers.mismatches).toEqual([]);
    expect(Object.keys(result.books)).toEqual(['BTC-USDT']);
  });

  it('4 symbols 2021: symbols whose snapshot equals a dropped u sync through pu == lastUpdateId', async () => {
    const { result, tickers } = await replayWithTickers('4symbols-20210722-depth100ms-bookticker-aggtrade.capture.ndjson', true);
    expect(result.stats.gaps).toBe(0);
    expect(result.stats.resyncs).toBe(0);
    expect(result.stats.crossed).toBe(0);
    expect(result.stats.rejected).toBe(0);
    expect(result.stats.snapshots).toBe(4);
    expect(Object.keys(result.books).sort()).toEqual(['AKRO-USDT', 'CTK-USDT', 'KEEP-USDT', 'SUSHI-USDT']);
    expect(tickers.compared).toBeGreaterThanOrEqual(50);
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
