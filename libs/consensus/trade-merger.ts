/**
 * The consensus trade tape. Exact duplicates (same venue and trade id, e.g. replayed after a
 * reconnect) are always dropped. Across venues, trades that share the dedup key (exchange ts and
 * price by default, the reference product's rule) become one print listing every venue; the print
 * qty is the sum of the merged trades' qty (each venue's trade is its own volume). Prints wait
 * `holdMs` after their first trade so later reports of the same key can join before publication.
 */
import { Decimal, canonicalDecimal, decString, type ConsensusTradeMessage, type TradeMessage } from '../core/index.js';
import { RecentIds } from './recent-ids.js';

export type TradeDedupKey = 'id' | 'ts+price' | 'ts+price+qty';

export interface TradeMergeOptions {
  key: TradeDedupKey;
  /** trades whose ts differ by at most this much can merge (0 = same ts exactly) */
  windowMs: number;
  /** how long a print waits for more venues before it is published (merger clock) */
  holdMs: number;
  /** capacity of the exact-duplicate memory */
  recentIds: number;
}

interface Print {
  msg: ConsensusTradeMessage;
  qty: Decimal;
  due: number;
  group: string;
}

export type TradeVerdict = 'duplicate' | 'new' | 'merged';

export class TradeMerger {
  private readonly recent: RecentIds;
  /** prints not yet published, in order of first arrival */
  private readonly pending: Print[] = [];
  private readonly byGroup = new Map<string, Print[]>();

  constructor(
    readonly symbol: string,
    private readonly opts: TradeMergeOptions,
  ) {
    this.recent = new RecentIds(opts.recentIds);
  }

  add(t: TradeMessage, now: number): TradeVerdict {
    if (this.recent.check(`${t.venue}\u0000${t.id}`)) return 'duplicate';
    const price = canonicalDecimal(t.price);
    const qty = canonicalDecimal(t.qty);
    if (this.opts.key !== 'id') {
      const group = this.opts.key === 'ts+price' ? price : `${price}|${qty}`;
      const candidates = this.byGroup.get(group);
      const match = candidates?.find((p) => Math.abs(p.msg.ts - t.ts) <= this.opts.windowMs);
      if (match !== undefined) {
        const m = match.msg;
        if (!m.venues.includes(t.venue)) m.venues.push(t.venue);
        m.sources.push({ venue: t.venue, id: t.id, qty });
        match.qty = match.qty.plus(qty);
        m.qty = decString(match.qty);
        if (t.recv_ts < m.recv_ts) m.recv_ts = t.recv_ts;
        return 'merged';
      }
    }
    const print: Print = {
      msg: { v: 1, symbol: this.symbol, id: `${t.venue}:${t.id}`, price, qty, side: t.side, ts: t.ts, recv_ts: t.recv_ts, venues: [t.venue], sources: [{ venue: t.venue, id: t.id, qty }] },
      qty: new Decimal(qty),
      due: this.opts.key === 'id' ? now : now + this.opts.holdMs,
      group: this.opts.key === 'ts+price' ? price : `${price}|${qty}`,
    };
    this.pending.push(print);
    if (this.opts.key !== 'id') {
      const list = this.byGroup.get(print.group);
      if (list) list.push(print);
      else this.byGroup.set(print.group, [print]);
    }
    return 'new';
  }

  /** Prints whose hold has passed, in order of first arrival. */
  drain(now: number): ConsensusTradeMessage[] {
    const out: ConsensusTradeMessage[] = [];
    while (this.pending.length > 0 && this.pending[0]!.due <= now) {
      const p = this.pending.shift()!;
      out.push(p.msg);
      const list = this.byGroup.get(p.group);
      if (list !== undefined) {
        list.splice(list.indexOf(p), 1);
        if (list.length === 0) this.byGroup.delete(p.group);
      }
    }
    return out;
  }

  get held(): number {
    return this.pending.length;
  }
}
