/**
 * binance-usdm: Binance USDⓈ-M perpetual futures.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 *
 * Since the 2026 URL split, depth lives on `/public` and trades + liquidations on `/market`: two
 * sockets, both configurable (venues.md §2 ⚠).
 */
import type { Instrument } from '../../core/index.js';
import type { ConnectionSpec, VenueAdapter } from '../adapter.js';
import { binanceRestParts, chunk, streamConnection } from '../binance-common/adapter-parts.js';
import type { DepthEvent } from '../binance-common/frames.js';
import { parseUsdmFrame } from './parse.js';
import { UsdmBookSync } from './sync.js';

/** Docs say 1024 streams per connection; several clients still see 200 enforced. */
const MAX_STREAMS_PER_CONNECTION = 200;

export interface UsdmOptions {
  /** depth stream speed suffix: "@100ms" (default), "" (250 ms), "@500ms", "@0ms" */
  depthSpeed: string;
  publicPath: string;
  marketPath: string;
}

export const USDM_DEFAULT_OPTIONS: UsdmOptions = { depthSpeed: '@100ms', publicPath: '/public', marketPath: '/market' };

export function createBinanceUsdmAdapter(options: Partial<UsdmOptions> = {}): VenueAdapter<DepthEvent> {
  const opt = { ...USDM_DEFAULT_OPTIONS, ...options };
  return {
    id: 'binance-usdm',
    defaults: {
      wsBaseUrl: 'wss://fstream.binance.com',
      restBaseUrl: 'https://fapi.binance.com',
      restWeightPerMinute: 2400,
      silenceMs: 10_000,
      maxConnectionMs: 24 * 3600_000,
    },
    liquidations: { supported: true, note: 'sampled: at most one per symbol per second' },

    ...binanceRestParts('binance-usdm', 'perp', (s) => s['contractType'] === 'PERPETUAL' && s['status'] === 'TRADING', {
      exchangeInfo: { path: '/fapi/v1/exchangeInfo', weight: 1 },
      depth: { path: '/fapi/v1/depth', limit: 1000, weight: 20 },
    }),

    connections(instruments: Instrument[]): ConnectionSpec[] {
      const out: ConnectionSpec[] = [];
      const chunks = chunk(instruments, Math.floor(MAX_STREAMS_PER_CONNECTION / 2));
      chunks.forEach((group, i) => {
        const syms = group.map((g) => g.venueSymbol);
        const lower = syms.map((s) => s.toLowerCase());
        out.push(streamConnection(`public-${i}`, `${opt.publicPath}/stream`, lower.map((s) => `${s}@depth${opt.depthSpeed}`), syms, true));
        out.push(streamConnection(`market-${i}`, `${opt.marketPath}/stream`, lower.flatMap((s) => [`${s}@aggTrade`, `${s}@forceOrder`]), syms, false));
      });
      return out;
    },

    parse: parseUsdmFrame,
    createSync: (instrument) => new UsdmBookSync(instrument),
  };
}
