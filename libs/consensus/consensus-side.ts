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
  /** bucket index (price = k·tick) */
  readonly k: number;
  sizes: Float64Array;
  total: number;
  /** slots with a non-zero size here */
  present: number;
  /**
   * sizes[slot] as published text, '' until formatted: a level is re-sent whenever any venue in it
   * changes, so the other venues' sizes are formatted once, not on every send.
   */
  texts: string[];
  /** listed in `dirty` since the last flush */
  dirty: boolean;
  /** the bucket price as published text, '' until first published (kept while the bucket lives) */
  price: string;
}

/**
 * Empty buckets stay in the map (a level that empties usually refills soon, and deleting from a
 * Map leaves holes it rehashes away); they are swept once there are this many and they
 * outnumber the others.
 */
const SWEEP_EMPTY_AT = 4096;

export class ConsensusSide {
  readonly totals: SideBook;
  readonly buckets = new Map<number, Bucket>();
  /** what the last published message holds inside the window, best first: bucket, total */
  private pubK: Float64Array;
  private pubT: Float64Array;
  private pubN = 0;
  private curK: Float64Array;
  private curT: Float64Array;
  /** buckets whose total or per-venue sizes changed since the last flush (each once: Bucket.dirty) */
  private readonly dirty: Bucket[] = [];
  /** buckets in the map with no size in any slot */
  private empty = 0;
  /** a bucket entered or left the totals inside the window: the window must be walked */
  private structural = false;
  /** every published level must be re-sent (a venue's listing changed) */
  private forceAll = false;

  constructor(
    readonly isBid: boolean,
    private readonly slots: number,
    private readonly depth: number,
  ) {
    this.totals = new SideBook(isBid, 512);
    this.pubK = new Float64Array(depth);
    this.pubT = new Float64Array(depth);
    this.curK = new Float64Array(depth);
    this.curT = new Float64Array(depth);
  }

  /** Add `delta` (may be negative) to `slot`'s size in bucket `k`. */
  change(slot: number, k: number, delta: number, member: boolean): void {
    let b = this.buckets.get(k);
    if (b === undefined) {
      b = { k, sizes: new Float64Array(this.slots), total: 0, present: 0, texts: new Array<string>(this.slots).fill(''), dirty: false, price: '' };
      this.buckets.set(k, b);
      this.empty++;
    }
    const before = b.sizes[slot]!;
    const after = before + delta;
    if (after < 0) throw new BookfuseError('BOOK_RESET', `negative size in bucket ${k} for slot ${slot}`);
    b.sizes[slot] = after;
    b.texts[slot] = '';
    if (before === 0) {
      if (b.present++ === 0) this.empty--;
    } else if (after === 0) {
      if (--b.present === 0) this.empty++;
    }
    if (!b.dirty) {
      b.dirty = true;
      this.dirty.push(b);
    }
    if (member) this.setTotal(k, b, b.total + delta);
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
      b.texts.fill('');
      b.total *= factor;
    }
    this.totals.rescale(1, factor);
    for (let i = 0; i < this.pubN; i++) this.pubT[i] = this.pubT[i]! * factor;
  }

  get changed(): boolean {
    return this.dirty.length > 0 || this.structural || this.forceAll;
  }

  /**
   * Emit every level whose published state must change (total 0 = remove) and remember the new
   * window. After a structural change the old and new windows (both sorted best first) are merged
   * in one pass, emitting what entered, left or changed total; a dirty bucket that stayed with the
   * same total (only per-venue sizes moved) is found afterwards from the short dirty list. Without
   * a structural change the window holds the same buckets, so only dirty ones inside it are
   * looked at. Levels are emitted in no particular order, each at most once.
   */
  flush(emit: (k: number, total: number) => void): number {
    let n = 0;
    if (this.structural || this.forceAll) {
      const oldK = this.pubK;
      const oldT = this.pubT;
      const oldN = this.pubN;
      const newK = this.curK;
      const newT = this.curT;
      const newN = this.totals.copyTop(this.depth, newK, newT);
      let i = 0;
      let j = 0;
      while (i < oldN || j < newN) {
        if (j >= newN || (i < oldN && this.better(oldK[i]!, newK[j]!))) {
          emit(oldK[i++]!, 0); // left the window
          n++;
        } else if (i >= oldN || this.better(newK[j]!, oldK[i]!)) {
          emit(newK[j]!, newT[j]!); // entered it
          n++;
          j++;
        } else {
          if (this.forceAll || oldT[i] !== newT[j]) {
            emit(newK[j]!, newT[j]!);
            n++;
          }
          i++;
          j++;
        }
      }
      if (!this.forceAll) {
        const dirty = this.dirty;
        for (let d = 0; d < dirty.length; d++) {
          const k = dirty[d]!.k;
          const at = this.indexIn(newK, newN, k);
          if (at < 0) continue;
          const was = this.indexIn(oldK, oldN, k);
          if (was >= 0 && oldT[was] === newT[at]) {
            emit(k, newT[at]!);
            n++;
          }
        }
      }
      this.pubK = newK;
      this.pubT = newT;
      this.pubN = newN;
      this.curK = oldK;
      this.curT = oldT;
    } else {
      const dirty = this.dirty;
      for (let d = 0; d < dirty.length; d++) {
        const b = dirty[d]!;
        const at = this.indexIn(this.pubK, this.pubN, b.k);
        if (at < 0) continue;
        this.pubT[at] = b.total;
        emit(b.k, b.total);
        n++;
      }
    }
    this.clearDirty();
    this.structural = false;
    this.forceAll = false;
    if (this.empty >= SWEEP_EMPTY_AT && 2 * this.empty > this.buckets.size) this.sweep();
    return n;
  }

  /** After a snapshot went out, the window is whatever the top holds now. */
  resetWindow(): void {
    this.pubN = this.totals.copyTop(this.depth, this.pubK, this.pubT);
    this.clearDirty();
    this.structural = false;
    this.forceAll = false;
  }

  private clearDirty(): void {
    const dirty = this.dirty;
    for (let d = 0; d < dirty.length; d++) dirty[d]!.dirty = false;
    dirty.length = 0;
  }

  /** Drop the empty buckets (none is dirty: this runs right after a flush). */
  private sweep(): void {
    for (const [k, b] of this.buckets) if (b.present === 0) this.buckets.delete(k);
    this.empty = 0;
  }

  private better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /**
   * Could bucket k entering or leaving the totals change which buckets the window holds? Only if
   * the window is not full or k is at or better than its worst bucket: when every bucket that
   * came or went since the last flush was worse than that edge, the published buckets are all
   * still there and none better appeared, so the window holds the same set (only totals moved).
   * Judged against the published window, this costs one comparison instead of a rank walk.
   */
  private reachesWindow(k: number): boolean {
    return this.pubN < this.depth || !this.better(this.pubK[this.pubN - 1]!, k);
  }

  /** Position of bucket k among the first n of a window (binary search, best first), or −1. */
  private indexIn(keys: Float64Array, n: number, k: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = keys[mid]!;
      if (v === k) return mid;
      if (this.better(v, k)) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  private setTotal(k: number, b: Bucket, total: number): void {
    const was = b.total;
    if (total < 0) throw new BookfuseError('BOOK_RESET', `negative total in bucket ${k}`);
    if (total > Number.MAX_SAFE_INTEGER) throw new BookfuseError('PRECISION_EXCEEDED', `bucket ${k} total exceeds 2^53`);
    b.total = total;
    if (was === 0 && total !== 0) {
      this.totals.set(k, total);
      if (!this.structural && this.reachesWindow(k)) this.structural = true;
    } else if (was !== 0 && total === 0) {
      if (!this.structural && this.reachesWindow(k)) this.structural = true;
      this.totals.set(k, 0);
    } else if (total !== 0) {
      this.totals.set(k, total);
    }
  }
}
