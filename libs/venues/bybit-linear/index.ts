import { simSpec } from '../../simulator/index.js';
import type { VenueModule } from '../module.js';
import { createBybitLinearAdapter, type BybitOptions } from './adapter.js';
import { createBybitLinearSimulator } from './simulator.js';

/** USDT perpetuals, tick and qtyStep as Bybit lists them for the majors. */
const TICKS: Record<string, [tick: string, lot: string]> = { BTC: ['0.1', '0.001'], ETH: ['0.01', '0.01'], SOL: ['0.01', '0.1'] };

export const bybitLinear: VenueModule = {
  id: 'bybit-linear',
  consensus: { kind: 'perp', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true },
  capturesFolder: 'bybit',
  createAdapter: (options) => createBybitLinearAdapter(options as Partial<BybitOptions>) as never,
  simulator: {
    create: createBybitLinearSimulator,
    specs: (bases) => bases.map((b) => simSpec(b, `${b}USDT`, 'USDT', TICKS[b], ['0.0001', '1'])),
    // orderbook.200 pushes every 100 ms
    intervalMs: 100,
  },
};
