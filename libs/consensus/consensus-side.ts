/**
 * One side of a consensus book, maintained incrementally. Each venue-level change moves its size
 * difference into one bucket (old size out, new size in), so the cost per venue delta does not
 * depend on the number of venues or levels. Sizes are integers at the group's size scale.
 *
 * Invariant: bucket.total = Σ sizes[slot] over member slots; `totals` (a SideBook keyed by bucket
 * index) holds exactly the buckets with total > 0, so the published top-N is a walk from its end.
 * Non-member sizes stay in the buckets, so a venue leaving or rejoining is one pass over its levels.
 */
import { BookfuseError, SideBook } from '../core/index.js';

export interface Bucket {
  sizes: Float64Array;
  total: number;
  /** slots with a non-zero size here */
  present: number;
}

export class ConsensusSide {
  readonly totals: SideBook;
  readonly buckets = new Map<number, Bucket>();
  /** what the last published message says sits inside the window: bucket → total */
  private readonly published = new Map<number, number>();
  /** buckets whose total or per-venue sizes changed since the last flush */
  private readonly dirty = new Set<number>();
  /** a bucket entered or left the totals inside the window: the window must be walked */
  private structural = false;
  /** every published level must be re-sent (a venue's listing changed) */
  private forceAll = false;
  private readonly free: Bucket[] = [];

  constructor(
    readonly isBid: boolean,
    private readonly slots: number,
    private readonly depth: number,
  ) {
    this.totals = new SideBook(isBid, 512);
  }

  /** Add `delta` (may be negative) to `slot`'s size in bucket `k`. */
  change(slot: number, k: number, delta: number, member: boolean): void {
    let b = this.buckets.get(k);
    if (b === undefined) {
      b = this.free.pop() ?? { sizes: new Float64Array(this.slots), total: 0, present: 0 };
      this.buckets.set(k, b);
    }
    const before = b.sizes[slot]!;
    const after = before + delta;
    if (after < 0) throw new BookfuseError('BOOK_RESET', `negative size in bucket ${k} for slot ${slot}`);
    b.sizes[slot] = after;
    if (before === 0) b.present++;
    else if (after === 0) b.present--;
    this.dirty.add(k);
    if (member) this.setTotal(k, b, b.total + delta);
    if (b.present === 0) {
      this.buckets.delete(k);
      this.free.push(b);
    }
  }

  /** Move a slot's sizes into (`on`) or out of the totals. */
  toggleMember(slot: number, on: boolean): void {
    for (const [k, b] of this.buckets) {
      const s = b.sizes[slot]!;
      if (s !== 0) this.setTotal(k, b, on ? b.total + s : b.total - s);
    }
    this.forceAll = true;
  }

  /** A venue's listing (stale flag etc.) changed: its per-venue sizes must be re-sent. */
  touchAll(): void {
    this.forceAll = true;
  }

  /** Multiply every stored size by an integer factor (the group size scale grew). */
  rescale(factor: number): void {
    for (const b of this.buckets.values()) {
      for (let i = 0; i < b.sizes.length; i++) b.sizes[i] = b.sizes[i]! * factor;
      b.total *= factor;
    }
    this.totals.rescale(1, factor);
    for (const [k, v] of this.published) this.published.set(k, v * factor);
  }

  get changed(): boolean {
    return this.dirty.size > 0 || this.structural || this.forceAll;
  }

  /**
   * Emit every level whose published state must change (total 0 = remove) and remember the new
   * window. Without a structural change the window holds the same buckets, so only dirty ones
   * already published need looking at.
   */
  flush(emit: (k: number, total: number) => void): number {
    let n = 0;
    if (this.structural || this.forceAll) {
      const seen = new Set<number>();
      this.totals.forEachTop(this.depth, (k, total) => {
        seen.add(k);
        if (this.forceAll || this.dirty.has(k) || this.published.get(k) !== total) {
          this.published.set(k, total);
          emit(k, total);
          n++;
        }
      });
      for (const k of this.published.keys()) {
        if (!seen.has(k)) {
          this.published.delete(k);
          emit(k, 0);
          n++;
        }
      }
    } else {
      for (const k of this.dirty) {
        if (!this.published.has(k)) continue;
        const total = this.totals.get(k);
        this.published.set(k, total);
        emit(k, total);
        n++;
      }
    }
    this.dirty.clear();
    this.structural = false;
    this.forceAll = false;
    return n;
  }

  /** After a snapshot went out, the window is whatever the top holds now. */
  resetWindow(): void {
    this.published.clear();
    this.totals.forEachTop(this.depth, (k, total) => this.published.set(k, total));
    this.dirty.clear();
    this.structural = false;
    this.forceAll = false;
  }

  private setTotal(k: number, b: Bucket, total: number): void {
    const was = b.total;
    if (total < 0) throw new BookfuseError('BOOK_RESET', `negative total in bucket ${k}`);
    if (total > Number.MAX_SAFE_INTEGER) throw new BookfuseError('PRECISION_EXCEEDED', `bucket ${k} total exceeds 2^53`);
    b.total = total;
    if (was === 0 && total !== 0) {
      this.totals.set(k, total);
      if (!this.structural && this.totals.withinTop(k, this.depth)) this.structural = true;
    } else if (was !== 0 && total === 0) {
      if (!this.structural && this.totals.withinTop(k, this.depth)) this.structural = true;
      this.totals.set(k, 0);
    } else if (total !== 0) {
      this.totals.set(k, total);
    }
  }
}
