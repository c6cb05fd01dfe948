/**
 * What the simulated venues have sent as liquidations, for `GET /truth/liquidations`: a test
 * compares it with what the firehose delivered. Each entry's `id` is the consensus id the
 * firehose carries for it (`<venue>:<venueSymbol>-<ts>-<side>-<price>-<qty>`, venues giving no
 * ids of their own), with decimals in canonical form: compare through liquidationMatchKey.
 * Bounded: the oldest entries are forgotten first (RECORD_CAPACITY).
 */
import { consensusLiquidationId, liquidationMatchKey } from '../consensus/index.js';
import type { MarketEvent } from './types.js';

export interface SentLiquidation {
  venue: string;
  id: string;
  /** canonical symbol */
  symbol: string;
  ts: number;
}

/** ~ an hour of 50 liquidations a second */
export const RECORD_CAPACITY = 200_000;

export class LiquidationRecord {
  private entries: SentLiquidation[] = [];

  constructor(private readonly capacity = RECORD_CAPACITY) {}

  add(venue: string, symbol: string, e: Extract<MarketEvent, { type: 'liq' }>): void {
    const id = liquidationMatchKey(consensusLiquidationId(venue, `${e.venueSymbol}-${e.ts}-${e.side}-${e.price}-${e.qty}`));
    this.entries.push({ venue, id, symbol, ts: e.ts });
    if (this.entries.length > this.capacity * 1.25) this.entries = this.entries.slice(-this.capacity);
  }

  /** In the order sent; `venue` undefined = every venue; ts >= since. */
  list(venue: string | undefined, since: number): SentLiquidation[] {
    return this.entries.filter((e) => (venue === undefined || e.venue === venue) && e.ts >= since);
  }
}
