/**
 * binance-spot: Binance Spot.
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 *
 * One combined-stream socket per group of symbols carries diff depth and trades; books bootstrap
 * and recover through REST /api/v3/depth (venues.md §1). Spot has no liquidation stream.
 */
import type { Instrument } from '../../core/index.js';
import type { ConnectionSpec, VenueAdapter } from '../adapter.js';
import { binanceRestParts, chunk, streamConnection } from '../binance-common/adapter-parts.js';
import type { DepthEvent } from '../binance-common/frames.js';
import { parseSpotFrame } from './parse.js';
import { SpotBookSync } from './sync.js';

/** The venue allows 1024 streams per connection; a shorter URL and a smaller blast radius per socket win. */
const MAX_STREAMS_PER_CONNECTION = 200;
const STREAMS_PER_SYMBOL = 2;
/** /api/v3/depth weight by limit: 1001–5000 levels cost 250 (venues.md §1). */
const SNAPSHOT_LIMIT = 5000;
const SNAPSHOT_WEIGHT = 250;

export interface SpotOptions {
  /** depth stream speed suffix: "@100ms" (default) or "" (1000 ms) */
  depthSpeed: string;
  /** combined-stream path on the WS base URL */
  streamPath: string;
}

export const SPOT_DEFAULT_OPTIONS: SpotOptions = { depthSpeed: '@100ms', streamPath: '/stream' };

export function createBinanceSpotAdapter(options: Partial<SpotOptions> = {}): VenueAdapter<DepthEvent> {
  const opt = { ...SPOT_DEFAULT_OPTIONS, ...options };
  return {
    id: 'binance-spot',
    defaults: {
      wsBaseUrl: 'wss://stream.binance.com:9443',
      restBaseUrl: 'https://api.binance.com',
      restWeightPerMinute: 6000,
      // quiet spot pairs can go seconds without a diff; the server pings every 20 s
      silenceMs: 30_000,
      maxConnectionMs: 24 * 3600_000,
    },
    liquidations: { supported: false, note: 'Binance Spot has no liquidation stream' },

    ...binanceRestParts('binance-spot', 'spot', (s) => s['status'] === 'TRADING', {
      exchangeInfo: { path: '/api/v3/exchangeInfo', weight: 20 },
      depth: { path: '/api/v3/depth', limit: SNAPSHOT_LIMIT, weight: SNAPSHOT_WEIGHT },
    }),

    connections(instruments: Instrument[]): ConnectionSpec[] {
      const out: ConnectionSpec[] = [];
      for (const group of chunk(instruments, Math.floor(MAX_STREAMS_PER_CONNECTION / STREAMS_PER_SYMBOL))) {
        const syms = group.map((g) => g.venueSymbol);
        const streams = syms.flatMap((s) => [`${s.toLowerCase()}@depth${opt.depthSpeed}`, `${s.toLowerCase()}@trade`]);
        out.push(streamConnection(`stream-${out.length}`, opt.streamPath, streams, syms, true));
      }
      return out;
    },

    parse: parseSpotFrame,
    createSync: (instrument) => new SpotBookSync(instrument),
  };
}
