/**
 * The published top-N of one book side, so a publisher can send exactly what changed inside the
 * window: levels that changed, levels that entered it (pushed in by a delete above) and levels
 * that left it (sent as size 0: beyond the published depth is "unknown", not "absent").
 * Used by the collector (venue books) and the gateway (consensus books per depth group).
 *
 * Both the published window and the side's current top are sorted best first, so one merge walk
 * over flat arrays finds every difference: no hashing and no allocation per diff. (A Map and a
 * Set keyed by price cost two hash operations per level per frame, and prices above 2^31 are heap
 * numbers, so every frame also fed the garbage collector: it was the collector's hottest function.)
 */
import type { SideBook } from './side-book.js';

export class DepthWindow {
  /** what was published, best first: prices[0..n) and their sizes */
  private prices = new Float64Array(0);
  private sizes = new Float64Array(0);
  private n = 0;
  /** the side's current top; swapped with the published arrays after each diff */
  private nextPrices = new Float64Array(0);
  private nextSizes = new Float64Array(0);
  /** indexes into `prices` of levels that left the window, sent after the walk */
  private gone = new Int32Array(0);

  /** Forget what was published (after a snapshot the whole window is new). */
  reset(side: SideBook, depth: number): void {
    this.fit(depth);
    this.n = side.copyTop(depth, this.prices, this.sizes);
  }

  /**
   * The book's integer scale grew (a value with more decimals arrived): multiply the published
   * prices and sizes by the same factors, so the window keeps diffing instead of starting over.
   */
  rescale(priceFactor: number, sizeFactor: number): void {
    for (let i = 0; i < this.n; i++) {
      this.prices[i] = this.prices[i]! * priceFactor;
      this.sizes[i] = this.sizes[i]! * sizeFactor;
    }
  }

  /**
   * Diff the side's current top `depth` against what was published; calls `emit` for every level
   * to send (size 0 = remove): the levels in the window now first (best first), then the ones
   * that left it. Updates the published view; returns the number emitted.
   */
  diff(side: SideBook, depth: number, emit: (price: number, size: number) => void): number {
    this.fit(depth);
    const m = side.copyTop(depth, this.nextPrices, this.nextSizes);
    const op = this.prices;
    const oq = this.sizes;
    const np = this.nextPrices;
    const nq = this.nextSizes;
    // bids: a higher price is better; asks: a lower one
    const dir = side.isBid ? 1 : -1;
    let i = 0;
    let j = 0;
    let gone = 0;
    let emitted = 0;
    while (j < m) {
      if (i < this.n && op[i] === np[j]) {
        if (oq[i] !== nq[j]) {
          emit(np[j]!, nq[j]!);
          emitted++;
        }
        i++;
        j++;
      } else if (i >= this.n || (np[j]! - op[i]!) * dir > 0) {
        emit(np[j]!, nq[j]!);
        emitted++;
        j++;
      } else {
        this.gone[gone++] = i++;
      }
    }
    for (let g = 0; g < gone; g++) emit(op[this.gone[g]!]!, 0);
    emitted += gone + this.n - i;
    for (; i < this.n; i++) emit(op[i]!, 0);
    this.prices = np;
    this.sizes = nq;
    this.nextPrices = op;
    this.nextSizes = oq;
    this.n = m;
    return emitted;
  }

  /** Room for `depth` levels in every array (they only grow). */
  private fit(depth: number): void {
    if (this.nextPrices.length >= depth) return;
    const grow = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(depth);
      b.set(a);
      return b;
    };
    this.prices = grow(this.prices);
    this.sizes = grow(this.sizes);
    this.nextPrices = new Float64Array(depth);
    this.nextSizes = new Float64Array(depth);
    this.gone = new Int32Array(depth);
  }
}
