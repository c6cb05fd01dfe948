/**
 * okx-swap (perpetual swaps, optionally dated futures) and okx-spot: OKX v5 public market data.
 * https://www.okx.com/docs-v5/en/#overview-websocket-connect
 *
 * One protocol, two venue ids: they differ only in the instrument types they list and in
 * liquidations (a swap-only channel). Book channel and bootstrap mode are options because OKX is
 * removing the WS snapshot and the checksum in 2026 (venues.md §4 ⚠).
 */
import { BookfuseError, type Instrument } from '../../core/index.js';
import type { ConnectionSpec, ParsedFrame, VenueAdapter } from '../adapter.js';
import { OKX_DEFAULT_BOOK_CHANNEL, okxBookChannel } from './channels.js';
import { fallbackOkxInstrument, instrumentsRequest, parseOkxInstruments, type OkxInstType, type OkxVenue } from './metadata.js';
import type { DriftSink } from '../drift.js';
import { parseOkxFrame, type OkxBookFrame } from './parse.js';
import { OkxBookSync, type OkxBootstrap } from './sync.js';

/** OKX advises fewer than 30 deep-book channels per connection. */
export const MAX_BOOK_CHANNELS_PER_CONNECTION = 29;
/** GET /api/v5/market/books returns at most 400 levels per side. */
export const OKX_REST_BOOK_DEPTH = 400;
/** The server drops a connection idle for 30 s; the text `ping` goes out well before. */
export const OKX_PING_INTERVAL_MS = 20_000;

export interface OkxOptions {
  /** `books` (default, 400 levels), `books5`, `bbo-tbt`, or the VIP-gated tbt channels */
  bookChannel: string;
  /** `ws-snapshot`: use the legacy WS snapshot when it arrives, else REST; `rest`: REST only */
  bootstrap: OkxBootstrap;
  /** the public WS path under the base URL (regional hosts share it) */
  publicPath: string;
  /** okx-swap: also list and stream dated FUTURES (off by default) */
  futures: boolean;
  /** okx-swap: subscribe `liquidation-orders` */
  liquidations: boolean;
}

export const OKX_DEFAULT_OPTIONS: OkxOptions = {
  bookChannel: OKX_DEFAULT_BOOK_CHANNEL,
  bootstrap: 'ws-snapshot',
  publicPath: '/ws/v5/public',
  futures: false,
  liquidations: true,
};

export function createOkxSwapAdapter(options: Partial<OkxOptions> = {}): VenueAdapter<OkxBookFrame> {
  return createOkxAdapter('okx-swap', options);
}

export function createOkxSpotAdapter(options: Partial<OkxOptions> = {}): VenueAdapter<OkxBookFrame> {
  return createOkxAdapter('okx-spot', options);
}

export function createOkxAdapter(venue: OkxVenue, options: Partial<OkxOptions> = {}): VenueAdapter<OkxBookFrame> {
  const opt = { ...OKX_DEFAULT_OPTIONS, ...options };
  const channel = okxBookChannel(opt.bookChannel);
  if (!channel) throw new BookfuseError('BAD_CONFIG', `okx: unknown book channel ${JSON.stringify(opt.bookChannel)}`);
  if (opt.bootstrap !== 'ws-snapshot' && opt.bootstrap !== 'rest') throw new BookfuseError('BAD_CONFIG', `okx: bootstrap must be ws-snapshot or rest`);
  const swap = venue === 'okx-swap';
  const instTypes: OkxInstType[] = swap ? (opt.futures ? ['SWAP', 'FUTURES'] : ['SWAP']) : ['SPOT'];
  const liquidations = swap && opt.liquidations;
  const sub = (op: 'subscribe' | 'unsubscribe', args: Record<string, string>[]) => JSON.stringify({ op, args });
  /**
   * liquidation-orders covers every instrument of the type; only the collected ones can be
   * converted to base units, so the rest are dropped here instead of being reported one by one
   * as unknown. Null until connections() names them (replay keeps everything).
   */
  let collected: ReadonlySet<string> | null = null;

  return {
    id: venue,
    defaults: {
      wsBaseUrl: 'wss://ws.okx.com:8443',
      restBaseUrl: 'https://www.okx.com',
      // market/books: 40 requests per 2 s per IP
      restWeightPerMinute: 1200,
      silenceMs: 30_000,
    },
    liquidations: swap
      ? { supported: liquidations, note: 'partial: OKX says the channel does not represent every liquidation' }
      : { supported: false, note: 'spot has no liquidations' },

    metadataRequests: () => instTypes.map(instrumentsRequest),
    parseInstruments: (bodies) => parseOkxInstruments(venue, bodies),
    fallbackInstrument: (venueSymbol) => fallbackOkxInstrument(venue, venueSymbol),

    connections(instruments: Instrument[]): ConnectionSpec[] {
      collected = new Set(instruments.map((i) => i.venueSymbol));
      const out: ConnectionSpec[] = [];
      for (let i = 0; i * MAX_BOOK_CHANNELS_PER_CONNECTION < instruments.length; i++) {
        const syms = instruments.slice(i * MAX_BOOK_CHANNELS_PER_CONNECTION, (i + 1) * MAX_BOOK_CHANNELS_PER_CONNECTION).map((x) => x.venueSymbol);
        // All channels of a connection in one request: OKX allows 480 (un)subscribe requests per hour.
        const args: Record<string, string>[] = [
          ...syms.map((instId) => ({ channel: channel.name, instId })),
          ...syms.map((instId) => ({ channel: 'trades', instId })),
        ];
        // liquidation-orders is per instType and covers every instrument: one subscription, on the first socket.
        if (liquidations && i === 0) for (const instType of instTypes) args.push({ channel: 'liquidation-orders', instType });
        out.push({
          id: `public-${i}`,
          path: opt.publicPath,
          subscribe: [sub('subscribe', args)],
          symbols: syms,
          books: true,
          heartbeat: { kind: 'client-message', intervalMs: OKX_PING_INTERVAL_MS, message: 'ping' },
        });
      }
      return out;
    },
    // A fresh subscription brings a fresh WS snapshot (legacy) or restarts the REST bootstrap.
    resubscribe: (_conn, instId) => [sub('unsubscribe', [{ channel: channel.name, instId }]), sub('subscribe', [{ channel: channel.name, instId }])],

    parse(raw: string, recvTs: number, drift?: DriftSink): ParsedFrame<OkxBookFrame> {
      const f = parseOkxFrame(raw, recvTs, drift);
      if (f.kind !== 'liquidations' || !collected) return f;
      const mine = f.liquidations.filter((l) => collected!.has(l.venueSymbol));
      return mine.length > 0 ? { kind: 'liquidations', liquidations: mine } : { kind: 'ignored', note: 'liquidations of instruments not collected' };
    },
    createSync: (instrument) => new OkxBookSync(instrument, channel, opt.bootstrap),
    snapshotRequest: (instId) => ({ method: 'GET', path: `/api/v5/market/books?instId=${instId}&sz=${OKX_REST_BOOK_DEPTH}`, weight: 1 }),
    snapshotSymbolFromUrl: (url) => /[?&]instId=([A-Za-z0-9-]+)/.exec(url)?.[1] ?? null,
  };
}
