/**
 * A local binance-usdm: the `/public` and `/market` stream paths (combined `stream?streams=` URLs
 * and live SUBSCRIBE), `/fapi/v1/depth` snapshots whose lastUpdateId joins the stream's `pu`
 * chain, and `/fapi/v1/exchangeInfo` for the simulated instruments. The world sends ws ping frames.
 */
import { baseConversion, canonicalSymbol, type Instrument } from '../../core/index.js';
import type { MarketEvent, SimClient, SimInstrumentSpec, SimSession, SimWorldView, VenueSimulator } from '../../simulator/types.js';

interface IdState {
  /** last update id sent (or withheld) */
  u: number;
  /** withhold the next depth event but consume its ids */
  skip: boolean;
}

export function createBinanceUsdmSimulator(specs: SimInstrumentSpec[], world: SimWorldView): VenueSimulator {
  const ids = new Map<string, IdState>(specs.map((s) => [s.venueSymbol, { u: 1_000_000, skip: false }]));
  const sessions = new Set<UsdmSession>();
  const instruments: Instrument[] = specs.map((s) => {
    const { base, conversion } = baseConversion(s.venueBase);
    return { venue: 'binance-usdm', venueSymbol: s.venueSymbol, symbol: canonicalSymbol(base, s.quote), base, quote: s.quote, kind: 'perp', tickSize: s.tickSize, lotSize: s.lotSize, conversion };
  });

  /** Every depth event advances ids once, whoever listens, so snapshots and streams agree. */
  const depthFrame = (e: Extract<MarketEvent, { type: 'book' }>): string | null => {
    const st = ids.get(e.venueSymbol);
    if (!st) return null;
    const pu = st.u;
    const U = st.u + 1;
    st.u += 1 + (e.bids.length + e.asks.length); // futures ids are not contiguous across events
    if (st.skip) {
      st.skip = false;
      return null;
    }
    const data = { e: 'depthUpdate', E: e.ts + 1, T: e.ts, s: e.venueSymbol, U, u: st.u, pu, b: e.bids, a: e.asks };
    return JSON.stringify({ stream: `${e.venueSymbol.toLowerCase()}@depth@100ms`, data });
  };

  return {
    venue: 'binance-usdm',
    instruments,
    serverPings: true,

    handleRest(method, path, query) {
      if (method !== 'GET') return undefined;
      if (path === '/fapi/v1/exchangeInfo') return { status: 200, body: exchangeInfo(specs) };
      if (path === '/fapi/v1/depth') {
        const sym = query.get('symbol') ?? '';
        const st = ids.get(sym);
        if (!st) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
        const limit = Math.min(1000, Number(query.get('limit') ?? 500) || 500);
        const book = world.book(sym, limit);
        return { status: 200, body: { lastUpdateId: st.u, E: world.now(), T: world.now(), bids: book.bids, asks: book.asks } };
      }
      return undefined;
    },

    openSession(path, query, client) {
      const s = new UsdmSession(path, query, client, () => sessions.delete(s));
      sessions.add(s);
      return s;
    },

    publish(e) {
      if (e.type === 'book') {
        const frame = depthFrame(e);
        if (frame) for (const s of sessions) s.sendDepth(e.venueSymbol, frame);
        return;
      }
      const frame = e.type === 'trade' ? aggTradeFrame(e) : forceOrderFrame(e);
      for (const s of sessions) s.sendMarket(e.venueSymbol, e.type, frame);
    },

    skipSequence() {
      for (const st of ids.values()) st.skip = true;
    },
  };
}

class UsdmSession implements SimSession {
  private readonly streams = new Set<string>();
  private readonly kind: 'public' | 'market' | 'legacy';

  constructor(
    path: string,
    query: URLSearchParams,
    private readonly client: SimClient,
    private readonly onDone: () => void,
  ) {
    this.kind = path.startsWith('/public') ? 'public' : path.startsWith('/market') ? 'market' : 'legacy';
    for (const s of (query.get('streams') ?? '').split('/')) if (s) this.streams.add(s.toLowerCase());
    const raw = /\/ws\/(.+)$/.exec(path);
    if (raw?.[1]) for (const s of raw[1].split('/')) this.streams.add(s.toLowerCase());
  }

  onMessage(text: string): void {
    let m: { method?: string; params?: unknown; id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      this.client.send(JSON.stringify({ code: 3, msg: 'Invalid JSON' }));
      return;
    }
    if ((m.method === 'SUBSCRIBE' || m.method === 'UNSUBSCRIBE') && Array.isArray(m.params)) {
      for (const p of m.params) {
        if (typeof p !== 'string') continue;
        if (m.method === 'SUBSCRIBE') this.streams.add(p.toLowerCase());
        else this.streams.delete(p.toLowerCase());
      }
      this.client.send(JSON.stringify({ result: null, id: m.id ?? null }));
    }
  }

  /** Depth is high-frequency data: only `/public` (or the legacy bare path) carries it. */
  sendDepth(venueSymbol: string, frame: string): void {
    if (this.kind === 'market') return;
    const prefix = `${venueSymbol.toLowerCase()}@depth`;
    for (const s of this.streams) if (s.startsWith(prefix)) return this.client.send(frame);
  }

  /** Trades and liquidations live on `/market` since the 2026 split; elsewhere they are silent. */
  sendMarket(venueSymbol: string, type: 'trade' | 'liq', frame: string): void {
    if (this.kind !== 'market') return;
    const sym = venueSymbol.toLowerCase();
    const wanted = type === 'trade' ? this.streams.has(`${sym}@aggtrade`) || this.streams.has(`${sym}@trade`) : this.streams.has(`${sym}@forceorder`) || this.streams.has('!forceorder@arr');
    if (wanted) this.client.send(frame);
  }

  onClose(): void {
    this.onDone();
  }
}

function aggTradeFrame(e: Extract<MarketEvent, { type: 'trade' }>): string {
  const data = { e: 'aggTrade', E: e.ts + 1, s: e.venueSymbol, a: e.id, p: e.price, q: e.qty, f: e.id, l: e.id, T: e.ts, m: e.side === 'sell' };
  return JSON.stringify({ stream: `${e.venueSymbol.toLowerCase()}@aggTrade`, data });
}

/** side = side of the closing order, as Binance's `o.S` */
function forceOrderFrame(e: Extract<MarketEvent, { type: 'liq' }>): string {
  const o = { s: e.venueSymbol, S: e.side === 'sell' ? 'SELL' : 'BUY', o: 'LIMIT', f: 'IOC', q: e.qty, p: e.price, ap: e.price, X: 'FILLED', l: e.qty, z: e.qty, T: e.ts };
  return JSON.stringify({ stream: `${e.venueSymbol.toLowerCase()}@forceOrder`, data: { e: 'forceOrder', E: e.ts + 1, o } });
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
