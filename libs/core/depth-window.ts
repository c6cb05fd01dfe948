/**
 * The published top-N of one book side, so a publisher can send exactly what changed inside the
 * window: levels that changed, levels that entered it (pushed in by a delete above) and levels
 * that left it (sent as size 0: beyond the published depth is "unknown", not "absent").
 * Used by the collector (venue books) and the merger (consensus books).
 */
import type { SideBook } from './side-book.js';

export class DepthWindow {
  private published = new Map<number, number>();
  /** prices inside the current window, reused across diffs (no allocation per frame) */
  private readonly seen = new Set<number>();

  /** Forget what was published (after a snapshot the whole window is new). */
  reset(side: SideBook, depth: number): void {
    this.published.clear();
    side.forEachTop(depth, (p, q) => this.published.set(p, q));
  }

  /**
   * The book's integer scale grew (a value with more decimals arrived): multiply the published
   * keys and sizes by the same factors, so the window keeps diffing instead of starting over.
   */
  rescale(priceFactor: number, sizeFactor: number): void {
    if (priceFactor === 1 && sizeFactor === 1) return;
    const next = new Map<number, number>();
    for (const [p, q] of this.published) next.set(p * priceFactor, q * sizeFactor);
    this.published = next;
  }

  /**
   * Diff the side's current top `depth` against what was published; calls `emit` for every level
   * to send (size 0 = remove) and updates the published view. Returns the number emitted.
   */
  diff(side: SideBook, depth: number, emit: (price: number, size: number) => void): number {
    let n = 0;
    const seen = this.seen;
    seen.clear();
    side.forEachTop(depth, (p, q) => {
      seen.add(p);
      if (this.published.get(p) !== q) {
        this.published.set(p, q);
        emit(p, q);
        n++;
      }
    });
    if (this.published.size > seen.size) {
      for (const p of this.published.keys()) {
        if (!seen.has(p)) {
          this.published.delete(p);
          emit(p, 0);
          n++;
        }
      }
    }
    return n;
  }
}
