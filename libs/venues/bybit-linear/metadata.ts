/**
 * Bybit v5 linear instrument metadata (venues.md §3, §8.1).
 * https://bybit-exchange.github.io/docs/v5/market/instrument
 *
 * Pages of `GET /v5/market/instruments-info?category=linear` → instruments: LinearPerpetual +
 * Trading only; base and quote from baseCoin/quoteCoin (never from the name), multiplier coins
 * (1000PEPE) through core's reviewed table.
 */
import { BookfuseError, baseConversion, canonicalSymbol, type Instrument } from '../../core/index.js';
import type { RestRequest } from '../adapter.js';
import { arrField, asObj, bad, decField, strField, type Obj } from '../validate.js';

/** linear has > 500 symbols; 1000 is the largest page */
const PAGE_LIMIT = 1000;
const INSTRUMENTS_PATH = `/v5/market/instruments-info?category=linear&limit=${PAGE_LIMIT}`;

export function firstInstrumentsRequest(): RestRequest {
  return { method: 'GET', path: INSTRUMENTS_PATH, weight: 1 };
}

/** The request for the page after `body`, or null on the last page. */
export function nextInstrumentsRequest(body: unknown): RestRequest | null {
  const cursor = resultOf(body)['nextPageCursor'];
  if (typeof cursor !== 'string' || cursor === '') return null;
  return { method: 'GET', path: `${INSTRUMENTS_PATH}&cursor=${encodeURIComponent(cursor)}`, weight: 1 };
}

export function parseInstrumentPages(bodies: unknown[]): Instrument[] {
  const out: Instrument[] = [];
  const seen = new Set<string>();
  for (const body of bodies) {
    for (const raw of arrField(resultOf(body), 'list', 'instruments-info')) {
      const s = asObj(raw, 'instruments-info item');
      if (s['contractType'] !== 'LinearPerpetual' || s['status'] !== 'Trading') continue;
      const venueSymbol = strField(s, 'symbol', 'instruments-info');
      if (seen.has(venueSymbol)) continue; // pages can overlap when the list moves between calls
      seen.add(venueSymbol);
      const quote = strField(s, 'quoteCoin', venueSymbol);
      const { base, conversion } = baseConversion(strField(s, 'baseCoin', venueSymbol));
      out.push({
        venue: 'bybit-linear',
        venueSymbol,
        symbol: canonicalSymbol(base, quote),
        base,
        quote,
        kind: 'perp',
        tickSize: decField(asObj(s['priceFilter'], `${venueSymbol} priceFilter`), 'tickSize', venueSymbol),
        lotSize: decField(asObj(s['lotSizeFilter'], `${venueSymbol} lotSizeFilter`), 'qtyStep', venueSymbol),
        conversion,
      });
    }
  }
  return out;
}

function resultOf(body: unknown): Obj {
  const o = asObj(body, 'instruments-info');
  if (o['retCode'] !== 0) {
    throw new BookfuseError('HTTP_ERROR', `instruments-info retCode ${String(o['retCode'])}: ${String(o['retMsg'])}`, { retryable: true });
  }
  const result = asObj(o['result'], 'instruments-info result');
  if (result['category'] !== undefined && result['category'] !== 'linear') throw bad(`instruments-info: category ${String(result['category'])}, expected linear`);
  return result;
}

/** Quote coins of linear contracts; `BTCPERP` is the USDC perpetual. */
const LINEAR_QUOTES = ['USDT', 'USDC'];

/**
 * Replay-only fallback when no instruments-info was given: linear perpetuals are BASE+USDT, or
 * BASE+PERP for USDC. Dated contracts (with '-') are not guessed. Live collectors read metadata.
 */
export function fallbackBybitInstrument(venueSymbol: string): Instrument | null {
  if (venueSymbol.includes('-')) return null;
  let venueBase: string | undefined;
  let quote: string | undefined;
  if (venueSymbol.endsWith('PERP')) [venueBase, quote] = [venueSymbol.slice(0, -4), 'USDC'];
  else {
    quote = LINEAR_QUOTES.find((q) => venueSymbol.endsWith(q));
    venueBase = quote && venueSymbol.slice(0, -quote.length);
  }
  if (!venueBase || !quote) return null;
  const { base, conversion } = baseConversion(venueBase);
  return { venue: 'bybit-linear', venueSymbol, symbol: canonicalSymbol(base, quote), base, quote, kind: 'perp', tickSize: '0', lotSize: '0', conversion };
}
