/**
 * The window price of a consensus book (#16.5): (best bid + best ask) / 2 over the live,
 * non-divergent venues, on the group's price grid, as an exact decimal. Divergent venues may still
 * count in the totals (DIVERGENCE_EXCLUDE=false), so the best levels are looked up bucket by
 * bucket among those venues' own sizes rather than read off the totals.
 */
import { Decimal, decString } from '../core/index.js';
import type { ConsensusBook } from './consensus-book.js';
import type { ConsensusSide } from './consensus-side.js';
import type { VenueSlot } from './venue-slot.js';
import type { WindowMid } from './windows.js';

export function windowMid(book: ConsensusBook): WindowMid | null {
  const venues = book.slots.filter((s) => s.eligible && !s.divergence.divergent);
  if (venues.length === 0) return null;
  const bid = best(book.bids, venues);
  const ask = best(book.asks, venues);
  if (bid === undefined || ask === undefined) return null;
  const price = new Decimal(book.grid.format(bid)).plus(book.grid.format(ask)).div(2);
  return { price: decString(price), venues: venues.map((s) => s.venue) };
}

/** Best bucket where one of `venues` has size (every such bucket is in the totals: they are members). */
function best(side: ConsensusSide, venues: VenueSlot[]): number | undefined {
  let found: number | undefined;
  side.totals.forEachTop(side.totals.length, (k) => {
    if (found !== undefined) return;
    const b = side.buckets.get(k);
    if (b !== undefined && venues.some((s) => b.sizes[s.index]! > 0)) found = k;
  });
  return found;
}
