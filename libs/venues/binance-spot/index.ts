import { simSpec } from '../../simulator/index.js';
import type { VenueModule } from '../module.js';
import { createBinanceSpotAdapter, type SpotOptions } from './adapter.js';
import { createBinanceSpotSimulator } from './simulator.js';

/** Spot majors against USDT, tick and lot as Binance lists them. */
const TICKS: Record<string, [tick: string, lot: string]> = { BTC: ['0.01', '0.00001'], ETH: ['0.01', '0.0001'], SOL: ['0.01', '0.001'] };

export const binanceSpot: VenueModule = {
  id: 'binance-spot',
  consensus: { kind: 'spot', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true },
  capturesFolder: 'binance-spot',
  createAdapter: (options) => createBinanceSpotAdapter(options as Partial<SpotOptions>) as never,
  simulator: {
    create: createBinanceSpotSimulator,
    specs: (bases) => bases.map((b) => simSpec(b, `${b}USDT`, 'USDT', TICKS[b], ['0.0001', '0.1'])),
    intervalMs: 100,
  },
};
