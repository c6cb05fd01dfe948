/**
 * Bybit v5 public linear frames → ParsedFrame (venues.md §3).
 * https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook
 *
 * Every price and size is checked to be a plain decimal here, before any book sees it, so a bad
 * frame is one BAD_FRAME rejection and never a half-applied delta.
 */
import { canonicalDecimal, type TakerSide } from '../../core/index.js';
import type { ParsedFrame, VenueLiquidation, VenueTrade } from '../adapter.js';
import { noteUnknown, type DriftSink } from '../drift.js';
import { arrField, asObj, bad, decField, decLevelsField, intField, parseJson, strField, type Obj, type RawLevel } from '../validate.js';

export interface BybitBookFrame {
  symbol: string;
  /** N of the `orderbook.N.SYMBOL` topic: the venue keeps N levels per side */
  depth: number;
  type: 'snapshot' | 'delta';
  /** update id; 1 means the venue restarted and this is a fresh book */
  u: number;
  /** cross sequence, comparable across topics (absent from older frames; unused by the sync) */
  seq?: number;
  /** matching-engine time `cts` (venues.md §8.5); frames before 2024 lack it: the push time `ts` */
  ts: number;
  bids: RawLevel[];
  asks: RawLevel[];
}

/** The fields each message is known to carry (anything else is counted as drift, never refused). */
const KNOWN = {
  top: new Set(['topic', 'type', 'ts', 'cts', 'data', 'id']),
  book: new Set(['s', 'b', 'a', 'u', 'seq']),
  trade: new Set(['T', 's', 'S', 'v', 'p', 'L', 'i', 'BT', 'RPI', 'seq']),
  liquidation: new Set(['T', 's', 'S', 'v', 'p']),
};

export function parseBybitFrame(raw: string, _recvTs: number, drift?: DriftSink): ParsedFrame<BybitBookFrame> {
  const top = asObj(parseJson(raw), 'bybit frame');
  if (typeof top['op'] === 'string') return parseOpReply(top, top['op']);
  const topic = strField(top, 'topic', 'bybit frame');
  const kind = topic.slice(0, topic.indexOf('.'));
  switch (kind) {
    case 'orderbook': {
      noteUnknown(top, KNOWN.top, kind, drift);
      const frame = parseBook(top, topic, drift);
      return { kind: 'book', venueSymbol: frame.symbol, frame };
    }
    case 'publicTrade':
      noteUnknown(top, KNOWN.top, kind, drift);
      return { kind: 'trades', trades: arrField(top, 'data', topic).map((t) => parseTrade(asObj(t, topic), drift)) };
    case 'allLiquidation':
      noteUnknown(top, KNOWN.top, kind, drift);
      return { kind: 'liquidations', liquidations: arrField(top, 'data', topic).map((l) => parseLiquidation(asObj(l, topic), drift)) };
    case 'tickers':
    case 'kline':
    case 'liquidation': // the retired ≤ 1/s topic; allLiquidation replaced it
      return { kind: 'ignored', note: kind };
    default:
      throw bad(`bybit: unknown topic ${JSON.stringify(topic).slice(0, 60)}`);
  }
}

/** subscribe/unsubscribe acks and pong replies: `{"success","ret_msg","op",…}`. */
function parseOpReply(top: Obj, op: string): ParsedFrame<BybitBookFrame> {
  if (top['success'] === false) {
    const msg = typeof top['ret_msg'] === 'string' ? top['ret_msg'] : 'rejected';
    return { kind: 'venue-error', code: op, message: msg };
  }
  // linear answers a ping with op "ping" and ret_msg "pong"; other markets with op "pong"
  return { kind: 'control', note: op === 'ping' || op === 'pong' ? 'pong' : `${op} ack` };
}

function parseBook(top: Obj, topic: string, drift: DriftSink | undefined): BybitBookFrame {
  const parts = topic.split('.');
  const depth = Number(parts[1]);
  if (parts.length !== 3 || !Number.isSafeInteger(depth) || depth <= 0) throw bad(`bybit: bad orderbook topic ${JSON.stringify(topic).slice(0, 60)}`);
  const type = top['type'];
  if (type !== 'snapshot' && type !== 'delta') throw bad(`${topic}: type must be snapshot or delta`);
  const d = asObj(top['data'], topic);
  noteUnknown(d, KNOWN.book, 'orderbook.data', drift);
  const symbol = strField(d, 's', topic);
  if (symbol !== parts[2]) throw bad(`${topic}: data.s ${JSON.stringify(symbol).slice(0, 30)} does not match the topic`);
  const u = intField(d, 'u', topic);
  if (u < 1) throw bad(`${topic}: u must be positive`);
  const frame: BybitBookFrame = { symbol, depth, type, u, ts: eventTime(top, topic, drift), bids: decLevelsField(d, 'b', topic), asks: decLevelsField(d, 'a', topic) };
  if (d['seq'] !== undefined) frame.seq = intField(d, 'seq', topic);
  else drift?.note('orderbook.data.seq', 'missing');
  return frame;
}

/** `cts`, or where a frame predates it the push time `ts` the docs give beside it. */
function eventTime(top: Obj, topic: string, drift: DriftSink | undefined): number {
  if (top['cts'] !== undefined) return intField(top, 'cts', topic);
  drift?.note('orderbook.cts', 'fallback');
  return intField(top, 'ts', topic);
}

/** `S` is the taker side ("Buy"/"Sell"). */
function parseTrade(t: Obj, drift: DriftSink | undefined): VenueTrade {
  noteUnknown(t, KNOWN.trade, 'publicTrade.data', drift);
  const id = strField(t, 'i', 'publicTrade');
  if (id === '') throw bad('publicTrade: empty trade id');
  return {
    venueSymbol: strField(t, 's', 'publicTrade'),
    id,
    price: canonicalDecimal(decField(t, 'p', 'publicTrade')),
    qty: canonicalDecimal(decField(t, 'v', 'publicTrade')),
    side: sideOf(t, 'publicTrade'),
    ts: intField(t, 'T', 'publicTrade'),
  };
}

/**
 * `S` is the side of the liquidated POSITION: Buy ⇒ a long was liquidated, closed by a sell
 * (venues.md §8.2). `p` is the bankruptcy price. Every liquidation arrives, in 500 ms batches.
 */
function parseLiquidation(l: Obj, drift: DriftSink | undefined): VenueLiquidation {
  noteUnknown(l, KNOWN.liquidation, 'allLiquidation.data', drift);
  const position = sideOf(l, 'allLiquidation');
  return {
    venueSymbol: strField(l, 's', 'allLiquidation'),
    side: position === 'buy' ? 'sell' : 'buy',
    liquidated: position === 'buy' ? 'long' : 'short',
    price: canonicalDecimal(decField(l, 'p', 'allLiquidation')),
    qty: canonicalDecimal(decField(l, 'v', 'allLiquidation')),
    coverage: 'batched',
    ts: intField(l, 'T', 'allLiquidation'),
  };
}

function sideOf(o: Obj, what: string): TakerSide {
  const S = o['S'];
  if (S === 'Buy') return 'buy';
  if (S === 'Sell') return 'sell';
  throw bad(`${what}: S must be Buy or Sell`);
}
