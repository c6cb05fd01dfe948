/**
 * Level updates that carry absolute sizes (0 deletes), as Binance and Bybit send them: applied to
 * a venue book, recording each changed price. Pure.
 */
import type { L2Book } from '../core/index.js';
import type { Changes } from './adapter.js';
import type { RawLevel } from './validate.js';

/** Apply absolute-size levels to a book and note every price touched in `changes`. */
export function applyLevels(book: L2Book, bids: RawLevel[], asks: RawLevel[], changes: Changes): void {
  for (const [p, q] of bids) {
    const price = book.priceInt(p);
    book.bids.set(price, book.sizeInt(q));
    changes.bids.push(price);
  }
  for (const [p, q] of asks) {
    const price = book.priceInt(p);
    book.asks.set(price, book.sizeInt(q));
    changes.asks.push(price);
  }
}
