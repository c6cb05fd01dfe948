/**
 * Hyperliquid perp metadata → canonical instruments (venues.md §5 "Metadata", §8.1, §8.3). Pure.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint/perpetuals
 *
 * The coin name is the base, the collateral USDC the quote (`BTC` → `BTC-USDC` perp). Sizes are in
 * units of the coin as named, so 1000-unit coins (kPEPE…) go through core's reviewed table.
 */
import { baseConversion, canonicalSymbol, formatScaled, type Instrument } from '../../core/index.js';
import type { RestRequest } from '../adapter.js';
import { arrField, asObj, bad, intField, strField } from '../validate.js';

export const HL_QUOTE = 'USDC';

/** info `meta` costs 20 of the 1200/min weight */
export const META_REQUEST: RestRequest = { method: 'POST', path: '/info', body: { type: 'meta' }, weight: 20 };

/**
 * Builder-deployed (HIP-3) perps are named `dex:COIN` and live on other perp dexes; spot pairs are
 * `PURR/USDC` or `@<index>`. Neither belongs to the main perp universe.
 */
function isMainPerp(name: string): boolean {
  return !name.includes(':') && !name.includes('/') && !name.startsWith('@');
}

export function parseHyperliquidMeta(bodies: unknown[]): Instrument[] {
  const out: Instrument[] = [];
  for (const body of bodies) {
    for (const raw of arrField(asObj(body, 'hyperliquid meta'), 'universe', 'hyperliquid meta')) {
      const u = asObj(raw, 'hyperliquid universe entry');
      const name = strField(u, 'name', 'hyperliquid universe entry');
      if (u['isDelisted'] === true || !isMainPerp(name)) continue;
      const szDecimals = intField(u, 'szDecimals', `hyperliquid ${name}`);
      if (szDecimals < 0 || szDecimals > 12) throw bad(`hyperliquid ${name}: szDecimals ${szDecimals}`);
      out.push(instrument(name, formatScaled(1, szDecimals)));
    }
  }
  return out;
}

/** Replay without metadata: the coin name alone fixes symbol and units (only the lot is unknown). */
export function fallbackHyperliquidInstrument(coin: string): Instrument | null {
  return /^[A-Za-z0-9]+$/.test(coin) ? instrument(coin, '0') : null;
}

function instrument(coin: string, lotSize: string): Instrument {
  const { base, conversion } = baseConversion(coin);
  return {
    venue: 'hyperliquid',
    venueSymbol: coin,
    symbol: canonicalSymbol(base, HL_QUOTE),
    base,
    quote: HL_QUOTE,
    kind: 'perp',
    // No fixed tick: prices have at most 5 significant figures (and 6 − szDecimals decimals), so
    // the tick changes with the price. '0' = none; the book rescales itself to any price given.
    tickSize: '0',
    lotSize,
    conversion,
  };
}
