/**
 * The canonical model of design.md: what travels on NATS between the services.
 * Prices and sizes are canonical decimal strings; times (`*_ts`) are integer ms since the epoch,
 * `*_us` twins integer µs (libs/core/clock.ts).
 */
export type VenueId = string;
export type InstrumentKind = 'spot' | 'perp' | 'future';
export type TakerSide = 'buy' | 'sell';
export type Level = [price: string, size: string];

export type VenueState = 'connecting' | 'live' | 'resyncing' | 'down';
export type BookState = 'syncing' | 'live' | 'resyncing' | 'down';
export type LiquidationCoverage = 'sampled' | 'batched' | 'partial' | 'complete';

export interface BookMessage {
  v: 1;
  kind: 'snapshot' | 'delta';
  venue: VenueId;
  symbol: string;
  seq: number;
  prev_seq: number;
  ts: number;
  recv_ts: number;
  /** recv_ts in integer µs (hop latency below 1 ms; libs/core/clock.ts) */
  recv_us?: number;
  /** collector publish time, for per-hop latency */
  pub_ts?: number;
  pub_us?: number;
  /** the depth the publisher keeps exact; levels beyond it are unknown, not absent */
  depth?: number;
  bids: Level[];
  asks: Level[];
  /** the collector line (A, B…) that published it, when several collect the same venue; absent = A */
  line?: string;
}

/** One print as both the venue trade and the merged consensus trade carry it. */
export interface TradePrint {
  v: 1;
  symbol: string;
  id: string;
  price: string;
  qty: string;
  side: TakerSide;
  ts: number;
  recv_ts: number;
}

export interface TradeMessage extends TradePrint {
  venue: VenueId;
  recv_us?: number;
  pub_ts?: number;
  /** the collector line (A, B…) that published it, when several collect the same venue; absent = A */
  line?: string;
  pub_us?: number;
}

export interface LiquidationMessage {
  v: 1;
  venue: VenueId;
  symbol: string;
  id: string;
  /** side of the closing order */
  side: TakerSide;
  liquidated: 'long' | 'short';
  price: string;
  qty: string;
  notional_usd: string;
  coverage: LiquidationCoverage;
  ts: number;
  recv_ts: number;
  recv_us?: number;
  pub_ts?: number;
  /** the collector line (A, B…) that published it, when several collect the same venue; absent = A */
  line?: string;
  pub_us?: number;
}

export interface SymbolStatus {
  state: BookState;
  seq: number;
  last_msg_ts: number;
  resyncs: number;
  convertible?: boolean;
  reason?: string;
}

export interface StatusMessage {
  v: 1;
  venue: VenueId;
  state: VenueState;
  symbols: Record<string, SymbolStatus>;
  capabilities?: { liquidations: boolean; note?: string };
  ts: number;
  /** the collector line (A, B…) that published it, when several collect the same venue; absent = A */
  line?: string;
}

/** A consensus level: price, total size, size per venue. */
export type ConsensusLevel = [price: string, total: string, perVenue: Record<VenueId, string>];

export interface VenueView {
  state: BookState | 'stale';
  mid: string | null;
  age_ms: number;
  stale: boolean;
  divergent: boolean;
  /** distance of the venue mid from the consensus mid, in basis points */
  bps?: number;
  /** false when the venue book cannot be converted exactly and stays out of the totals */
  member?: boolean;
}

/**
 * `bookfuse.v1.consensus.book.<CSYM>`: a snapshot replaces the book; a delta carries only changed
 * levels inside `depth`, total "0" removing the level. `seq` is contiguous within one `epoch`; a
 * new epoch (merger restart) restarts it and always begins with a snapshot.
 */
export interface ConsensusBookMessage {
  v: 1;
  kind: 'snapshot' | 'delta';
  symbol: string;
  epoch: number;
  seq: number;
  prev_seq: number;
  depth: number;
  /** latest venue event time that went into this update */
  ts: number;
  /** earliest collector receive time among the inputs of this update (per-hop latency) */
  recv_ts: number;
  /** merger publish time */
  merge_ts: number;
  /** merge_ts in integer µs, on published books (not on snapshot replies) */
  merge_us?: number;
  bids: ConsensusLevel[];
  asks: ConsensusLevel[];
  /** venue states; always on snapshots, on deltas only when a venue's view changed */
  venues?: Record<VenueId, VenueView>;
  /** true when the best consensus bid is at or above the best ask */
  crossed?: boolean;
}

export type AlertKind = 'STALE' | 'RECOVERED' | 'DIVERGENCE' | 'CONVERGED' | 'RESYNC' | 'LARGE_LIQUIDATION';

export interface AlertMessage {
  v: 1;
  symbol: string;
  kind: AlertKind;
  venue: VenueId;
  priority: 'P0' | 'P1' | 'P2';
  detail: Record<string, unknown>;
  ts: number;
  /**
   * Position in the JetStream alert log (BOOKFUSE_ALERTS): the same on every gateway, increasing.
   * Set by the gateway when it relays; absent on the merger's NATS message.
   */
  id?: number;
}

export interface ConsensusTradeMessage extends TradePrint {
  /** every venue that reported this print */
  venues: VenueId[];
  /** the raw trades merged into it */
  sources: { venue: VenueId; id: string; qty: string }[];
}

/**
 * A window's open price (#16.5): what the merger's `window_open` event on the bus and the
 * gateway's `window_open` message to clients both say about it.
 */
export interface WindowPrice {
  asset: string;
  marketType: string;
  window_start: number;
  window_end: number;
  /** mid of the consensus book over live, non-divergent venues, exact decimal */
  price: string;
  source: 'consensus_mid';
  venues: string[];
}
