/**
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 *
 * An L2Book that also remembers the price and size strings each level arrived with, because the
 * OKX legacy checksum is computed over the original strings (venues.md §4, §8.4). Levels are keyed
 * by the book's integer price; when the book rescales (a finer price appears) the keys follow.
 */
import { L2Book, pow10 } from '../../core/index.js';
import type { Changes } from '../adapter.js';
import type { RawLevel } from '../validate.js';
import { CHECKSUM_LEVELS, okxChecksum } from './checksum.js';

type RawMap = Map<number, RawLevel>;

export class RawStringBook {
  readonly book = new L2Book();
  private rawBids: RawMap = new Map();
  private rawAsks: RawMap = new Map();
  /** price scale the raw-map keys are at */
  private keyScale = 0;

  clear(): void {
    this.book.clear();
    this.rawBids.clear();
    this.rawAsks.clear();
  }

  /** Apply absolute sizes ("0" deletes; deleting an absent level is normal) and note the changes. */
  apply(bids: readonly RawLevel[], asks: readonly RawLevel[], changes: Changes): void {
    for (const l of bids) this.set(true, l);
    for (const l of asks) this.set(false, l);
    // Integers are read after all sets: a finer price later in the message rescales the book.
    for (const l of bids) changes.bids.push(this.book.priceInt(l[0]));
    for (const l of asks) changes.asks.push(this.book.priceInt(l[0]));
  }

  /** Replace the whole book (venues that push full books): vanished levels are deleted as changes. */
  replace(bids: readonly RawLevel[], asks: readonly RawLevel[], changes: Changes): void {
    const before = this.prices();
    this.clear();
    this.apply(bids, asks, changes);
    const scale = pow10(this.book.priceScale - before.scale);
    for (const p of before.bids) if (this.book.bids.get(p * scale) === 0) changes.bids.push(p * scale);
    for (const p of before.asks) if (this.book.asks.get(p * scale) === 0) changes.asks.push(p * scale);
  }

  /** Every price in the book, e.g. as the changes of a snapshot. */
  prices(): { bids: number[]; asks: number[]; scale: number } {
    const bids: number[] = [];
    const asks: number[] = [];
    this.book.bids.forEachTop(Infinity, (p) => bids.push(p));
    this.book.asks.forEachTop(Infinity, (p) => asks.push(p));
    return { bids, asks, scale: this.book.priceScale };
  }

  /** Keep the best `depth` levels per side, as the venue does after every message. */
  truncate(depth: number): void {
    this.truncateSide(true, depth);
    this.truncateSide(false, depth);
  }

  /** Checksum of the current book from the strings as received. */
  checksum(): number {
    return okxChecksum(this.top(true), this.top(false));
  }

  private top(isBid: boolean): RawLevel[] {
    const raw = isBid ? this.rawBids : this.rawAsks;
    const out: RawLevel[] = [];
    this.book.side(isBid).forEachTop(CHECKSUM_LEVELS, (p) => {
      const l = raw.get(p);
      if (l) out.push(l);
    });
    return out;
  }

  private set(isBid: boolean, level: RawLevel): number {
    const price = this.book.priceInt(level[0]);
    if (this.book.priceScale !== this.keyScale) this.rekey();
    const size = this.book.sizeInt(level[1]);
    this.book.side(isBid).set(price, size);
    const raw = isBid ? this.rawBids : this.rawAsks;
    if (size === 0) raw.delete(price);
    else raw.set(price, [level[0], level[1]]);
    return price;
  }

  private truncateSide(isBid: boolean, depth: number): void {
    const side = this.book.side(isBid);
    if (side.length <= depth) return;
    const raw = isBid ? this.rawBids : this.rawAsks;
    for (let k = depth; k < side.length; k++) raw.delete(side.priceAt(k));
    side.truncate(depth);
  }

  /** The book moved to a finer price scale: every key is multiplied by the same power of ten. */
  private rekey(): void {
    const f = pow10(this.book.priceScale - this.keyScale);
    const move = (m: RawMap): RawMap => new Map([...m].map(([p, l]) => [p * f, l]));
    this.rawBids = move(this.rawBids);
    this.rawAsks = move(this.rawAsks);
    this.keyScale = this.book.priceScale;
  }
}
