import type { SimInstrumentSpec } from './types.js';

/**
 * Starting mids for synthetic markets, per base asset, in quote units. Every venue's simulator
 * starts from the same reference so the consensus starts converged; faults move them apart.
 */
export const REFERENCE_MIDS: Record<string, string> = {
  BTC: '98500',
  ETH: '3500',
  SOL: '180',
  XRP: '2.1',
  DOGE: '0.38',
  PEPE: '0.00001850',
};

export function referenceMid(base: string): string {
  return REFERENCE_MIDS[base.toUpperCase()] ?? '100';
}

/**
 * A synthetic instrument at the reference mid from a venue's `[tick, lot, ctVal?]` table row
 * (or `fallback` for a base the table does not list), as its simulator lists it.
 */
export function simSpec(base: string, venueSymbol: string, quote: string, row: readonly string[] | undefined, fallback: readonly string[]): SimInstrumentSpec {
  const [tickSize = '1', lotSize = '1', contractSize = '1'] = row ?? fallback;
  return { venueSymbol, venueBase: base, quote, tickSize, lotSize, contractSize, mid: referenceMid(base) };
}

/** A venue's simulator specs for any bases, from its tick/lot table (see simSpec). */
export function tableSpecs(symbolOf: (base: string) => string, quote: string, table: Readonly<Record<string, readonly string[]>>, fallback: readonly string[]): (bases: string[]) => SimInstrumentSpec[] {
  return (bases) => bases.map((b) => simSpec(b, symbolOf(b), quote, table[b], fallback));
}
