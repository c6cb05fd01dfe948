/**
 * Hyperliquid book sync (venues.md §5): every `l2Book` push is the complete top of the book, with
 * no sequence numbers and no checksum. The first push is a snapshot; each later one becomes a delta
 * against the previous book (changed levels set, vanished levels deleted), so consumers get small
 * diffs instead of a new snapshot every push. Freshness is the only health signal: the state stays
 * live, and if the engine finds the book crossed it resubscribes.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
 */
import { L2Book, pow10, type Instrument, type SideBook } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
import { asObj, bad, type RawLevel } from '../validate.js';
import { bookFrame, type HlBookFrame } from './parse.js';

/** Levels per side in a push: 20 by default, 5 on the fast feed (⚠ 2026). */
export const HL_BOOK_DEPTH = 20;
export const HL_FAST_BOOK_DEPTH = 5;

export class HyperliquidBookSync implements BookSync<HlBookFrame> {
  readonly book = new L2Book();
  readonly recovery = 'resubscribe' as const;
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  private lastTime = 0;
  private readonly prevBids = new PrevSide();
  private readonly prevAsks = new PrevSide();

  constructor(
    readonly instrument: Instrument,
    readonly exactDepth: number = HL_BOOK_DEPTH,
  ) {}

  reset(): void {
    this.book.clear();
    this.lastTime = 0;
    this.state = 'syncing';
  }

  onFrame(f: HlBookFrame, _recvTs: number): SyncResult {
    if (f.coin !== this.instrument.venueSymbol) throw bad(`l2Book for ${f.coin} sent to the ${this.instrument.venueSymbol} book`);
    // An older push arriving late would rewind the book; a push with the same time is a repeat.
    if (this.state === 'live' && f.time < this.lastTime) return { action: 'none' };
    const first = this.state !== 'live';
    const changes = this.replace(f.bids, f.asks);
    this.lastTime = f.time;
    this.state = 'live';
    return { action: 'applied', kind: first ? 'snapshot' : 'delta', changes, ts: f.time };
  }

  /** REST `{"type":"l2Book","coin":…}` has the WS push's shape. */
  onSnapshot(body: unknown, recvTs: number): SyncResult {
    return this.onFrame(bookFrame(asObj(body, 'l2Book snapshot')).frame, recvTs);
  }

  /** Book := this push; the changes are the levels whose size differs, vanished ones included. */
  private replace(bids: RawLevel[], asks: RawLevel[]): Changes {
    const ps = this.book.priceScale;
    const ss = this.book.sizeScale;
    this.prevBids.copy(this.book.bids);
    this.prevAsks.copy(this.book.asks);
    this.book.clear();
    this.setSide(true, bids);
    this.setSide(false, asks);
    const pf = pow10(this.book.priceScale - ps);
    const sf = pow10(this.book.sizeScale - ss);
    return { bids: this.prevBids.changes(this.book.bids, pf, sf), asks: this.prevAsks.changes(this.book.asks, pf, sf) };
  }

  private setSide(isBid: boolean, levels: RawLevel[]): void {
    for (const [px, sz] of levels) {
      // A repeated price would silently lose a level: the push is malformed.
      if (this.book.side(isBid).get(this.book.priceInt(px)) !== 0) throw bad(`l2Book ${this.instrument.venueSymbol}: price ${px} twice on one side`);
      this.book.setLevel(isBid, px, sz);
    }
  }
}

/**
 * One side of the previous push, best first, in flat arrays kept across pushes: every push is
 * diffed against it by one merge walk (a Map per side per push cost more than the book update).
 */
class PrevSide {
  private prices = new Float64Array(0);
  private sizes = new Float64Array(0);
  private n = 0;

  copy(side: SideBook): void {
    if (this.prices.length < side.length) {
      this.prices = new Float64Array(side.length);
      this.sizes = new Float64Array(side.length);
    }
    this.n = side.copyTop(side.length, this.prices, this.sizes);
  }

  /**
   * Prices now on `side` whose size differs from before (new ones included), best first, then
   * the prices that vanished, in their old order. Old values are scaled by pf/sf first (the book
   * may have rescaled); both lists are sorted best first, so equal prices meet in one walk.
   */
  changes(side: SideBook, pf: number, sf: number): number[] {
    const out: number[] = [];
    const gone: number[] = [];
    const dir = side.isBid ? 1 : -1;
    let i = 0;
    for (let k = 0; k < side.length; k++) {
      const p = side.priceAt(k);
      while (i < this.n && (this.prices[i]! * pf - p) * dir > 0) gone.push(this.prices[i++]! * pf);
      if (i < this.n && this.prices[i]! * pf === p) {
        if (this.sizes[i]! * sf !== side.sizeAt(k)) out.push(p);
        i++;
      } else {
        out.push(p);
      }
    }
    while (i < this.n) gone.push(this.prices[i++]! * pf);
    for (const p of gone) out.push(p);
    return out;
  }
}
