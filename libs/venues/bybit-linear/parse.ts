/**
 * Bybit v5 public linear frames → ParsedFrame (venues.md §3).
 * https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook
 *
 * Every price and size is checked to be a plain decimal here, before any book sees it, so a bad
 * frame is one BAD_FRAME rejection and never a half-applied delta.
 */
import { canonicalDecimal, type TakerSide } from '../../core/index.js';
import type { ParsedFrame, VenueLiquidation, VenueTrade } from '../adapter.js';
import { arrField, asObj, bad, decField, decLevelsField, intField, parseJson, strField, type Obj, type RawLevel } from '../validate.js';

export interface BybitBookFrame {
  symbol: string;
  /** N of the `orderbook.N.SYMBOL` topic: the venue keeps N levels per side */
  depth: number;
  type: 'snapshot' | 'delta';
  /** update id; 1 means the venue restarted and this is a fresh book */
  u: number;
  /** cross sequence, comparable across topics */
  seq: number;
  /** matching-engine time `cts` (venues.md §8.5) */
  ts: number;
  bids: RawLevel[];
  asks: RawLevel[];
}

export function parseBybitFrame(raw: string, _recvTs: number): ParsedFrame<BybitBookFrame> {
  const top = asObj(parseJson(raw), 'bybit frame');
  if (typeof top['op'] === 'string') return parseOpReply(top, top['op']);
  const topic = strField(top, 'topic', 'bybit frame');
  const kind = topic.slice(0, topic.indexOf('.'));
  switch (kind) {
    case 'orderbook': {
      const frame = parseBook(top, topic);
      return { kind: 'book', venueSymbol: frame.symbol, frame };
    }
    case 'publicTrade':
      return { kind: 'trades', trades: arrField(top, 'data', topic).map((t) => parseTrade(asObj(t, topic))) };
    case 'allLiquidation':
      return { kind: 'liquidations', liquidations: arrField(top, 'data', topic).map((l) => parseLiquidation(asObj(l, topic))) };
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

function parseBook(top: Obj, topic: string): BybitBookFrame {
  const parts = topic.split('.');
  const depth = Number(parts[1]);
  if (parts.length !== 3 || !Number.isSafeInteger(depth) || depth <= 0) throw bad(`bybit: bad orderbook topic ${JSON.stringify(topic).slice(0, 60)}`);
  const type = top['type'];
  if (type !== 'snapshot' && type !== 'delta') throw bad(`${topic}: type must be snapshot or delta`);
  const d = asObj(top['data'], topic);
  const symbol = strField(d, 's', topic);
  if (symbol !== parts[2]) throw bad(`${topic}: data.s ${JSON.stringify(symbol).slice(0, 30)} does not match the topic`);
  const u = intField(d, 'u', topic);
  if (u < 1) throw bad(`${topic}: u must be positive`);
  return {
    symbol,
    depth,
    type,
    u,
    seq: intField(d, 'seq', topic),
    ts: intField(top, 'cts', topic),
    bids: decLevelsField(d, 'b', topic),
    asks: decLevelsField(d, 'a', topic),
  };
}

/** `S` is the taker side ("Buy"/"Sell"). */
function parseTrade(t: Obj): VenueTrade {
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
function parseLiquidation(l: Obj): VenueLiquidation {
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
