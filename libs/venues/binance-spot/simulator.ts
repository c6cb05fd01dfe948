/**
 * A local binance-spot: combined (`/stream?streams=`) and raw (`/ws/…`) stream URLs plus live
 * SUBSCRIBE, diff-depth events whose U/u ids are contiguous per symbol, `@trade` events, and
 * `/api/v3/depth` snapshots whose lastUpdateId is the last id the stream has consumed, so the
 * official join rule (U <= lastUpdateId + 1 <= u) holds. `/api/v3/exchangeInfo` lists the
 * simulated instruments. The world sends ws ping frames. Spot has no liquidations.
 */
import type { MarketEvent, SimInstrumentSpec, SimWorldView, VenueSimulator } from '../../simulator/index.js';
import { binanceRest, DepthIds } from '../binance-common/sim-depth.js';
import { BinanceStreamSession, StreamEvent } from '../binance-common/sim-streams.js';
import { createBinanceSpotAdapter } from './adapter.js';

/** /api/v3/depth: default and largest limit */
const DEPTH_DEFAULT_LIMIT = 100;
const DEPTH_MAX_LIMIT = 5000;

export function createBinanceSpotSimulator(specs: SimInstrumentSpec[], world: SimWorldView): VenueSimulator {
  const ids = new DepthIds(specs.map((s) => s.venueSymbol), 4_000_000);
  const sessions = new Set<BinanceStreamSession>();
  const info = exchangeInfo(specs);

  const depthEvent = (e: Extract<MarketEvent, { type: 'book' }>): StreamEvent | null => {
    // one id per level changed: contiguous across events, as spot guarantees (U == prev u + 1)
    const id = ids.next(e.venueSymbol, Math.max(1, e.bids.length + e.asks.length));
    if (!id) return null;
    const data = { e: 'depthUpdate', E: e.ts, s: e.venueSymbol, U: id.U, u: id.u, b: e.bids, a: e.asks };
    return new StreamEvent(`${e.venueSymbol.toLowerCase()}@depth@100ms`, data);
  };

  return {
    venue: 'binance-spot',
    instruments: createBinanceSpotAdapter().parseInstruments([info]),
    serverPings: true,

    handleRest: binanceRest({ exchangeInfo: '/api/v3/exchangeInfo', depth: '/api/v3/depth', defaultLimit: DEPTH_DEFAULT_LIMIT, maxLimit: DEPTH_MAX_LIMIT }, ids, info, world),

    openSession(path, query, client) {
      const s = new BinanceStreamSession(path, query, client, () => sessions.delete(s));
      sessions.add(s);
      return s;
    },

    publish(e) {
      const sym = e.venueSymbol.toLowerCase();
      if (e.type === 'book') {
        const ev = depthEvent(e);
        if (ev) for (const s of sessions) if (s.hasPrefix(`${sym}@depth`)) s.send(ev);
      } else if (e.type === 'trade') {
        const data = { e: 'trade', E: e.ts + 1, s: e.venueSymbol, t: e.id, p: e.price, q: e.qty, T: e.ts, m: e.side === 'sell', M: true };
        const ev = new StreamEvent(`${sym}@trade`, data);
        for (const s of sessions) if (s.has(ev.stream)) s.send(ev);
      }
      // liquidations: spot has no such stream
    },

    skipSequence: () => ids.skipAll(),
  };
}

function exchangeInfo(specs: SimInstrumentSpec[]): unknown {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    exchangeFilters: [],
    symbols: specs.map((s) => ({
      symbol: s.venueSymbol,
      status: 'TRADING',
      baseAsset: s.venueBase,
      quoteAsset: s.quote,
      isSpotTradingAllowed: true,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: s.tickSize, maxPrice: '1000000.00000000', tickSize: s.tickSize },
        { filterType: 'LOT_SIZE', minQty: s.lotSize, maxQty: '9000.00000000', stepSize: s.lotSize },
      ],
    })),
  };
}
