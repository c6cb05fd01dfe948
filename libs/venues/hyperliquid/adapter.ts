/**
 * hyperliquid: Hyperliquid perpetuals, public market data.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket
 *
 * Books are full top-of-book pushes (no diffs, no sequence, no checksum), trades are per coin,
 * and there is no public liquidation feed at all.
 */
import type { Instrument } from '../../core/index.js';
import type { ConnectionSpec, ParsedFrame, VenueAdapter } from '../adapter.js';
import { fallbackHyperliquidInstrument, META_REQUEST, parseHyperliquidMeta } from './metadata.js';
import type { DriftSink } from '../drift.js';
import { parseHyperliquidFrame, type HlBookFrame } from './parse.js';
import { HL_BOOK_DEPTH, HL_FAST_BOOK_DEPTH, HyperliquidBookSync } from './sync.js';
import { TradeHistoryGate } from './trade-gate.js';

/** Two subscriptions per coin; the IP limit is 1000 subscriptions over at most 10 connections. */
export const COINS_PER_CONNECTION = 50;
/** The server closes a connection it sent nothing on for 60 s; the official SDK pings every 50 s. */
export const HL_PING_INTERVAL_MS = 30_000;

export interface HyperliquidOptions {
  /** ⚠ 2026: `fast:true` → 5 levels every ~0.5 s; default → 20 levels at a slower cadence */
  fast: boolean;
  wsPath: string;
}

export const HL_DEFAULT_OPTIONS: HyperliquidOptions = { fast: false, wsPath: '/ws' };

export function createHyperliquidAdapter(options: Partial<HyperliquidOptions> = {}): VenueAdapter<HlBookFrame> {
  const opt = { ...HL_DEFAULT_OPTIONS, ...options };
  const gate = new TradeHistoryGate();
  // nSigFigs null = full precision: aggregated levels would be bucket prices, not real ones.
  const bookSub = (coin: string) => (opt.fast ? { type: 'l2Book', coin, nSigFigs: null, fast: true } : { type: 'l2Book', coin, nSigFigs: null });
  const frame = (method: 'subscribe' | 'unsubscribe', subscription: object) => JSON.stringify({ method, subscription });

  return {
    id: 'hyperliquid',
    defaults: {
      wsBaseUrl: 'wss://api.hyperliquid.xyz',
      restBaseUrl: 'https://api.hyperliquid.xyz',
      restWeightPerMinute: 1200,
      silenceMs: 30_000,
    },
    liquidations: { supported: false, note: 'Hyperliquid has no public liquidation feed: liquidations are visible only per user (userEvents, userFills)' },

    metadataRequests: () => [META_REQUEST],
    parseInstruments: parseHyperliquidMeta,
    fallbackInstrument: fallbackHyperliquidInstrument,

    connections(instruments: Instrument[]): ConnectionSpec[] {
      const out: ConnectionSpec[] = [];
      for (let i = 0; i * COINS_PER_CONNECTION < instruments.length; i++) {
        const coins = instruments.slice(i * COINS_PER_CONNECTION, (i + 1) * COINS_PER_CONNECTION).map((x) => x.venueSymbol);
        out.push({
          id: `ws-${i}`,
          path: opt.wsPath,
          subscribe: coins.flatMap((coin) => [frame('subscribe', bookSub(coin)), frame('subscribe', { type: 'trades', coin })]),
          symbols: coins,
          books: true,
          heartbeat: { kind: 'client-message', intervalMs: HL_PING_INTERVAL_MS, message: JSON.stringify({ method: 'ping' }) },
        });
      }
      return out;
    },
    // Unsubscribe needs the identical subscription object.
    resubscribe: (_conn, coin) => [frame('unsubscribe', bookSub(coin)), frame('subscribe', bookSub(coin))],

    parse(raw: string, _recvTs: number, drift?: DriftSink): ParsedFrame<HlBookFrame> {
      const f = parseHyperliquidFrame(raw, drift);
      if (f.kind === 'subscribed') {
        if (f.method === 'subscribe' && f.type === 'trades' && f.coin !== undefined) gate.subscribed(f.coin);
        return { kind: 'control', note: `${f.method} ${f.type}` };
      }
      if (f.kind !== 'trades') return f;
      const trades = gate.admit(f.trades);
      return trades ? { kind: 'trades', trades } : { kind: 'ignored', note: 'trade history sent on subscribe' };
    },
    createSync: (instrument) => new HyperliquidBookSync(instrument, opt.fast ? HL_FAST_BOOK_DEPTH : HL_BOOK_DEPTH),
  };
}
