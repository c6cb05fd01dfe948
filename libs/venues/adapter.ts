/**
 * The one interface every venue implements. An adapter translates: it knows the venue's URLs,
 * frames, sync rules and metadata, and nothing about NATS, sockets, clocks or policy. The engine
 * (engine.ts) drives it for live, simulated and replayed data alike; the feed (feed.ts) and the
 * REST client (rest.ts) do the IO.
 *
 * Adding a venue = one folder implementing VenueAdapter + one line in registry.ts.
 */
import type { ErrorCode, Instrument, L2Book, LiquidationCoverage, TakerSide, VenueId } from '../core/index.js';
import type { DriftSink } from './drift.js';

/** A REST call an adapter wants made; `weight` is charged against the venue's budget. */
export interface RestRequest {
  method: 'GET' | 'POST';
  /** path + query relative to the venue's REST base URL, e.g. "/fapi/v1/depth?symbol=BTCUSDT&limit=1000" */
  path: string;
  body?: unknown;
  weight: number;
}

/** How the feed keeps a socket alive, per venue rules. */
export type Heartbeat =
  /** the server sends ws ping frames and the client answers with pong frames (ws does it) */
  | { kind: 'server-ping' }
  /** the client sends `message` every `intervalMs` (text frame), whatever else it sends */
  | { kind: 'client-message'; intervalMs: number; message: string };

export interface ConnectionSpec {
  /** stable id within the venue, e.g. "public-0" */
  id: string;
  /** path + query relative to the venue's WS base URL (or an absolute ws:// URL) */
  path: string;
  /** frames to send once open (subscriptions), in order */
  subscribe: string[];
  /** venue symbols whose books/trades/liquidations arrive on this connection */
  symbols: string[];
  /** true when this connection carries the symbols' order books */
  books: boolean;
  heartbeat: Heartbeat;
}

export interface VenueTrade {
  venueSymbol: string;
  id: string;
  price: string;
  /** venue units */
  qty: string;
  side: TakerSide;
  ts: number;
}

export interface VenueLiquidation {
  venueSymbol: string;
  /** venue id when it gives one; otherwise the engine derives one from the content */
  id?: string;
  /** side of the closing order (venues.md §8.2) */
  side: TakerSide;
  liquidated: 'long' | 'short';
  price: string;
  /** venue units */
  qty: string;
  coverage: LiquidationCoverage;
  ts: number;
}

/** What one raw frame turned out to be. `F` is the venue's own book-frame type. */
export type ParsedFrame<F> =
  | { kind: 'book'; venueSymbol: string; frame: F }
  | { kind: 'trades'; trades: VenueTrade[] }
  | { kind: 'liquidations'; liquidations: VenueLiquidation[] }
  /** subscription acks, pongs, heartbeats: proof of life, nothing to publish */
  | { kind: 'control'; note: string }
  /** the venue announced it will drop us (e.g. Binance serverShutdown): reconnect now */
  | { kind: 'reconnect'; reason: string }
  /** the venue refused something (e.g. an unknown topic) */
  | { kind: 'venue-error'; code: string; message: string }
  /** a valid frame of a kind we do not use (tickers, klines) */
  | { kind: 'ignored'; note: string };

/** Changed prices (venue-native integers of the sync's book) since the last result. */
export interface Changes {
  bids: number[];
  asks: number[];
}

export type SyncResult =
  /** buffered or already contained: nothing to publish */
  | { action: 'none' }
  /** the book changed; `kind: 'snapshot'` means it was replaced wholesale */
  | { action: 'applied'; kind: 'snapshot' | 'delta'; changes: Changes; ts: number; checksum?: 'ok' }
  /** bootstrapping needs a REST snapshot (ignored in replay, where the capture supplies it) */
  | { action: 'need-snapshot' }
  /** the book is discarded; recover as the venue requires */
  | { action: 'resync'; code: ErrorCode; detail: string; recover: 'rest-snapshot' | 'resubscribe' | 'wait' };

/**
 * Per-symbol sync state machine, pure: frames in, results out. Its book is in venue units.
 * `state` follows venues.md §8.6: syncing → live → resyncing → live.
 */
export interface BookSync<F> {
  readonly book: L2Book;
  readonly state: 'syncing' | 'live' | 'resyncing';
  /** depth the venue keeps exact for this book (levels beyond it are unknown) */
  readonly exactDepth: number;
  /** how this venue recovers a discarded book (used when the engine finds it crossed) */
  readonly recovery: 'rest-snapshot' | 'resubscribe' | 'wait';
  /** venues where a crossed book is legal at times (OKX call auctions) say so */
  readonly allowCrossed?: boolean;
  onFrame(frame: F, recvTs: number): SyncResult;
  /** a REST snapshot body for this symbol */
  onSnapshot(body: unknown, recvTs: number): SyncResult;
  /** the socket dropped or we are resubscribing: forget everything, start syncing again */
  reset(): void;
}

export interface VenueDefaults {
  wsBaseUrl: string;
  restBaseUrl: string;
  /** REST weight budget per minute (venues.md limits) */
  restWeightPerMinute: number;
  /** silence on a subscribed socket after which it is treated as dead */
  silenceMs: number;
  /** the venue's own connection lifetime limit, if any */
  maxConnectionMs?: number;
}

export interface VenueAdapter<F = unknown> {
  readonly id: VenueId;
  readonly defaults: VenueDefaults;
  /** whether the venue has a public liquidation feed (Hyperliquid has none) */
  readonly liquidations: { supported: boolean; note?: string };

  /** REST calls that return instrument metadata; all their bodies go to parseInstruments */
  metadataRequests(): RestRequest[];
  /** paginated metadata (Bybit): the request for the page after `body`, null on the last page */
  nextMetadataRequest?(body: unknown): RestRequest | null;
  /** pure: metadata bodies → every instrument this adapter can stream */
  parseInstruments(bodies: unknown[]): Instrument[];
  /**
   * Replay without metadata: an instrument from the venue symbol alone, or null when units or
   * names cannot be known (the book is then counted but kept out of canonical output).
   */
  fallbackInstrument(venueSymbol: string): Instrument | null;

  /** Sockets needed for these instruments (books, trades, liquidations), within venue limits. */
  connections(instruments: Instrument[], opts: { depth: number }): ConnectionSpec[];
  /** Frames that make the venue send a fresh snapshot for one symbol on an open connection. */
  resubscribe(conn: ConnectionSpec, venueSymbol: string): string[];

  /**
   * pure: one raw text frame → what it is. Throws BookfuseError on malformed input (a missing
   * required field); reports unknown fields and documented fallbacks to `drift` (drift.ts).
   */
  parse(raw: string, recvTs: number, drift?: DriftSink): ParsedFrame<F>;
  createSync(instrument: Instrument, opts: { depth: number }): BookSync<F>;

  /** REST snapshot for one symbol, when the venue bootstraps books over REST */
  snapshotRequest?(venueSymbol: string, depth: number): RestRequest;
  /** the venue symbol a recorded REST snapshot URL belongs to (for replay) */
  snapshotSymbolFromUrl?(url: string): string | null;
}
