import { simSpec } from '../../simulator/index.js';
import type { SimInstrumentSpec } from '../../simulator/index.js';
import type { VenueConsensusFacts, VenueModule } from '../module.js';
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
function okxModule(venue: OkxVenue, consensus: VenueConsensusFacts, spec: (base: string) => SimInstrumentSpec): VenueModule {
  return {
    id: venue,
    consensus,
    capturesFolder: 'okx',
    createAdapter: (options) => createOkxAdapter(venue, options as Partial<OkxOptions>) as never,
    simulator: { create: (specs, world) => createOkxSimulator(venue, specs, world), specs: (bases) => bases.map(spec), intervalMs: 100 },
  };
}

export const okxSwap = okxModule('okx-swap', { kind: 'perp', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true }, (b) => simSpec(b, `${b}-USDT-SWAP`, 'USDT', SWAPS[b], ['0.0001', '1', '1']));

// collected and published, but not a member of the default consensus groups
export const okxSpot = okxModule('okx-spot', { kind: 'spot', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: false }, (b) => simSpec(b, `${b}-USDT`, 'USDT', SPOTS[b], ['0.0001', '0.1']));
