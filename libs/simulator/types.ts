/**
 * The contract between the simulator world (market, faults, HTTP/WS server, control endpoint) and
 * each venue's simulator (libs/venues/<venue>/simulator.ts), which speaks that venue's protocol.
 * Markets are in VENUE units (OKX sizes in contracts), exactly what the venue would send.
 */
import type { Instrument, Level, TakerSide, VenueId } from '../core/index.js';

/** One synthetic instrument as a venue lists it. */
export interface SimInstrumentSpec {
  venueSymbol: string;
  /** venue's base asset name, e.g. "BTC", "1000PEPE" */
  venueBase: string;
  quote: string;
  /** venue-unit tick and lot */
  tickSize: string;
  lotSize: string;
  /** base units per contract where the venue trades contracts (OKX ctVal); "1" otherwise */
  contractSize: string;
  /** starting mid in venue price units */
  mid: string;
}

export type MarketEvent =
  /** absolute sizes, "0" deletes; `snapshot` when the whole book was replaced (shift_price) */
  | { type: 'book'; venueSymbol: string; bids: Level[]; asks: Level[]; ts: number }
  | { type: 'trade'; venueSymbol: string; id: number; price: string; qty: string; side: TakerSide; ts: number }
  /** side = side of the closing order */
  | { type: 'liq'; venueSymbol: string; id: number; price: string; qty: string; side: TakerSide; ts: number };

export interface SimClient {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface SimSession {
  onMessage(text: string): void;
  onClose(): void;
}

export interface SimBook {
  /** best first, venue units */
  bids: Level[];
  asks: Level[];
}

/** What a venue simulator can ask of the world. */
export interface SimWorldView {
  /** the true book of one instrument, venue units, best first */
  book(venueSymbol: string, depth: number): SimBook;
  now(): number;
}

export interface VenueSimulator {
  readonly venue: VenueId;
  /** the instruments as a collector would read them from metadata (venue units + conversion) */
  readonly instruments: Instrument[];
  /**
   * REST under the venue's base URL (metadata, book snapshots). `path` excludes the venue
   * prefix. Returns undefined for an unknown route (404).
   */
  handleRest(method: string, path: string, query: URLSearchParams, body: unknown): { status: number; body: unknown } | undefined;
  /** A WebSocket client connected at `path` (venue prefix removed, query kept in `query`). */
  openSession(path: string, query: URLSearchParams, client: SimClient): SimSession;
  /**
   * One market event, called once per event whoever listens: the simulator advances the venue's
   * sequence ids, encodes the frame once and sends it to the sessions that subscribed.
   */
  publish(e: MarketEvent): void;
  /** fault: the next book frame of every symbol is withheld but its sequence ids are consumed */
  skipSequence(): void;
  /** server-initiated keepalive for venues whose server pings (ws ping frames are sent by the world) */
  readonly serverPings: boolean;
}

export type VenueSimulatorFactory = (specs: SimInstrumentSpec[], world: SimWorldView) => VenueSimulator;
