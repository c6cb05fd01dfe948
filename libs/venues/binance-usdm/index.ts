import { simSpec } from '../../simulator/index.js';
import type { VenueModule } from '../module.js';
import { createBinanceUsdmAdapter, type UsdmOptions } from './adapter.js';
import { createBinanceUsdmSimulator } from './simulator.js';

/** BTCUSDT-style perps: tick and lot as Binance lists them for the majors. */
const TICKS: Record<string, [tick: string, lot: string]> = { BTC: ['0.1', '0.001'], ETH: ['0.01', '0.001'], SOL: ['0.01', '0.01'] };

export const binanceUsdm: VenueModule = {
  id: 'binance-usdm',
  consensus: { kind: 'perp', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true },
  capturesFolder: 'binance-usdm',
  createAdapter: (options) => createBinanceUsdmAdapter(options as Partial<UsdmOptions>) as never,
  simulator: {
    create: createBinanceUsdmSimulator,
    specs: (bases) => bases.map((b) => simSpec(b, `${b}USDT`, 'USDT', TICKS[b], ['0.0001', '1'])),
    intervalMs: 100,
  },
};
