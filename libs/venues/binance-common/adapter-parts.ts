/**
 * The parts of a Binance adapter that spot and USD-M share: metadata from exchangeInfo, the
 * replay fallback, REST depth snapshots (books recover through them on the open socket, so there
 * is never a resubscription), and grouping symbols onto connections.
 */
import type { InstrumentKind, VenueId } from '../../core/index.js';
import type { ConnectionSpec, VenueAdapter } from '../adapter.js';
import { fallbackBinanceInstrument, parseExchangeInfo, symbolFromUrl, type DepthEvent } from './frames.js';
import type { Obj } from '../validate.js';

export interface BinanceRestSpec {
  exchangeInfo: { path: string; weight: number };
  /** the depth snapshot endpoint, the limit asked for and its weight at that limit */
  depth: { path: string; limit: number; weight: number };
}

type RestParts = 'metadataRequests' | 'parseInstruments' | 'fallbackInstrument' | 'resubscribe' | 'snapshotRequest' | 'snapshotSymbolFromUrl';

export function binanceRestParts(venue: VenueId, kind: InstrumentKind, accept: (s: Obj) => boolean, rest: BinanceRestSpec): Pick<VenueAdapter<DepthEvent>, RestParts> {
  return {
    metadataRequests: () => [{ method: 'GET', path: rest.exchangeInfo.path, weight: rest.exchangeInfo.weight }],
    parseInstruments: (bodies) => bodies.flatMap((b) => parseExchangeInfo(venue, b, kind, accept)),
    fallbackInstrument: (venueSymbol) => fallbackBinanceInstrument(venue, venueSymbol, kind),
    resubscribe: () => [],
    snapshotRequest: (venueSymbol) => ({ method: 'GET', path: `${rest.depth.path}?symbol=${venueSymbol}&limit=${rest.depth.limit}`, weight: rest.depth.weight }),
    snapshotSymbolFromUrl: symbolFromUrl,
  };
}

/** Consecutive groups of at most `n`: the symbols of one connection each. */
export function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** A combined-stream socket (`<path>?streams=a/b`): no subscribe frames, the server pings. */
export function streamConnection(id: string, path: string, streams: string[], symbols: string[], books: boolean): ConnectionSpec {
  return { id, path: `${path}?streams=${streams.join('/')}`, subscribe: [], symbols, books, heartbeat: { kind: 'server-ping' } };
}
