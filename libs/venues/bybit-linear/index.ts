import { tableSpecs } from '../../simulator/index.js';
import { defineVenue } from '../module.js';
import { createBybitLinearAdapter } from './adapter.js';
import { createBybitLinearSimulator } from './simulator.js';

/** USDT perpetuals, tick and qtyStep as Bybit lists them for the majors. */
const TICKS: Record<string, [tick: string, lot: string]> = { BTC: ['0.1', '0.001'], ETH: ['0.01', '0.01'], SOL: ['0.01', '0.1'] };

export const bybitLinear = defineVenue('bybit-linear', createBybitLinearAdapter, {
  consensus: { kind: 'perp', usdQuote: 'USDT', staleAfterMs: 5_000, defaultMember: true },
  // recordings of every Bybit market share one folder
  capturesFolder: 'bybit',
  // orderbook.200 pushes every 100 ms
  simulator: { create: createBybitLinearSimulator, specs: tableSpecs((b) => `${b}USDT`, 'USDT', TICKS, ['0.0001', '1']), intervalMs: 100 },
});
