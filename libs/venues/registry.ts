/**
 * Every venue adapter, by id. Adding a venue is one folder and one line here.
 */
import { BookfuseError } from '../core/index.js';
import type { VenueAdapter } from './adapter.js';
import { createBinanceUsdmAdapter } from './binance-usdm/adapter.js';

const FACTORIES: Record<string, () => VenueAdapter<unknown>> = {
  'binance-usdm': () => createBinanceUsdmAdapter() as VenueAdapter<unknown>,
};

export function venueIds(): string[] {
  return Object.keys(FACTORIES);
}

export function createAdapter(id: string): VenueAdapter<unknown> {
  const f = FACTORIES[id];
  if (!f) throw new BookfuseError('BAD_CONFIG', `unknown venue ${JSON.stringify(id)}; known: ${venueIds().join(', ')}`);
  return f();
}
