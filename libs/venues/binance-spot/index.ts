import { tableSpecs } from '../../simulator/index.js';
import { defineVenue } from '../module.js';
import { createBinanceSpotAdapter } from './adapter.js';
import { createBinanceSpotSimulator } from './simulator.js';

/** Spot majors against USDT, tick and lot as Binance lists them. */
const TICKS: Record<string, [tick: string, lot: string]> = { BTC: ['0.01', '0.00001'], ETH: ['0.01', '0.0001'], SOL: ['0.01', '0.001'] };

export const binanceSpot = defineVenue('binance-spot', createBinanceSpotAdapter, {
  consensus: { kind: 'spot', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true },
  capturesFolder: 'binance-spot',
  simulator: { create: createBinanceSpotSimulator, specs: tableSpecs((b) => `${b}USDT`, 'USDT', TICKS, ['0.0001', '0.1']), intervalMs: 100 },
});
