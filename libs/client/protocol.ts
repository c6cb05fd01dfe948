/**
 * The consensus WebSocket protocol (docs/protocol.md): every message is `{"type","payload"}`.
 * Shared by the gateway (which writes these) and the client (which reads them), so the two cannot
 * drift. Types only: this file compiles to an empty module and is safe in a browser.
 */
import type { AlertMessage, ConsensusLevel, ConsensusTradeMessage, VenueView } from '../core/index.js';
import type { ErrorCodeName } from './codes.js';

export type { AlertMessage, ConsensusLevel, ConsensusTradeMessage, VenueView };

/** A delta level: price, new total ("0" removes), and per-venue sizes when `detail=venues`. */
export type DeltaLevel = [price: string, total: string] | [price: string, total: string, perVenue: Record<string, string>];

export type StreamMode = 'stream' | 'snapshot';

/** What `events=` / SUBSCRIBE's `events` select: BOOK = SNAPSHOT and BOOK messages. */
export type EventType = 'BOOK' | 'TRADE' | 'ALERT';

/** ERROR codes, their close codes and reconnect advice: the one table in codes.ts. */
export type { ErrorCodeName } from './codes.js';

export interface Limits {
  max_symbols: number;
  max_depth: number;
  max_frame_bytes: number;
  rate_per_s: number;
  rate_burst: number;
  queue_max_messages: number;
  queue_max_bytes: number;
  slow_close_ms: number;
}

export interface HandshakePayload {
  server_time: number;
  heartbeat_ms: number;
  pong_timeout_ms: number;
  max_missed_pongs: number;
  mode: StreamMode;
  depth: number;
  interval_ms?: number;
  detail: 'totals' | 'venues';
  symbols: string[];
  available: string[];
  /** the venue set of the books (sorted); null = every venue */
  venues: string[] | null;
  /** the event types this connection gets */
  events: EventType[];
  /** id of the newest alert in the gateway's alert log (0 = none yet): alerts after it come live */
  last_alert_id: number;
  limits: Limits;
}

export interface SubscribedPayload {
  symbols: string[];
  depth: number;
  venues: string[] | null;
  events: EventType[];
}

export interface SnapshotPayload {
  symbol: string;
  epoch: number;
  seq: number;
  depth: number;
  /** latest venue event time in the book */
  ts: number;
  /** merger publish time of the update this book reflects */
  merge_ts: number;
  /** gateway send time */
  gw_ts: number;
  /** ms since the gateway last heard from the merger for this symbol: how old the consensus may be */
  upstream_age_ms?: number;
  bids: ConsensusLevel[];
  asks: ConsensusLevel[];
  venues: Record<string, VenueView>;
  crossed: boolean;
}

export interface BookPayload {
  symbol: string;
  epoch: number;
  seq: number;
  ts: number;
  merge_ts: number;
  gw_ts: number;
  /** gateway send time in µs (the sub-ms twin of gw_ts, for latency measurement) */
  gw_us?: number;
  bids: DeltaLevel[];
  asks: DeltaLevel[];
  /** only the venues whose view changed */
  venues?: Record<string, VenueView>;
  crossed?: boolean;
}

export interface ErrorPayload {
  code: ErrorCodeName;
  message: string;
}

export type ServerMessage =
  | { type: 'HANDSHAKE'; payload: HandshakePayload }
  | { type: 'SNAPSHOT'; payload: SnapshotPayload }
  | { type: 'BOOK'; payload: BookPayload }
  | { type: 'TRADE'; payload: ConsensusTradeMessage }
  | { type: 'ALERT'; payload: AlertMessage }
  | { type: 'PING'; payload: { ts: number } }
  | { type: 'SUBSCRIBED'; payload: SubscribedPayload }
  | { type: 'UNSUBSCRIBED'; payload: { symbols: string[] } }
  | { type: 'ERROR'; payload: ErrorPayload };

export type ClientMessage =
  | { type: 'SUBSCRIBE'; payload: { symbols: string[]; depth?: number; venues?: string[] | null; events?: EventType[] } }
  | { type: 'UNSUBSCRIBE'; payload: { symbols: string[] } }
  | { type: 'RESYNC'; payload: { symbol: string } }
  | { type: 'PONG'; payload?: { ts?: number } };
