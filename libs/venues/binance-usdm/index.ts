import { tableSpecs } from '../../simulator/index.js';
import { defineVenue } from '../module.js';
import { createBinanceUsdmAdapter } from './adapter.js';
import { createBinanceUsdmSimulator } from './simulator.js';

/** BTCUSDT-style perps: tick and lot as Binance lists them for the majors. */
const TICKS: Record<string, [tick: string, lot: string]> = { BTC: ['0.1', '0.001'], ETH: ['0.01', '0.001'], SOL: ['0.01', '0.01'] };

export const binanceUsdm = defineVenue('binance-usdm', createBinanceUsdmAdapter, {
  consensus: { kind: 'perp', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true },
  capturesFolder: 'binance-usdm',
  simulator: { create: createBinanceUsdmSimulator, specs: tableSpecs((b) => `${b}USDT`, 'USDT', TICKS, ['0.0001', '1']), intervalMs: 100 },
});
