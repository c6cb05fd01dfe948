/**
 * One side of an L2 book: price → size, both scaled integers.
 *
 * Nearly all traffic lands within a few hundred ticks of the touch, so the levels there live in
 * a tick ladder: one slot per tick, slot 0 the best edge, a change is one array write with no
 * search and no shifting. Levels worse than the ladder sit in SortedLevels (sorted arrays).
 * The tick is learned from the prices themselves (the gcd of their distances), so no metadata is
 * needed and a finer price only re-lays the ladder out. Invariants:
 *  - no level is better than slot 0 (a better price moves the ladder first);
 *  - every level inside the ladder's span is in the ladder, every level beyond it in `far`;
 *  - every price is `top` plus a whole number of steps (until the step is known, all is in `far`).
 */
import { SortedLevels } from './sorted-levels.js';

/** Ticks the ladder spans. */
const SLOTS = 1024;
/** Empty slots kept better than the best level when the ladder moves, so a rising touch rarely moves it. */
const HEADROOM = 256;
/** When the best level drifts this far from slot 0 (the touch moved away), the ladder follows it. */
const FOLLOW_AT = SLOTS / 2;
/** `step` of a side whose prices cannot be laid out in safe integers: every slot test fails, all in `far`. */
const NO_LADDER = NaN;

export class SideBook {
  /** bids: higher price is better; asks: lower price is better */
  readonly isBid: boolean;
  /** +1 for asks (worse = higher), -1 for bids (worse = lower) */
  private readonly dir: number;
  private readonly far: SortedLevels;
  private ladder: Float64Array | null = null;
  /** price of slot 0 */
  private top = 0;
  /** price distance between slots; 0 while unknown */
  private step = 0;
  /** first price ever seen, to learn the step from the second */
  private ref = NaN;
  /** non-empty slots */
  private count = 0;
  /** first non-empty slot, SLOTS when none */
  private best = SLOTS;
  /** rank cursor for sequential priceAt/sizeAt: valid while `layout` is unchanged */
  private layout = 0;
  private cursorLayout = -1;
  private cursorRank = 0;
  private cursorSlot = 0;

  constructor(isBid: boolean, capacity = 256) {
    this.isBid = isBid;
    this.dir = isBid ? -1 : 1;
    this.far = new SortedLevels(isBid, capacity);
  }

  get length(): number {
    return this.count + this.far.length;
  }

  /**
   * Set the absolute size at a price (0 deletes). Returns the previous size (0 when absent), so
   * callers can tell an insert from an update from a no-op delete.
   */
  set(price: number, size: number): number {
    const slot = ((price - this.top) * this.dir) / this.step;
    if (slot >= 0 && slot < SLOTS && (slot | 0) === slot) {
      const ladder = this.ladder!;
      const prev = ladder[slot]!;
      if (size === 0) {
        if (prev !== 0) {
          ladder[slot] = 0;
          this.count--;
          this.layout++;
          if (slot === this.best) this.bestGone(slot);
        }
        return prev;
      }
      ladder[slot] = size;
      if (prev === 0) {
        this.count++;
        this.layout++;
        if (slot < this.best) this.best = slot;
      }
      return prev;
    }
    return this.setOutside(price, size);
  }

  get(price: number): number {
    const slot = ((price - this.top) * this.dir) / this.step;
    if (slot >= 0 && slot < SLOTS && (slot | 0) === slot) return this.ladder![slot]!;
    return this.far.get(price);
  }

  /** Price of the k-th best level (0 = best); NaN when there are fewer levels. */
  priceAt(k: number): number {
    if (!(k >= 0)) return NaN;
    if (k < this.count) return this.priceOf(this.slotOfRank(k));
    return this.far.priceAt(k - this.count);
  }

  sizeAt(k: number): number {
    if (!(k >= 0)) return NaN;
    if (k < this.count) return this.ladder![this.slotOfRank(k)]!;
    return this.far.sizeAt(k - this.count);
  }

  bestPrice(): number {
    return this.count > 0 ? this.priceOf(this.best) : this.far.bestPrice();
  }

  /** true when `price` would sit within the best `depth` levels (present or not). */
  withinTop(price: number, depth: number): boolean {
    if (this.length < depth) return true;
    if (depth <= 0) return false;
    const edge = this.priceAt(depth - 1);
    return this.isBid ? price >= edge : price <= edge;
  }

  /** Keep only the best `depth` levels. */
  truncate(depth: number): void {
    if (this.length <= depth) return;
    if (depth > this.count) {
      this.far.truncate(depth - this.count);
      return;
    }
    this.far.clear();
    if (depth <= 0) {
      this.clearLadder();
      return;
    }
    const ladder = this.ladder!;
    ladder.fill(0, this.slotOfRank(depth - 1) + 1);
    this.count = depth;
    this.layout++;
  }

  clear(): void {
    this.clearLadder();
    this.far.clear();
    if (Number.isNaN(this.step)) {
      // a side that gave up its ladder for huge prices learns again from the next ones
      this.step = 0;
      this.ref = NaN;
    }
  }

  /** Multiply every price and/or size by an integer factor (used when a finer scale appears). */
  rescale(priceFactor: number, sizeFactor: number): void {
    // Scaled prices may no longer fit the ladder's geometry in safe integers: park the ladder's
    // levels in `far` (all better than it, so they append), scale, and lay the ladder out again.
    this.spill();
    this.far.rescale(priceFactor, sizeFactor);
    this.ref *= priceFactor;
    if (!(this.step > 0)) return;
    if (this.far.length > 0) {
      this.relayout(this.step * priceFactor, this.far.bestPrice());
    } else {
      // nothing to lay out: learn the grid again from the next prices
      this.step = 0;
      this.ref = NaN;
    }
  }

  /** Visit the best `depth` levels, best first. */
  forEachTop(depth: number, fn: (price: number, size: number, rank: number) => void): void {
    let k = 0;
    if (this.count > 0) {
      const ladder = this.ladder!;
      for (let s = this.best; k < depth && k < this.count; s++) {
        const q = ladder[s]!;
        if (q !== 0) fn(this.priceOf(s), q, k++);
      }
    }
    if (k < depth) this.far.forEachTop(depth - k, fn, k);
  }

  /** Copy the best `depth` levels into flat arrays (best first); returns the count. */
  copyTop(depth: number, outPrices: Float64Array, outSizes: Float64Array): number {
    let k = 0;
    const n = Math.min(depth, this.count);
    if (n > 0) {
      const ladder = this.ladder!;
      const top = this.top;
      const stride = this.dir * this.step;
      for (let s = this.best; k < n; s++) {
        const q = ladder[s]!;
        if (q !== 0) {
          outPrices[k] = top + s * stride;
          outSizes[k++] = q;
        }
      }
    }
    return k < depth ? k + this.far.copyTop(depth - k, outPrices, outSizes, k) : k;
  }

  private priceOf(slot: number): number {
    return this.top + this.dir * slot * this.step;
  }

  /** Slot of the k-th best ladder level (k < count); sequential ranks continue from the last one. */
  private slotOfRank(k: number): number {
    const ladder = this.ladder!;
    let rank = 0;
    let s = this.best;
    if (this.cursorLayout === this.layout && this.cursorRank <= k) {
      rank = this.cursorRank;
      s = this.cursorSlot;
    }
    for (;;) {
      if (ladder[s] !== 0) {
        if (rank === k) break;
        rank++;
      }
      s++;
    }
    this.cursorLayout = this.layout;
    this.cursorRank = k;
    this.cursorSlot = s;
    return s;
  }

  /** The best ladder level was deleted: find the next one, and follow the touch if it went far. */
  private bestGone(slot: number): void {
    const ladder = this.ladder!;
    let s = slot + 1;
    if (this.count > 0) while (ladder[s] === 0) s++;
    else s = SLOTS;
    this.best = s;
    if (s > FOLLOW_AT && (this.count > 0 || this.far.length > 0)) this.relayout(this.step, this.bestPrice());
  }

  /** Prices outside the ladder: learn or refine the step, move the ladder, or use `far`. */
  private setOutside(price: number, size: number): number {
    const step = this.step;
    if (!(price >= 0 && price <= Number.MAX_SAFE_INTEGER) && !Number.isNaN(step)) this.dropLadder();
    if (Number.isNaN(this.step)) return this.far.set(price, size);
    if (step === 0) return this.learn(price, size);
    const d = (price - this.top) * this.dir;
    if (d % step !== 0) {
      // every level sits on the current grid, so an off-grid delete is of an absent level
      if (size === 0) return 0;
      this.relayout(gcd(step, Math.abs(d)), this.betterOf(price));
      return this.set(price, size);
    }
    if (size !== 0 && (d < 0 || this.count === 0)) {
      // a new best price, or the first level after the ladder emptied: put the touch near slot 0
      this.relayout(step, this.betterOf(price));
      return this.set(price, size);
    }
    // worse than the ladder (or a delete of a price better than every level: absent)
    return d < 0 ? 0 : this.far.set(price, size);
  }

  /** Until two distinct prices were seen the tick is unknown: levels wait in `far`. */
  private learn(price: number, size: number): number {
    if (Number.isNaN(this.ref)) this.ref = price;
    if (price === this.ref || size === 0) return this.far.set(price, size);
    this.ladder ??= new Float64Array(SLOTS);
    this.relayout(Math.abs(price - this.ref), this.betterOf(price));
    return this.set(price, size);
  }

  private betterOf(price: number): number {
    if (this.length === 0) return price;
    const b = this.bestPrice();
    return this.isBid ? Math.max(price, b) : Math.min(price, b);
  }

  /**
   * Lay the ladder out again with `step`, the best price `bestPrice` sitting up to HEADROOM
   * slots from slot 0: ladder levels that no longer fit go to `far`, `far` levels now inside come
   * in. Slot 0 stays within [0, 2^53) and the span within safe integers, so every price − top
   * and slot · step is exact; where that cannot hold the side keeps all levels sorted instead.
   */
  private relayout(step: number, bestPrice: number): void {
    const room = this.isBid ? (Number.MAX_SAFE_INTEGER - bestPrice) / step : bestPrice / step;
    const top = bestPrice - this.dir * Math.min(HEADROOM, Math.floor(room)) * step;
    if (!(top >= 0 && top <= Number.MAX_SAFE_INTEGER) || !Number.isSafeInteger(SLOTS * step)) {
      this.dropLadder();
      return;
    }
    this.spill();
    const far = this.far;
    this.top = top;
    this.step = step;
    this.layout++;
    while (far.length > 0) {
      const p = far.bestPrice();
      const slot = ((p - top) * this.dir) / step;
      if (slot >= SLOTS || (slot | 0) !== slot) break;
      const q = far.sizeAt(0);
      far.set(p, 0);
      this.place(p, q);
    }
  }

  /** Empty the ladder into `far`, worst first: each level is better than all of `far`, so it appends. */
  private spill(): void {
    const ladder = this.ladder;
    if (ladder && this.count > 0) {
      for (let s = SLOTS - 1; s >= this.best; s--) {
        const q = ladder[s]!;
        if (q !== 0) {
          this.far.set(this.priceOf(s), q);
          ladder[s] = 0;
        }
      }
    }
    this.count = 0;
    this.best = SLOTS;
    this.layout++;
  }

  /** Put a level known to be absent where it belongs (the ladder or `far`). */
  private place(price: number, size: number): void {
    const slot = ((price - this.top) * this.dir) / this.step;
    if (slot >= 0 && slot < SLOTS && (slot | 0) === slot) {
      this.ladder![slot] = size;
      this.count++;
      if (slot < this.best) this.best = slot;
    } else {
      this.far.set(price, size);
    }
  }

  /** Prices that cannot be laid out in safe integers: keep every level sorted instead. */
  private dropLadder(): void {
    this.spill();
    this.ladder = null;
    this.step = NO_LADDER;
  }

  private clearLadder(): void {
    if (this.count > 0) this.ladder!.fill(0, this.best);
    this.count = 0;
    this.best = SLOTS;
    this.layout++;
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}
