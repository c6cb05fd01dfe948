/**
 * Hyperliquid WS frames → ParsedFrame (venues.md §5). Pure.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
 */
import type { ParsedFrame, VenueTrade } from '../adapter.js';
import { noteUnknown, type DriftSink } from '../drift.js';
import { arrField, asObj, bad, decField, intField, parseJson, strField, type Obj, type RawLevel } from '../validate.js';

/** One `l2Book` push: always the complete top of the book (20 levels, 5 with `fast`). */
export interface HlBookFrame {
  coin: string;
  time: number;
  bids: RawLevel[];
  asks: RawLevel[];
  /** set by the fast feed (⚠ 2026) */
  fast: boolean;
}

/** A subscription acknowledgement; the adapter uses it to recognise the trade history push. */
export interface HlSubscribed {
  kind: 'subscribed';
  method: 'subscribe' | 'unsubscribe';
  type: string;
  coin?: string;
}

export type HlParsed = ParsedFrame<HlBookFrame> | HlSubscribed;

/** The fields each push is known to carry (others are counted as drift, never refused). */
const KNOWN = {
  push: new Set(['channel', 'data']),
  book: new Set(['coin', 'levels', 'time', 'fast']),
  level: new Set(['px', 'sz', 'n']),
  trade: new Set(['coin', 'side', 'px', 'sz', 'time', 'hash', 'tid', 'users']),
};

const IGNORED_CHANNELS: ReadonlySet<string> = new Set(['bbo', 'activeAssetCtx', 'activeSpotAssetCtx', 'allMids', 'candle', 'notification', 'post']);

export function parseHyperliquidFrame(raw: string, drift?: DriftSink): HlParsed {
  const top = asObj(parseJson(raw), 'hyperliquid frame');
  const channel = strField(top, 'channel', 'hyperliquid frame');
  switch (channel) {
    case 'l2Book':
      noteUnknown(top, KNOWN.push, channel, drift);
      return { kind: 'book', ...bookFrame(asObj(top['data'], 'l2Book data'), drift) };
    case 'trades':
      noteUnknown(top, KNOWN.push, channel, drift);
      return { kind: 'trades', trades: arrField(top, 'data', 'trades').map((t) => parseTrade(asObj(t, 'trade'), drift)) };
    case 'pong':
      return { kind: 'control', note: 'pong' };
    case 'subscriptionResponse':
      return subscribed(asObj(top['data'], 'subscriptionResponse data'));
    case 'error':
      return { kind: 'venue-error', code: 'error', message: typeof top['data'] === 'string' ? top['data'] : JSON.stringify(top['data']) };
    default:
      if (IGNORED_CHANNELS.has(channel)) return { kind: 'ignored', note: channel };
      throw bad(`hyperliquid: unknown channel ${JSON.stringify(channel)}`);
  }
}

function subscribed(d: Obj): HlSubscribed {
  const method = d['method'];
  if (method !== 'subscribe' && method !== 'unsubscribe') throw bad('subscriptionResponse: method must be subscribe or unsubscribe');
  const s = asObj(d['subscription'], 'subscriptionResponse subscription');
  const out: HlSubscribed = { kind: 'subscribed', method, type: strField(s, 'type', 'subscription') };
  if (typeof s['coin'] === 'string') out.coin = s['coin'];
  return out;
}

/** `data` of a WS `l2Book` push, and the body of the REST `{"type":"l2Book"}` call (same shape). */
export function bookFrame(d: Obj, drift?: DriftSink): { venueSymbol: string; frame: HlBookFrame } {
  noteUnknown(d, KNOWN.book, 'l2Book.data', drift);
  const coin = strField(d, 'coin', 'l2Book');
  const levels = arrField(d, 'levels', 'l2Book');
  if (levels.length !== 2) throw bad(`l2Book ${coin}: levels must hold [bids, asks]`);
  const frame: HlBookFrame = {
    coin,
    time: intField(d, 'time', 'l2Book'),
    bids: side(levels[0], coin, drift),
    asks: side(levels[1], coin, drift),
    fast: d['fast'] === true,
  };
  return { venueSymbol: coin, frame };
}

function side(x: unknown, coin: string, drift: DriftSink | undefined): RawLevel[] {
  if (!Array.isArray(x)) throw bad(`l2Book ${coin}: a side must be an array`);
  return x.map((l) => {
    const o = asObj(l, `l2Book ${coin} level`);
    noteUnknown(o, KNOWN.level, 'l2Book.data.levels', drift);
    return [decField(o, 'px', 'l2Book level'), decField(o, 'sz', 'l2Book level')];
  });
}

/** `side` is the taker side (B buy, A sell); the trade id is `tid` (unique with coin and time). */
function parseTrade(t: Obj, drift: DriftSink | undefined): VenueTrade {
  noteUnknown(t, KNOWN.trade, 'trades.data', drift);
  const s = t['side'];
  if (s !== 'B' && s !== 'A') throw bad('trade: side must be B or A');
  return {
    venueSymbol: strField(t, 'coin', 'trade'),
    id: String(intField(t, 'tid', 'trade')),
    price: decField(t, 'px', 'trade'),
    qty: decField(t, 'sz', 'trade'),
    side: s === 'B' ? 'buy' : 'sell',
    ts: intField(t, 'time', 'trade'),
  };
}
