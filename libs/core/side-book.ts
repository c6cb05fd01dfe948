/**
 * One side of an L2 book: price → size, both scaled integers, kept sorted so that the best level
 * sits at the END of the arrays. Most changes land near the touch, so inserts and deletes there
 * move only a few elements, and reading the top N walks backwards from the end without allocating.
 */
export class SideBook {
  /** bids: higher price is better; asks: lower price is better */
  readonly isBid: boolean;
  private prices: Float64Array;
  private sizes: Float64Array;
  private n = 0;

  constructor(isBid: boolean, capacity = 256) {
    this.isBid = isBid;
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  /**
   * Set the absolute size at a price (0 deletes). Returns the previous size (0 when absent), so
   * callers can tell an insert from an update from a no-op delete.
   */
  set(price: number, size: number): number {
    const i = this.search(price);
    const prices = this.prices;
    if (i < this.n && prices[i] === price) {
      const prev = this.sizes[i]!;
      if (size === 0) {
        this.prices.copyWithin(i, i + 1, this.n);
        this.sizes.copyWithin(i, i + 1, this.n);
        this.n--;
      } else {
        this.sizes[i] = size;
      }
      return prev;
    }
    if (size === 0) return 0;
    if (this.n === prices.length) this.grow();
    if (i < this.n) {
      this.prices.copyWithin(i + 1, i, this.n);
      this.sizes.copyWithin(i + 1, i, this.n);
    }
    this.prices[i] = price;
    this.sizes[i] = size;
    this.n++;
    return 0;
  }

  get(price: number): number {
    const i = this.search(price);
    return i < this.n && this.prices[i] === price ? this.sizes[i]! : 0;
  }

  /** Price of the k-th best level (0 = best); NaN when there are fewer levels. */
  priceAt(k: number): number {
    return k < this.n ? this.prices[this.n - 1 - k]! : NaN;
  }

  sizeAt(k: number): number {
    return k < this.n ? this.sizes[this.n - 1 - k]! : NaN;
  }

  bestPrice(): number {
    return this.n > 0 ? this.prices[this.n - 1]! : NaN;
  }

  /** true when `price` would sit within the best `depth` levels (present or not). */
  withinTop(price: number, depth: number): boolean {
    if (this.n < depth) return true;
    const edge = this.prices[this.n - depth]!;
    return this.isBid ? price >= edge : price <= edge;
  }

  /** Keep only the best `depth` levels. */
  truncate(depth: number): void {
    if (this.n <= depth) return;
    const drop = this.n - depth;
    this.prices.copyWithin(0, drop, this.n);
    this.sizes.copyWithin(0, drop, this.n);
    this.n = depth;
  }

  clear(): void {
    this.n = 0;
  }

  /** Multiply every price and/or size by an integer factor (used when a finer scale appears). */
  rescale(priceFactor: number, sizeFactor: number): void {
    for (let i = 0; i < this.n; i++) {
      this.prices[i] = this.prices[i]! * priceFactor;
      this.sizes[i] = this.sizes[i]! * sizeFactor;
    }
  }

  /** Visit the best `depth` levels, best first. */
  forEachTop(depth: number, fn: (price: number, size: number, rank: number) => void): void {
    const stop = Math.max(0, this.n - depth);
    for (let i = this.n - 1, k = 0; i >= stop; i--, k++) fn(this.prices[i]!, this.sizes[i]!, k);
  }

  /** Copy the best `depth` levels into flat arrays (best first); returns the count. */
  copyTop(depth: number, outPrices: Float64Array, outSizes: Float64Array): number {
    const count = Math.min(depth, this.n);
    for (let k = 0; k < count; k++) {
      outPrices[k] = this.prices[this.n - 1 - k]!;
      outSizes[k] = this.sizes[this.n - 1 - k]!;
    }
    return count;
  }

  /**
   * Index of `price`, or of where it would be inserted. Arrays are ascending for bids and
   * descending for asks, so the best level is at the end either way.
   */
  private search(price: number): number {
    const prices = this.prices;
    let lo = 0;
    let hi = this.n;
    // Fast path: most updates touch the few levels nearest the touch.
    if (hi > 0) {
      const last = prices[hi - 1]!;
      if (last === price) return hi - 1;
      if (this.isBid ? price > last : price < last) return hi;
    }
    if (this.isBid) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (prices[mid]! < price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (prices[mid]! > price) lo = mid + 1;
        else hi = mid;
      }
    }
    return lo;
  }

  private grow(): void {
    const cap = this.prices.length * 2;
    const p = new Float64Array(cap);
    const s = new Float64Array(cap);
    p.set(this.prices.subarray(0, this.n));
    s.set(this.sizes.subarray(0, this.n));
    this.prices = p;
    this.sizes = s;
  }
}
