/**
 * Instruments and the exact map from venue units to canonical units (venues.md §8.1, §8.3).
 * Contract values and multiplier coins become a factor m·10^e applied to scaled integers, so the
 * conversion is exact; an instrument whose conversion needs a division by price (inverse
 * contracts) has no conversion at all and stays out of the consensus.
 */
import { Decimal } from './decimal.js';
import { BookfuseError } from './errors.js';
import { fractionDigits, formatScaled, parseScaled, pow10 } from './fixed.js';
import type { InstrumentKind, VenueId } from './model.js';

/** value × mantissa × 10^exp, exactly */
export interface Factor {
  mantissa: number;
  exp: number;
}

export interface Conversion {
  size: Factor;
  price: Factor;
}

export interface Instrument {
  venue: VenueId;
  /** the venue's own id, used for subscriptions */
  venueSymbol: string;
  /** canonical BASE-QUOTE */
  symbol: string;
  base: string;
  quote: string;
  kind: InstrumentKind;
  /** venue-unit tick and lot as the venue states them */
  tickSize: string;
  lotSize: string;
  /** venue units → canonical units; null when no exact conversion exists */
  conversion: Conversion | null;
  /** why conversion is null */
  notConvertible?: string;
}

/** "0.01" → {1,-2}; "1000" → {1,3}; "2.5" → {25,-1}. */
export function factorOf(s: string): Factor {
  const d = new Decimal(s);
  if (!d.isFinite() || d.lte(0)) throw new BookfuseError('BAD_NUMBER', `factor must be positive: ${s}`);
  const scale = fractionDigits(d.toFixed());
  let mantissa = parseScaled(d.toFixed(), scale);
  let exp = 0 - scale; // not -scale: that is -0 for integers, which breaks equality checks
  while (mantissa % 10 === 0) {
    mantissa /= 10;
    exp++;
  }
  return { mantissa, exp };
}

/** 1/f exactly, only for powers of ten (multiplier coins divide prices by 1000). */
export function inverseFactor(f: Factor): Factor {
  if (f.mantissa !== 1) throw new BookfuseError('NOT_CONVERTIBLE', 'only a power-of-ten factor can divide exactly');
  return { mantissa: 1, exp: -f.exp };
}

export function multiplyFactors(a: Factor, b: Factor): Factor {
  const m = a.mantissa * b.mantissa;
  if (!Number.isSafeInteger(m)) throw new BookfuseError('PRECISION_EXCEEDED', 'factor overflow');
  return { mantissa: m, exp: a.exp + b.exp };
}

/** Apply a factor to an integer at `scale`; returns the exact result as [integer, scale]. */
export function applyFactor(v: number, scale: number, f: Factor): [number, number] {
  let out = v * f.mantissa;
  let outScale = scale - f.exp;
  if (outScale < 0) {
    out *= pow10(-outScale);
    outScale = 0;
  }
  if (!Number.isSafeInteger(out)) throw new BookfuseError('PRECISION_EXCEEDED', 'conversion overflows 2^53');
  return [out, outScale];
}

/** formatScaled of applyFactor, without the pair: the engine formats every published level this way. */
export function formatFactor(v: number, scale: number, f: Factor): string {
  if (f.mantissa === 1 && f.exp === 0) return formatScaled(v, scale);
  const [out, outScale] = applyFactor(v, scale, f);
  return formatScaled(out, outScale);
}

/** Convert one decimal string by a factor, exactly; the result is canonical ("1.50" → "1.5"). */
export function convertDecimal(s: string, f: Factor): string {
  const scale = fractionDigits(s);
  const [v, sc] = applyFactor(parseScaled(s, scale), scale, f);
  return formatScaled(v, sc);
}

export function canonicalSymbol(base: string, quote: string): string {
  return `${normalizeAsset(base)}-${normalizeAsset(quote)}`;
}

const ASSET_ALIASES: Record<string, string> = { XBT: 'BTC' };

export function normalizeAsset(a: string): string {
  const up = a.toUpperCase();
  return ASSET_ALIASES[up] ?? up;
}

/**
 * Multiplier coins (venues.md §8.3): an explicit, reviewed table, never a regex. A venue base of
 * `1000PEPE` is 1000 PEPE: sizes × 1000, prices ÷ 1000.
 */
export interface MultiplierCoin {
  venueBase: string;
  base: string;
  factor: number;
}

export const MULTIPLIER_COINS: readonly MultiplierCoin[] = [
  { venueBase: '1000PEPE', base: 'PEPE', factor: 1000 },
  { venueBase: '1000SHIB', base: 'SHIB', factor: 1000 },
  { venueBase: '1000BONK', base: 'BONK', factor: 1000 },
  { venueBase: '1000FLOKI', base: 'FLOKI', factor: 1000 },
  { venueBase: '1000LUNC', base: 'LUNC', factor: 1000 },
  { venueBase: '1000SATS', base: 'SATS', factor: 1000 },
  { venueBase: '1000RATS', base: 'RATS', factor: 1000 },
  { venueBase: '1000XEC', base: 'XEC', factor: 1000 },
  { venueBase: '1000CAT', base: 'CAT', factor: 1000 },
  { venueBase: '1000CHEEMS', base: 'CHEEMS', factor: 1000 },
  { venueBase: '1000000MOG', base: 'MOG', factor: 1000000 },
  { venueBase: 'kPEPE', base: 'PEPE', factor: 1000 },
  { venueBase: 'kSHIB', base: 'SHIB', factor: 1000 },
  { venueBase: 'kBONK', base: 'BONK', factor: 1000 },
  { venueBase: 'kFLOKI', base: 'FLOKI', factor: 1000 },
  { venueBase: 'kLUNC', base: 'LUNC', factor: 1000 },
  { venueBase: 'kDOGS', base: 'DOGS', factor: 1000 },
  { venueBase: 'kNEIRO', base: 'NEIRO', factor: 1000 },
];

/**
 * Canonical base and the conversion a venue base implies. `contractSize` (base units per
 * contract, e.g. OKX ctVal × ctMult) multiplies sizes on top of any multiplier-coin factor.
 */
export function baseConversion(venueBase: string, contractSize = '1'): { base: string; conversion: Conversion } {
  const coin = MULTIPLIER_COINS.find((c) => c.venueBase === venueBase);
  const contract = factorOf(contractSize);
  if (!coin) return { base: normalizeAsset(venueBase), conversion: { size: contract, price: { mantissa: 1, exp: 0 } } };
  const f = factorOf(String(coin.factor));
  return { base: coin.base, conversion: { size: multiplyFactors(contract, f), price: inverseFactor(f) } };
}
