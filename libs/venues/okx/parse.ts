/**
 * OKX v5 public frames → ParsedFrame (venues.md §4). Pure.
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel
 * https://www.okx.com/docs-v5/en/#public-data-websocket-liquidation-orders-channel
 */
import type { ParsedFrame, VenueLiquidation, VenueTrade } from '../adapter.js';
import { noteUnknown, type DriftSink } from '../drift.js';
import { arrField, asObj, bad, decField, decLevelsField, intField, intLike, parseJson, strField, type Obj, type RawLevel } from '../validate.js';
import { OKX_IGNORED_CHANNELS, okxBookChannel } from './channels.js';

export interface OkxBookFrame {
  instId: string;
  channel: string;
  /** incremental channels say `snapshot` or `update`; books5/bbo-tbt replace the book every push (`full`) */
  action: 'snapshot' | 'update' | 'full';
  bids: RawLevel[];
  asks: RawLevel[];
  ts: number;
  /** legacy CRC32 of the top 25 levels; 0 (or absent) means none was given — always 0 since June 2026 */
  checksum: number;
  /** absent in recordings made before OKX added sequence ids (the 2022 capture) */
  seqId?: number;
  /** -1 in a snapshot */
  prevSeqId?: number;
}

export interface OkxBookSnapshot {
  bids: RawLevel[];
  asks: RawLevel[];
  ts: number;
  seqId?: number;
}

/** The fields each push is known to carry (others are counted as drift, never refused). */
const KNOWN = {
  push: new Set(['arg', 'action', 'data']),
  book: new Set(['asks', 'bids', 'ts', 'checksum', 'seqId', 'prevSeqId']),
  trade: new Set(['instId', 'tradeId', 'px', 'sz', 'side', 'ts', 'count', 'source', 'seqId']),
  liquidation: new Set(['instId', 'instType', 'instFamily', 'uly', 'details']),
  liquidationDetail: new Set(['side', 'posSide', 'bkPx', 'bkLoss', 'sz', 'ccy', 'ts']),
};

/** OKX service-upgrade notice: "The connection will soon be closed for a service upgrade". */
const NOTICE_RECONNECT_CODE = '64008';

export function parseOkxFrame(raw: string, _recvTs: number, drift?: DriftSink): ParsedFrame<OkxBookFrame> {
  // The heartbeat answer is the bare text `pong`, not JSON.
  if (raw === 'pong') return { kind: 'control', note: 'pong' };
  const top = asObj(parseJson(raw), 'okx frame');
  if (top['event'] !== undefined) return parseEvent(strField(top, 'event', 'okx event'), top);
  const arg = asObj(top['arg'], 'okx frame arg');
  const channel = strField(arg, 'channel', 'okx arg');
  // Every push carries a data array; without it this is no push (an ack that lost its event?).
  arrField(top, 'data', channel);
  const book = okxBookChannel(channel);
  if (book) {
    noteUnknown(top, KNOWN.push, 'books', drift);
    return { kind: 'book', ...parseBookFrame(channel, book.incremental, top, drift) };
  }
  if (channel === 'trades' || channel === 'trades-all') {
    noteUnknown(top, KNOWN.push, 'trades', drift);
    return { kind: 'trades', trades: arrField(top, 'data', channel).map((d) => parseTrade(asObj(d, channel), drift)) };
  }
  if (channel === 'liquidation-orders') {
    noteUnknown(top, KNOWN.push, channel, drift);
    return { kind: 'liquidations', liquidations: arrField(top, 'data', channel).flatMap((d) => parseLiquidations(asObj(d, channel), drift)) };
  }
  if (OKX_IGNORED_CHANNELS.has(channel) || channel.includes('candle')) return { kind: 'ignored', note: channel };
  throw bad(`okx: unknown channel ${JSON.stringify(channel)}`);
}

function parseEvent(event: string, top: Obj): ParsedFrame<OkxBookFrame> {
  switch (event) {
    case 'subscribe':
    case 'unsubscribe':
    case 'login':
    case 'channel-conn-count':
      return { kind: 'control', note: event };
    case 'error':
    case 'channel-conn-count-error':
      return { kind: 'venue-error', code: String(top['code'] ?? ''), message: String(top['msg'] ?? '') };
    case 'notice':
      if (String(top['code']) === NOTICE_RECONNECT_CODE) return { kind: 'reconnect', reason: `okx notice ${NOTICE_RECONNECT_CODE}: ${String(top['msg'] ?? '')}` };
      return { kind: 'control', note: `notice ${String(top['code'])}` };
    default:
      throw bad(`okx: unknown event ${JSON.stringify(event)}`);
  }
}

function parseBookFrame(channel: string, incremental: boolean, top: Obj, drift: DriftSink | undefined): { venueSymbol: string; frame: OkxBookFrame } {
  const arg = asObj(top['arg'], 'okx frame arg');
  const instId = strField(arg, 'instId', `${channel} arg`);
  const data = arrField(top, 'data', channel);
  // One instrument, one book state per push: several entries would have no defined order.
  if (data.length !== 1) throw bad(`${channel} ${instId}: expected one data entry, got ${data.length}`);
  const d = asObj(data[0], channel);
  noteUnknown(d, KNOWN.book, 'books.data', drift);
  const action = top['action'];
  let kind: OkxBookFrame['action'];
  if (!incremental) kind = 'full';
  else if (action === 'snapshot' || action === 'update') kind = action;
  else throw bad(`${channel} ${instId}: action must be snapshot or update`);
  const frame: OkxBookFrame = {
    instId,
    channel,
    action: kind,
    bids: levels(d, 'bids', channel),
    asks: levels(d, 'asks', channel),
    ts: msField(d, 'ts', channel),
    checksum: d['checksum'] === undefined ? 0 : intField(d, 'checksum', channel),
  };
  if (d['seqId'] !== undefined) frame.seqId = intField(d, 'seqId', channel);
  else drift?.note('books.data.seqId', 'missing');
  if (d['prevSeqId'] !== undefined) frame.prevSeqId = intField(d, 'prevSeqId', channel);
  return { venueSymbol: instId, frame };
}

/** GET /api/v5/market/books body: `{"code":"0","msg":"","data":[{"asks","bids","ts","seqId"}]}`. */
export function parseOkxBooksSnapshot(body: unknown): OkxBookSnapshot {
  const o = asObj(body, 'okx books snapshot');
  if (o['code'] !== undefined && String(o['code']) !== '0') throw bad(`okx books snapshot: code ${String(o['code'])} ${String(o['msg'] ?? '')}`);
  const data = arrField(o, 'data', 'okx books snapshot');
  if (data.length !== 1) throw bad(`okx books snapshot: expected one data entry, got ${data.length}`);
  const d = asObj(data[0], 'okx books snapshot');
  const snap: OkxBookSnapshot = {
    bids: levels(d, 'bids', 'okx books snapshot'),
    asks: levels(d, 'asks', 'okx books snapshot'),
    ts: msField(d, 'ts', 'okx books snapshot'),
  };
  if (d['seqId'] !== undefined) snap.seqId = intLike(d, 'seqId', 'okx books snapshot');
  return snap;
}

/** `side` is the taker side as is; `sz` is contracts for SWAP/FUTURES (the engine converts). */
function parseTrade(d: Obj, drift: DriftSink | undefined): VenueTrade {
  noteUnknown(d, KNOWN.trade, 'trades.data', drift);
  return {
    venueSymbol: strField(d, 'instId', 'trade'),
    id: strField(d, 'tradeId', 'trade'),
    price: decField(d, 'px', 'trade'),
    qty: decField(d, 'sz', 'trade'),
    side: takerSide(d['side'], 'trade'),
    ts: msField(d, 'ts', 'trade'),
  };
}

/**
 * `details[].side` is the side of the liquidation order (the closing order) and is kept as is;
 * `posSide` names the liquidated position in hedge mode (`net` otherwise); a buy closes a short.
 * OKX says the channel does not represent every liquidation ⇒ coverage `partial`.
 */
function parseLiquidations(d: Obj, drift: DriftSink | undefined): VenueLiquidation[] {
  noteUnknown(d, KNOWN.liquidation, 'liquidation-orders.data', drift);
  const instId = strField(d, 'instId', 'liquidation-orders');
  return arrField(d, 'details', 'liquidation-orders').map((x) => {
    const det = asObj(x, 'liquidation-orders detail');
    noteUnknown(det, KNOWN.liquidationDetail, 'liquidation-orders.details', drift);
    const side = takerSide(det['side'], 'liquidation-orders');
    const closes = side === 'buy' ? 'short' : 'long';
    const pos = det['posSide'];
    // A buy can only close a short: a posSide that says otherwise is a frame we do not understand.
    if ((pos === 'long' || pos === 'short') && pos !== closes) throw bad(`liquidation-orders ${instId}: side ${side} cannot close a ${pos}`);
    const liquidated = closes;
    return {
      venueSymbol: instId,
      side,
      liquidated,
      price: decField(det, 'bkPx', 'liquidation-orders'),
      qty: decField(det, 'sz', 'liquidation-orders'),
      coverage: 'partial' as const,
      ts: msField(det, 'ts', 'liquidation-orders'),
    };
  });
}

/** `[px, sz, "0", orderCount]` → `[px, sz]`: the deprecated and count fields are not used. */
function levels(d: Obj, k: string, what: string): RawLevel[] {
  return decLevelsField(d, k, what).map((l) => [l[0], l[1]]);
}

/** OKX sends times as decimal strings of ms ("1597026383085"). */
function msField(o: Obj, k: string, what: string): number {
  if (typeof o[k] !== 'string') throw bad(`${what}: field ${k} must be a string of ms`);
  return intLike(o, k, what);
}

function takerSide(v: unknown, what: string): 'buy' | 'sell' {
  if (v !== 'buy' && v !== 'sell') throw bad(`${what}: side must be buy or sell`);
  return v;
}
