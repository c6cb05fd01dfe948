/**
 * The consensus liquidation stream: every venue liquidation once, in observed order, with the id
 * `${venue}:${id}` (unique across venues, and the JetStream Nats-Msg-Id). `notional_usd` is the
 * collector's; it is filled here (price × qty, exact) only when missing or "0" and the instrument
 * sits in a USD-like consensus group (venues.md §8.3).
 */
import { Decimal, decString, type LiquidationMessage } from '../core/index.js';
import { RecentIds } from './recent-ids.js';

export class LiquidationDeduper {
  private readonly recent: RecentIds;

  constructor(capacity: number) {
    this.recent = new RecentIds(capacity);
  }

  /** The consensus message, or null for a duplicate. */
  accept(l: LiquidationMessage, usdLike: boolean): LiquidationMessage | null {
    if (this.recent.check(`${l.venue}\u0000${l.id}`)) return null;
    const out: LiquidationMessage = { ...l, id: `${l.venue}:${l.id}` };
    const missing = l.notional_usd === undefined || new Decimal(l.notional_usd).isZero();
    if (missing && usdLike) out.notional_usd = decString(new Decimal(l.price).times(l.qty));
    return out;
  }
}
