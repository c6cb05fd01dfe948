/**
 * Window open prices in the merger (#16.5): one WindowPrices per asset (the base of the first
 * owned consensus group with it), fed with each published consensus update and the tick, and
 * published on `bookfuse.v1.consensus.window.<ASSET>.<type>` (kept by BOOKFUSE_WINDOWS).
 */
import { WindowPrices, windowMid, type ConsensusBook, type WindowEvent, type WindowType } from '../../libs/consensus/index.js';

export class MergerWindows {
  /** consensus symbol → its asset's tracker (only the group that represents the asset) */
  private readonly bySymbol = new Map<string, WindowPrices>();

  constructor(
    symbols: readonly string[],
    types: readonly WindowType[],
    timeoutMs: number,
    now: number,
    private readonly publish: (e: WindowEvent) => void,
  ) {
    const assets = new Set<string>();
    for (const s of symbols) {
      const asset = s.split('-')[0]!;
      if (assets.has(asset)) continue;
      assets.add(asset);
      this.bySymbol.set(s, new WindowPrices(asset, types, timeoutMs, now));
    }
  }

  /** A consensus update of `book` was published at `now`. */
  update(book: ConsensusBook, now: number): void {
    const w = this.bySymbol.get(book.symbol);
    if (!w || !w.wantsMid(now)) return;
    for (const e of w.update(now, windowMid(book))) this.publish(e);
  }

  tick(now: number): void {
    for (const w of this.bySymbol.values()) for (const e of w.tick(now)) this.publish(e);
  }
}
