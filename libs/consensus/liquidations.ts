/**
 * The consensus liquidation stream: every venue liquidation once, in observed order, with the id
 * `${venue}:${id}` (unique across venues, and the JetStream Nats-Msg-Id). `notional_usd` is the
 * collector's; it is filled here (price × qty, exact) only when missing or "0" and the instrument
 * sits in a USD-like consensus group (venues.md §8.3).
 *
 * The venue id part is the venue's own liquidation id where it gives one; none of our venues
 * does, so it is the content `${venueSymbol}-${ts}-${side}-${price}-${qty}` in venue units
 * (libs/venues/engine.ts liquidationId). `liquidationMatchKey` reduces such an id to a form
 * that compares equal however a parser wrote its decimals ("0.10" vs "0.1").
 */
import { Decimal, canonicalDecimal, decString, type LiquidationMessage } from '../core/index.js';
import { RecentIds } from './recent-ids.js';

export class LiquidationDeduper {
  private readonly recent: RecentIds;

  constructor(capacity: number) {
    this.recent = new RecentIds(capacity);
  }

  /** The consensus message, or null for a duplicate; remembers it at once (use prepare/commit when publishing can fail). */
  accept(l: LiquidationMessage, usdLike: boolean): LiquidationMessage | null {
    const out = this.prepare(l, usdLike);
    if (out) this.commit(out);
    return out;
  }

  /** The consensus message, or null when its id was already committed; remembers nothing. */
  prepare(l: LiquidationMessage, usdLike: boolean): LiquidationMessage | null {
    const id = consensusLiquidationId(l.venue, l.id);
    if (this.recent.has(id)) return null;
    // which collector line saw it first is no part of the consensus event (two lines, one event)
    const { line: _line, ...event } = l;
    const out: LiquidationMessage = { ...event, id };
    const missing = l.notional_usd === undefined || new Decimal(l.notional_usd).isZero();
    if (missing && usdLike) out.notional_usd = decString(new Decimal(l.price).times(l.qty));
    return out;
  }

  /** Remember a consensus id as published (also for ids read back from the consensus log). */
  commit(outOrId: LiquidationMessage | string): void {
    this.recent.check(typeof outOrId === 'string' ? outOrId : outOrId.id);
  }
}

export function consensusLiquidationId(venue: string, venueId: string): string {
  return `${venue}:${venueId}`;
}

/**
 * A consensus liquidation id with the decimals of a content id in canonical form, so the
 * simulator's record of what it sent and what the firehose delivers compare exactly. Ids that
 * are not content ids are returned as they are.
 */
export function liquidationMatchKey(id: string): string {
  const m = /^(.*)-(\d+)-(buy|sell)-(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(id);
  if (!m) return id;
  return `${m[1]}-${m[2]}-${m[3]}-${canonicalDecimal(m[4]!)}-${canonicalDecimal(m[5]!)}`;
}
