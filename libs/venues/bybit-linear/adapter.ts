/**
 * bybit-linear: Bybit v5 USDT/USDC linear perpetuals.
 * https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook
 *
 * Books, trades and liquidations share one public socket per group of symbols; books bootstrap
 * from the stream's own snapshot and recover by resubscribing (venues.md §3).
 */
import type { Instrument } from '../../core/index.js';
import type { ConnectionSpec, RestRequest, VenueAdapter } from '../adapter.js';
import { fallbackBybitInstrument, firstInstrumentsRequest, nextInstrumentsRequest, parseInstrumentPages } from './metadata.js';
import { parseBybitFrame, type BybitBookFrame } from './parse.js';
import { BybitBookSync } from './sync.js';

/** The `args` of one public connection may total at most 21 000 characters (venues.md §3). */
export const MAX_ARGS_CHARS_PER_CONNECTION = 21_000;
/** Linear takes any number of args per request; modest frames keep acks attributable. */
const ARGS_PER_SUBSCRIBE_FRAME = 100;
const PING_INTERVAL_MS = 20_000;

export interface BybitOptions {
  /** `orderbook.N` depth: 1, 50, 200 (default) or 1000; level 500 was retired in 2025 */
  depth: number;
  /** public linear path on the WS base URL */
  wsPath: string;
}

export const BYBIT_DEFAULT_OPTIONS: BybitOptions = { depth: 200, wsPath: '/v5/public/linear' };

export type BybitLinearAdapter = VenueAdapter<BybitBookFrame> & {
  /** instruments-info is paginated: the request for the page after `body`, null on the last */
  nextMetadataRequest(body: unknown): RestRequest | null;
};

export function createBybitLinearAdapter(options: Partial<BybitOptions> = {}): BybitLinearAdapter {
  const opt = { ...BYBIT_DEFAULT_OPTIONS, ...options };
  const bookTopic = (sym: string) => `orderbook.${opt.depth}.${sym}`;
  const frame = (reqId: string, op: 'subscribe' | 'unsubscribe', args: string[]) => JSON.stringify({ req_id: reqId, op, args });
  return {
    id: 'bybit-linear',
    defaults: {
      wsBaseUrl: 'wss://stream.bybit.com',
      restBaseUrl: 'https://api.bybit.com',
      // 600 requests per 5 s per IP
      restWeightPerMinute: 7200,
      silenceMs: 30_000,
    },
    liquidations: { supported: true, note: 'batched: every liquidation, pushed in 500 ms batches' },

    metadataRequests: () => [firstInstrumentsRequest()],
    nextMetadataRequest: nextInstrumentsRequest,
    parseInstruments: parseInstrumentPages,
    fallbackInstrument: fallbackBybitInstrument,

    connections(instruments: Instrument[]): ConnectionSpec[] {
      const out: ConnectionSpec[] = [];
      let syms: string[] = [];
      let args: string[] = [];
      let chars = 0;
      const flush = () => {
        if (syms.length === 0) return;
        const id = `public-${out.length}`;
        const subscribe: string[] = [];
        for (let i = 0; i < args.length; i += ARGS_PER_SUBSCRIBE_FRAME) {
          subscribe.push(frame(`${id}-${subscribe.length}`, 'subscribe', args.slice(i, i + ARGS_PER_SUBSCRIBE_FRAME)));
        }
        const message = JSON.stringify({ req_id: 'ping', op: 'ping' });
        out.push({ id, path: opt.wsPath, subscribe, symbols: syms, books: true, heartbeat: { kind: 'client-message', intervalMs: PING_INTERVAL_MS, message } });
        syms = [];
        args = [];
        chars = 0;
      };
      for (const inst of instruments) {
        const s = inst.venueSymbol;
        const mine = [bookTopic(s), `publicTrade.${s}`, `allLiquidation.${s}`];
        const size = mine.reduce((n, a) => n + a.length, 0);
        if (chars + size > MAX_ARGS_CHARS_PER_CONNECTION) flush();
        syms.push(s);
        args.push(...mine);
        chars += size;
      }
      flush();
      return out;
    },
    // Only the book topic: trades and liquidations on the socket are not disturbed.
    resubscribe(conn: ConnectionSpec, venueSymbol: string): string[] {
      if (!conn.symbols.includes(venueSymbol)) return [];
      const topic = [bookTopic(venueSymbol)];
      return [frame(`unsub-${venueSymbol}`, 'unsubscribe', topic), frame(`resub-${venueSymbol}`, 'subscribe', topic)];
    },

    parse: parseBybitFrame,
    createSync: (instrument) => new BybitBookSync(instrument, opt.depth),
  };
}
