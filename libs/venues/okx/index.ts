import { tableSpecs, type SimInstrumentSpec } from '../../simulator/index.js';
import { defineVenue, type VenueConsensusFacts, type VenueModule } from '../module.js';
import { createOkxAdapter, type OkxOptions } from './adapter.js';
import type { OkxVenue } from './metadata.js';
import { createOkxSimulator } from './simulator.js';

/** USDT swaps as OKX lists them: tick, lot (contracts) and ctVal (base units per contract). */
const SWAPS: Record<string, [tick: string, lot: string, ctVal: string]> = {
  BTC: ['0.1', '1', '0.01'],
  ETH: ['0.01', '1', '0.1'],
  SOL: ['0.01', '1', '1'],
  XRP: ['0.0001', '1', '100'],
  DOGE: ['0.00001', '1', '1000'],
  PEPE: ['0.0000000001', '1', '10000000'],
};
/** spot majors against USDT: tick and a lot coarse enough for readable sizes */
const SPOTS: Record<string, [tick: string, lot: string]> = { BTC: ['0.1', '0.0001'], ETH: ['0.01', '0.001'], SOL: ['0.01', '0.01'] };

/** Both venue ids: one protocol, `books` pushed every 100 ms. */
function okxModule(venue: OkxVenue, consensus: VenueConsensusFacts, specs: (bases: string[]) => SimInstrumentSpec[]): VenueModule {
  return defineVenue(venue, (options?: Partial<OkxOptions>) => createOkxAdapter(venue, options), {
    consensus,
    capturesFolder: 'okx',
    simulator: { create: (specs, world) => createOkxSimulator(venue, specs, world), specs, intervalMs: 100 },
  });
}

export const okxSwap = okxModule('okx-swap', { kind: 'perp', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true }, tableSpecs((b) => `${b}-USDT-SWAP`, 'USDT', SWAPS, ['0.0001', '1', '1']));

// collected and published, but not a member of the default consensus groups
export const okxSpot = okxModule('okx-spot', { kind: 'spot', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: false }, tableSpecs((b) => `${b}-USDT`, 'USDT', SPOTS, ['0.0001', '0.1']));
