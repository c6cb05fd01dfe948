/**
 * OKX instruments → canonical instruments (venues.md §4 "Metadata", §8.1, §8.3). Pure.
 * https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
 *
 * SPOT: base = baseCcy, quote = quoteCcy, sizes already in base units.
 * SWAP/FUTURES linear (ctType linear, ctValCcy = base): base = ctValCcy, quote = settleCcy,
 *   base qty = sz × ctVal × ctMult, exactly.
 * SWAP/FUTURES inverse (ctValCcy USD): sizes are USD contracts, base qty would need a division by
 *   price — no exact conversion, so `conversion: null` (kept in sync, counted, never published).
 */
import { baseConversion, canonicalSymbol, decString, Decimal, type Instrument, type InstrumentKind } from '../../core/index.js';
import type { RestRequest } from '../adapter.js';
import { arrField, asObj, bad, strField, type Obj } from '../validate.js';

export type OkxVenue = 'okx-swap' | 'okx-spot';
export type OkxInstType = 'SPOT' | 'SWAP' | 'FUTURES';

/** instruments endpoint: 20 requests / 2 s per IP, charged as 2 against the 1200/min books budget */
export function instrumentsRequest(instType: OkxInstType): RestRequest {
  return { method: 'GET', path: `/api/v5/public/instruments?instType=${instType}`, weight: 2 };
}

/** Which instrument types each venue id streams. */
export const VENUE_INST_TYPES: Readonly<Record<OkxVenue, readonly OkxInstType[]>> = {
  'okx-swap': ['SWAP', 'FUTURES'],
  'okx-spot': ['SPOT'],
};

export function parseOkxInstruments(venue: OkxVenue, bodies: unknown[]): Instrument[] {
  const accept = VENUE_INST_TYPES[venue];
  const out: Instrument[] = [];
  for (const body of bodies) {
    const o = asObj(body, 'okx instruments');
    if (o['code'] !== undefined && String(o['code']) !== '0') throw bad(`okx instruments: code ${String(o['code'])} ${String(o['msg'] ?? '')}`);
    for (const raw of arrField(o, 'data', 'okx instruments')) {
      const d = asObj(raw, 'okx instrument');
      const instType = strField(d, 'instType', 'okx instrument') as OkxInstType;
      if (!accept.includes(instType) || d['state'] !== 'live') continue;
      out.push(instType === 'SPOT' ? spotInstrument(venue, d) : contractInstrument(venue, d, instType));
    }
  }
  return out;
}

function spotInstrument(venue: OkxVenue, d: Obj): Instrument {
  const { base, conversion } = baseConversion(strField(d, 'baseCcy', 'okx spot instrument'));
  const quote = strField(d, 'quoteCcy', 'okx spot instrument');
  return {
    venue,
    venueSymbol: strField(d, 'instId', 'okx instrument'),
    symbol: canonicalSymbol(base, quote),
    base,
    quote,
    kind: 'spot',
    tickSize: strField(d, 'tickSz', 'okx instrument'),
    lotSize: strField(d, 'lotSz', 'okx instrument'),
    conversion,
  };
}

function contractInstrument(venue: OkxVenue, d: Obj, instType: 'SWAP' | 'FUTURES'): Instrument {
  const instId = strField(d, 'instId', 'okx instrument');
  const kind: InstrumentKind = instType === 'SWAP' ? 'perp' : 'future';
  const tickSize = strField(d, 'tickSz', 'okx instrument');
  const lotSize = strField(d, 'lotSz', 'okx instrument');
  const ctType = strField(d, 'ctType', 'okx contract');
  const ctVal = strField(d, 'ctVal', 'okx contract');
  const ctMult = strField(d, 'ctMult', 'okx contract');
  const ctValCcy = strField(d, 'ctValCcy', 'okx contract');
  if (ctType === 'linear') {
    const quote = strField(d, 'settleCcy', 'okx contract');
    const { base, conversion } = baseConversion(ctValCcy, decString(new Decimal(ctVal).mul(ctMult)));
    return { venue, venueSymbol: instId, symbol: contractSymbol(base, quote, instId, kind), base, quote, kind, tickSize, lotSize, conversion };
  }
  // Inverse: the base is the underlying's first part (instFamily/uly "BTC-USD"), the quote USD.
  const family = typeof d['instFamily'] === 'string' && d['instFamily'] ? (d['instFamily'] as string) : strField(d, 'uly', 'okx contract');
  const [base = '', quote = ''] = family.split('-');
  if (!base || !quote) throw bad(`okx contract ${instId}: cannot read base/quote from ${JSON.stringify(family)}`);
  return {
    venue,
    venueSymbol: instId,
    symbol: contractSymbol(base, quote, instId, kind),
    base: base.toUpperCase(),
    quote: quote.toUpperCase(),
    kind,
    tickSize,
    lotSize,
    conversion: null,
    notConvertible: `${ctType} contract: ${ctVal}×${ctMult} ${ctValCcy} per contract, base size would need a division by price`,
  };
}

/**
 * Dated futures keep their expiry in the canonical symbol (design §8.1 "`future` + expiry") so
 * they can never share a subject with the perpetual of the same pair.
 */
function contractSymbol(base: string, quote: string, instId: string, kind: InstrumentKind): string {
  const pair = canonicalSymbol(base, quote);
  return kind === 'future' ? `${pair}-${instId.slice(instId.lastIndexOf('-') + 1)}` : pair;
}

const SPOT_ID = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)$/;
const CONTRACT_ID = /^([A-Za-z0-9]+)-([A-Za-z0-9]+)-(SWAP|\d{6})$/;

/**
 * Replay without metadata. Spot ids "BASE-QUOTE" are unambiguous and sized in base units; a
 * contract's size (ctVal, linear or inverse) cannot be known from its id, so SWAP/FUTURES books
 * are synced but not converted.
 */
export function fallbackOkxInstrument(venue: OkxVenue, venueSymbol: string): Instrument | null {
  const spot = SPOT_ID.exec(venueSymbol);
  if (spot) {
    const { base, conversion } = baseConversion(spot[1]!);
    const quote = spot[2]!.toUpperCase();
    return { venue, venueSymbol, symbol: canonicalSymbol(base, quote), base, quote, kind: 'spot', tickSize: '0', lotSize: '0', conversion };
  }
  const c = CONTRACT_ID.exec(venueSymbol);
  if (!c) return null;
  const kind: InstrumentKind = c[3] === 'SWAP' ? 'perp' : 'future';
  return {
    venue,
    venueSymbol,
    symbol: contractSymbol(c[1]!, c[2]!, venueSymbol, kind),
    base: c[1]!.toUpperCase(),
    quote: c[2]!.toUpperCase(),
    kind,
    tickSize: '0',
    lotSize: '0',
    conversion: null,
    notConvertible: 'contract size unknown without instrument metadata',
  };
}
