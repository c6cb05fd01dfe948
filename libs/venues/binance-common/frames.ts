/**
 * Frame shapes shared by Binance spot and USD-M (venues.md §1, §2): the combined-stream envelope,
 * diff-depth events, trades, and exchangeInfo filters. Pure functions only.
 */
import { baseConversion, BookfuseError, canonicalSymbol, type Instrument, type InstrumentKind } from '../../core/index.js';
import type { ParsedFrame, VenueTrade } from '../adapter.js';
import { noteUnknown, type DriftSink } from '../drift.js';
import { asObj, bad, intField, levelsField, parseJson, strField, type Obj, type RawLevel } from '../validate.js';

/** The fields each event is known to carry (others are counted as drift, never refused). */
const KNOWN: Record<string, ReadonlySet<string>> = {
  depthUpdate: new Set(['e', 'E', 'T', 's', 'U', 'u', 'pu', 'b', 'a']),
  trade: new Set(['e', 'E', 'T', 's', 't', 'p', 'q', 'X', 'm', 'M', 'b', 'a']),
  aggTrade: new Set(['e', 'E', 'T', 's', 'a', 'p', 'q', 'f', 'l', 'm', 'M', 'nq']),
  forceOrder: new Set(['e', 'E', 'o']),
};

/** Note the fields of a known event that its parser does not know. */
export function noteUnknownEventFields(d: Obj, drift: DriftSink | undefined): void {
  const known = KNOWN[String(d['e'])];
  if (known) noteUnknown(d, known, String(d['e']), drift);
}

export interface DepthEvent {
  symbol: string;
  /** first update id in event */
  U: number;
  /** last update id in event */
  u: number;
  /** USD-M only: u of the previous event on this stream */
  pu?: number;
  /** event time E; transaction time T (USD-M) */
  E: number;
  T?: number;
  bids: RawLevel[];
  asks: RawLevel[];
}

export interface DepthSnapshot {
  lastUpdateId: number;
  ts?: number;
  bids: RawLevel[];
  asks: RawLevel[];
}

/** `{"stream":…,"data":{…}}` (combined) or the bare event (raw stream). */
export function unwrap(msg: unknown): Obj {
  const o = asObj(msg, 'binance frame');
  if (typeof o['stream'] === 'string' && o['data'] !== undefined) return asObj(o['data'], 'binance stream data');
  return o;
}

export function parseDepthEvent(d: Obj): DepthEvent {
  const ev: DepthEvent = {
    symbol: strField(d, 's', 'depthUpdate'),
    U: intField(d, 'U', 'depthUpdate'),
    u: intField(d, 'u', 'depthUpdate'),
    E: intField(d, 'E', 'depthUpdate'),
    bids: levelsField(d, 'b', 'depthUpdate'),
    asks: levelsField(d, 'a', 'depthUpdate'),
  };
  if (d['pu'] !== undefined) ev.pu = intField(d, 'pu', 'depthUpdate');
  if (d['T'] !== undefined) ev.T = intField(d, 'T', 'depthUpdate');
  if (ev.u < ev.U) throw bad(`depthUpdate: u ${ev.u} < U ${ev.U}`);
  return ev;
}

export function parseDepthSnapshot(body: unknown): DepthSnapshot {
  const o = asObj(body, 'depth snapshot');
  const snap: DepthSnapshot = {
    lastUpdateId: intField(o, 'lastUpdateId', 'depth snapshot'),
    bids: levelsField(o, 'bids', 'depth snapshot'),
    asks: levelsField(o, 'asks', 'depth snapshot'),
  };
  if (typeof o['T'] === 'number') snap.ts = o['T'];
  else if (typeof o['E'] === 'number') snap.ts = o['E'];
  return snap;
}

/** `@trade` (id `t`) or `@aggTrade` (id `a`); `m:true` = buyer is maker ⇒ taker sold. */
export function parseTrade(d: Obj): VenueTrade {
  const e = d['e'];
  const idKey = e === 'aggTrade' ? 'a' : 't';
  const m = d['m'];
  if (typeof m !== 'boolean') throw bad(`${String(e)}: field m must be a boolean`);
  return {
    venueSymbol: strField(d, 's', String(e)),
    id: String(intField(d, idKey, String(e))),
    price: strField(d, 'p', String(e)),
    qty: strField(d, 'q', String(e)),
    side: m ? 'sell' : 'buy',
    ts: intField(d, 'T', String(e)),
  };
}

function filter(sym: Obj, type: string, key: string): string {
  const filters = sym['filters'];
  if (Array.isArray(filters)) {
    for (const f of filters) {
      const fo = f as Obj;
      if (fo && fo['filterType'] === type && typeof fo[key] === 'string') return fo[key] as string;
    }
  }
  throw new BookfuseError('BAD_FRAME', `exchangeInfo ${String(sym['symbol'])}: no ${type}.${key}`);
}

/** exchangeInfo → instruments, keeping the symbols `accept` admits (venues.md §8.1). */
export function parseExchangeInfo(venue: string, body: unknown, kind: InstrumentKind, accept: (s: Obj) => boolean): Instrument[] {
  const o = asObj(body, 'exchangeInfo');
  const symbols = o['symbols'];
  if (!Array.isArray(symbols)) throw bad('exchangeInfo: no symbols array');
  const out: Instrument[] = [];
  for (const raw of symbols) {
    const s = asObj(raw, 'exchangeInfo symbol');
    if (!accept(s)) continue;
    const venueBase = strField(s, 'baseAsset');
    const quote = strField(s, 'quoteAsset');
    const { base, conversion } = baseConversion(venueBase);
    out.push({
      venue,
      venueSymbol: strField(s, 'symbol'),
      symbol: canonicalSymbol(base, quote),
      base,
      quote,
      kind,
      tickSize: filter(s, 'PRICE_FILTER', 'tickSize'),
      lotSize: filter(s, 'LOT_SIZE', 'stepSize'),
      conversion,
    });
  }
  return out;
}

/** Quote assets, longest first, for replays that come without exchangeInfo. */
const KNOWN_QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USDP', 'DAI', 'BTC', 'ETH', 'BNB', 'EUR', 'GBP', 'TRY', 'BRL', 'AUD', 'JPY'];

/**
 * Replay-only fallback when no exchangeInfo was given: Binance names are BASE+QUOTE, so a known
 * quote suffix identifies the pair. Live collectors never use this; they read exchangeInfo.
 */
export function fallbackBinanceInstrument(venue: string, venueSymbol: string, kind: InstrumentKind): Instrument | null {
  const quote = KNOWN_QUOTES.find((q) => venueSymbol.endsWith(q) && venueSymbol.length > q.length);
  if (!quote) return null;
  const { base, conversion } = baseConversion(venueSymbol.slice(0, -quote.length));
  return { venue, venueSymbol, symbol: canonicalSymbol(base, quote), base, quote, kind, tickSize: '0', lotSize: '0', conversion };
}

/** `…?symbol=BTCUSDT&limit=1000` → BTCUSDT */
export function symbolFromUrl(url: string): string | null {
  const m = /[?&]symbol=([A-Za-z0-9_]+)/.exec(url);
  return m ? m[1]!.toUpperCase() : null;
}

/**
 * One Binance text frame: subscribe acks (`{"result":null,"id":1}`) and request errors
 * (`{"code","msg"}`) become their ParsedFrame; anything else is the event, unwrapped from a
 * combined-stream envelope.
 */
export function binanceEvent(raw: string, venue: string, drift?: DriftSink): { frame: ParsedFrame<never> } | { event: Obj } {
  const msg = parseJson(raw);
  const top = asObj(msg, `${venue} frame`);
  if ('result' in top && 'id' in top) return { frame: { kind: 'control', note: 'subscribe ack' } };
  if (typeof top['code'] === 'number' && typeof top['msg'] === 'string') {
    return { frame: { kind: 'venue-error', code: String(top['code']), message: top['msg'] } };
  }
  const event = unwrap(msg);
  noteUnknownEventFields(event, drift);
  return { event };
}

/** One Binance text frame: acks and errors answered here, events handed to `onEvent`. */
export function parseBinanceFrame<F>(raw: string, venue: string, drift: DriftSink | undefined, onEvent: (d: Obj, drift: DriftSink | undefined) => ParsedFrame<F>): ParsedFrame<F> {
  const framed = binanceEvent(raw, venue, drift);
  return 'frame' in framed ? framed.frame : onEvent(framed.event, drift);
}
