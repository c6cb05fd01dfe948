import { Decimal, decString, MULTIPLIER_COINS } from '../../core/index.js';
import { referenceMid } from '../../simulator/index.js';
import type { SimInstrumentSpec } from '../../simulator/index.js';
import { defineVenue } from '../module.js';
import { createHyperliquidAdapter } from './adapter.js';
import { createHyperliquidSimulator } from './simulator.js';

/**
 * Perps by coin: a price step that keeps 5 significant figures at the reference price (Hyperliquid
 * has no fixed tick) and a lot of 10^-szDecimals (coarser than the venue's for readable sizes).
 */
const COINS: Record<string, [tick: string, lot: string]> = {
  BTC: ['1', '0.001'],
  ETH: ['0.1', '0.01'],
  SOL: ['0.01', '0.1'],
  XRP: ['0.0001', '1'],
  DOGE: ['0.00001', '1'],
  kPEPE: ['0.000001', '1'],
};

/** Hyperliquid lists 1000-unit coins (kPEPE) instead of the asset itself. */
function coinFor(base: string): { coin: string; factor: number } {
  const m = MULTIPLIER_COINS.find((c) => c.base === base && c.venueBase.startsWith('k'));
  return m ? { coin: m.venueBase, factor: m.factor } : { coin: base, factor: 1 };
}

export const hyperliquid = defineVenue('hyperliquid', createHyperliquidAdapter, {
  // Books arrive every 2–5 s by default: a 5 s staleness would flap.
  consensus: { kind: 'perp', usdQuote: 'USDC', staleAfterMs: 15_000, defaultMember: true },
  capturesFolder: 'hyperliquid',
  simulator: {
    create: createHyperliquidSimulator,
    specs: (bases) =>
      bases.map((b): SimInstrumentSpec => {
        const { coin, factor } = coinFor(b);
        const [tickSize, lotSize] = COINS[coin] ?? ['0.0001', '1'];
        return { venueSymbol: coin, venueBase: coin, quote: 'USDC', tickSize, lotSize, contractSize: '1', mid: decString(new Decimal(referenceMid(b)).mul(factor)) };
      }),
    // default l2Book cadence (⚠ 2026: announced as every 2 s)
    intervalMs: 2000,
  },
});
