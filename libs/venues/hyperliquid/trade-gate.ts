/**
 * Hyperliquid's first `trades` push after subscribing replays recent trades (venues.md §5): it is
 * history, not news, so it is dropped — as tardis-node does. Later pushes are deduplicated by the
 * venue's unique key (coin, time, tid) in case a push repeats trades already seen.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
 */
import type { VenueTrade } from '../adapter.js';

/** Trade keys remembered for dedup; past this the oldest are forgotten (drop-oldest). */
export const MAX_REMEMBERED_TRADES = 10_000;

export class TradeHistoryGate {
  /** coins whose history push has passed; a coin not in here has its next push dropped */
  private readonly live = new Set<string>();
  private readonly seen = new Map<string, true>();

  /** A (re)subscription to a coin's trades: its next push is history again. */
  subscribed(coin: string): void {
    this.live.delete(coin);
  }

  /** The trades of one push that are news; null when the whole push was history. */
  admit(trades: VenueTrade[]): VenueTrade[] | null {
    const history = new Set<string>();
    for (const t of trades) if (!this.live.has(t.venueSymbol)) history.add(t.venueSymbol);
    const out: VenueTrade[] = [];
    for (const t of trades) {
      const key = `${t.venueSymbol}|${t.ts}|${t.id}`;
      const known = this.seen.has(key);
      this.remember(key);
      if (!known && !history.has(t.venueSymbol)) out.push(t);
    }
    for (const coin of history) this.live.add(coin);
    return out.length === 0 && history.size > 0 ? null : out;
  }

  private remember(key: string): void {
    this.seen.set(key, true);
    if (this.seen.size > MAX_REMEMBERED_TRADES) this.seen.delete(this.seen.keys().next().value as string);
  }
}
