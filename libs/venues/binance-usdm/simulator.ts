/**
 * A local binance-usdm: the `/public` and `/market` stream paths (combined `stream?streams=` URLs,
 * raw `/ws/…` URLs and live SUBSCRIBE), `/fapi/v1/depth` snapshots whose lastUpdateId joins the
 * stream's `pu` chain, and `/fapi/v1/exchangeInfo` for the simulated instruments. As on the venue
 * since the 2026 split, depth reaches only `/public` sockets and trades and liquidations only
 * `/market` ones: a stream on the wrong path is accepted and stays silent. The world pings.
 */
import type { MarketEvent, SimInstrumentSpec, SimWorldView, VenueSimulator } from '../../simulator/index.js';
import { binanceRest, DepthIds } from '../binance-common/sim-depth.js';
import { BinanceStreamSession, StreamEvent } from '../binance-common/sim-streams.js';
import { createBinanceUsdmAdapter } from './adapter.js';

type PathClass = 'public' | 'market' | 'legacy';

export function createBinanceUsdmSimulator(specs: SimInstrumentSpec[], world: SimWorldView): VenueSimulator {
  const ids = new DepthIds(specs.map((s) => s.venueSymbol), 1_000_000);
  const sessions = new Map<BinanceStreamSession, PathClass>();
  const info = exchangeInfo(specs);

  /** Every depth event advances ids once, whoever listens, so snapshots and streams agree. */
  const depthEvent = (e: Extract<MarketEvent, { type: 'book' }>): StreamEvent | null => {
    const id = ids.next(e.venueSymbol, 1 + (e.bids.length + e.asks.length)); // futures ids are not contiguous across events
    if (!id) return null;
    const data = { e: 'depthUpdate', E: e.ts + 1, T: e.ts, s: e.venueSymbol, U: id.U, u: id.u, pu: id.pu, b: e.bids, a: e.asks };
    return new StreamEvent(`${e.venueSymbol.toLowerCase()}@depth@100ms`, data);
  };

  return {
    venue: 'binance-usdm',
    instruments: createBinanceUsdmAdapter().parseInstruments([info]),
    serverPings: true,

    handleRest: binanceRest({ exchangeInfo: '/fapi/v1/exchangeInfo', depth: '/fapi/v1/depth', defaultLimit: 500, maxLimit: 1000, stamp: (now) => ({ E: now, T: now }) }, ids, info, world),

    openSession(path, query, client) {
      const s = new BinanceStreamSession(path, query, client, () => sessions.delete(s));
      sessions.set(s, path.startsWith('/public') ? 'public' : path.startsWith('/market') ? 'market' : 'legacy');
      return s;
    },

    publish(e) {
      const sym = e.venueSymbol.toLowerCase();
      if (e.type === 'book') {
        const ev = depthEvent(e);
        if (ev) for (const [s, cls] of sessions) if (cls !== 'market' && s.hasPrefix(`${sym}@depth`)) s.send(ev);
        return;
      }
      const ev = e.type === 'trade' ? aggTradeEvent(e) : forceOrderEvent(e);
      const wanted = (s: BinanceStreamSession) => (e.type === 'trade' ? s.has(`${sym}@aggtrade`) || s.has(`${sym}@trade`) : s.has(`${sym}@forceorder`) || s.has('!forceorder@arr'));
      for (const [s, cls] of sessions) if (cls === 'market' && wanted(s)) s.send(ev);
    },

    skipSequence: () => ids.skipAll(),
  };
}

function aggTradeEvent(e: Extract<MarketEvent, { type: 'trade' }>): StreamEvent {
  const data = { e: 'aggTrade', E: e.ts + 1, s: e.venueSymbol, a: e.id, p: e.price, q: e.qty, f: e.id, l: e.id, T: e.ts, m: e.side === 'sell' };
  return new StreamEvent(`${e.venueSymbol.toLowerCase()}@aggTrade`, data);
}

/** side = side of the closing order, as Binance's `o.S` */
function forceOrderEvent(e: Extract<MarketEvent, { type: 'liq' }>): StreamEvent {
  const o = { s: e.venueSymbol, S: e.side === 'sell' ? 'SELL' : 'BUY', o: 'LIMIT', f: 'IOC', q: e.qty, p: e.price, ap: e.price, X: 'FILLED', l: e.qty, z: e.qty, T: e.ts };
  return new StreamEvent(`${e.venueSymbol.toLowerCase()}@forceOrder`, { e: 'forceOrder', E: e.ts + 1, o });
}

function exchangeInfo(specs: SimInstrumentSpec[]): unknown {
  return {
    timezone: 'UTC',
    serverTime: Date.now(),
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 }],
    symbols: specs.map((s) => ({
      symbol: s.venueSymbol,
      pair: s.venueSymbol,
      contractType: 'PERPETUAL',
      status: 'TRADING',
      baseAsset: s.venueBase,
      quoteAsset: s.quote,
      marginAsset: s.quote,
      filters: [
        { filterType: 'PRICE_FILTER', tickSize: s.tickSize, minPrice: s.tickSize, maxPrice: '10000000' },
        { filterType: 'LOT_SIZE', stepSize: s.lotSize, minQty: s.lotSize, maxQty: '100000' },
      ],
    })),
  };
}
