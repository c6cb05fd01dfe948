/**
 * Every venue, by id. Adding a venue is one folder (exporting a VenueModule from its index.ts)
 * and one line in VENUES below.
 */
import { BookfuseError } from '../core/index.js';
import type { VenueAdapter } from './adapter.js';
import type { VenueConsensusFacts, VenueModule } from './module.js';
import { binanceUsdm } from './binance-usdm/index.js';
import { binanceSpot } from './binance-spot/index.js';
import { bybitLinear } from './bybit-linear/index.js';
import { okxSpot, okxSwap } from './okx/index.js';
import { hyperliquid } from './hyperliquid/index.js';

const VENUES: readonly VenueModule[] = [
  binanceUsdm,
  binanceSpot,
  bybitLinear,
  okxSwap,
  okxSpot,
  hyperliquid,
];

export function venueIds(): string[] {
  return VENUES.map((v) => v.id);
}

export function venueModule(id: string): VenueModule {
  const m = VENUES.find((v) => v.id === id);
  if (!m) throw new BookfuseError('BAD_CONFIG', `unknown venue ${JSON.stringify(id)}; known: ${venueIds().join(', ')}`);
  return m;
}

export function createAdapter(id: string, options?: Record<string, unknown>): VenueAdapter<unknown> {
  return venueModule(id).createAdapter(options);
}

/** Every venue's consensus facts with its id, in registry order (the default groups' members). */
export function consensusVenues(): Array<VenueConsensusFacts & { id: string }> {
  return VENUES.map((v) => ({ id: v.id, ...v.consensus }));
}
