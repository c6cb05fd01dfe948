/** Shifts up to this many levels run as a plain loop; longer ones as one copyWithin (a builtin call). */
const SHORT_MOVE = 16;

/**
 * Levels kept as sorted parallel arrays with the best level at the END, so inserts and deletes
 * near the touch move only a few elements and the top N is a walk back from the end. SideBook
 * uses it for the levels beyond its tick ladder (and for every level until it knows the tick).
 */
export class SortedLevels {
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
    const n = this.n;
    const i = this.search(price);
    const prices = this.prices;
    const sizes = this.sizes;
    if (i < n && prices[i] === price) {
      const prev = sizes[i]!;
      if (size === 0) {
        if (n - i - 1 > SHORT_MOVE) {
          prices.copyWithin(i, i + 1, n);
          sizes.copyWithin(i, i + 1, n);
        } else {
          for (let j = i; j < n - 1; j++) {
            prices[j] = prices[j + 1]!;
            sizes[j] = sizes[j + 1]!;
          }
        }
        this.n = n - 1;
      } else {
        sizes[i] = size;
      }
      return prev;
    }
    if (size === 0) return 0;
    if (n === prices.length) {
      this.grow();
      return this.set(price, size);
    }
    if (n - i > SHORT_MOVE) {
      prices.copyWithin(i + 1, i, n);
      sizes.copyWithin(i + 1, i, n);
    } else {
      for (let j = n; j > i; j--) {
        prices[j] = prices[j - 1]!;
        sizes[j] = sizes[j - 1]!;
      }
    }
    prices[i] = price;
    sizes[i] = size;
    this.n = n + 1;
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

  /** Visit the best `depth` levels, best first; ranks start at `rank0`. */
  forEachTop(depth: number, fn: (price: number, size: number, rank: number) => void, rank0 = 0): void {
    const stop = Math.max(0, this.n - depth);
    for (let i = this.n - 1, k = rank0; i >= stop; i--, k++) fn(this.prices[i]!, this.sizes[i]!, k);
  }

  /** Copy the best `depth` levels into flat arrays from index `at` (best first); returns the count. */
  copyTop(depth: number, outPrices: Float64Array, outSizes: Float64Array, at = 0): number {
    const count = Math.min(depth, this.n);
    const prices = this.prices;
    const sizes = this.sizes;
    for (let k = 0, i = this.n - 1; k < count; k++, i--) {
      outPrices[at + k] = prices[i]!;
      outSizes[at + k] = sizes[i]!;
    }
    return count;
  }

  /**
   * Index of `price`, or of where it would be inserted. Arrays are ascending for bids and
   * descending for asks, so the best level is at the end either way. Most updates land near the
   * touch, so the search gallops back from the end (1, 2, 4, … levels) before bisecting: near
   * the touch it costs a few comparisons on hot cache lines, far away no more than a bisection.
   */
  private search(price: number): number {
    const prices = this.prices;
    const n = this.n;
    let hi = n;
    let lo = 0;
    let step = 1;
    if (this.isBid) {
      for (let j = n - 1; j >= 0; j = n - (step <<= 1)) {
        if (prices[j]! < price) {
          lo = j + 1;
          break;
        }
        hi = j;
      }
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (prices[mid]! < price) lo = mid + 1;
        else hi = mid;
      }
    } else {
      for (let j = n - 1; j >= 0; j = n - (step <<= 1)) {
        if (prices[j]! > price) {
          lo = j + 1;
          break;
        }
        hi = j;
      }
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
