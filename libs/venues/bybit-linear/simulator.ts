/**
 * A local bybit-linear (v5 public linear): `/v5/public/linear` sessions that take
 * `{"req_id","op":"subscribe","args":[…]}`, send a snapshot per `orderbook.N.SYM` topic on
 * subscribe and then deltas with increasing `u` (per topic) and `seq` (venue-wide), each side
 * kept to N levels as Bybit does (levels entering the top N are inserted, levels leaving it are
 * sent as deletes; depth 1 is snapshot-only); `publicTrade` batches; `allLiquidation` batched
 * every 500 ms with the POSITION side; JSON ping answered with the linear pong. REST:
 * instruments-info (paginated by cursor) and /v5/market/orderbook (its u is orderbook.1000's).
 *
 * skipSequence withholds the next book frame per symbol and consumes its u. Bybit's client rule
 * does not resync on a u jump (venues.md §3), so the withheld change rides in the next delta:
 * the collector sees the jump and its book still converges to the truth.
 */
import type { Level } from '../../core/index.js';
import type { MarketEvent, SimClient, SimInstrumentSpec, SimSession, SimWorldView, VenueSimulator } from '../../simulator/index.js';
import { parseInstrumentPages } from './metadata.js';

/** linear orderbook depths (level 500 was retired in 2025) */
const LINEAR_DEPTHS = new Set([1, 50, 200, 1000]);
const REST_BOOK_DEPTH = 1000;
const LIQUIDATION_BATCH_MS = 500;
const INSTRUMENTS_DEFAULT_LIMIT = 500;
const INSTRUMENTS_MAX_LIMIT = 1000;
const FIRST_UPDATE_ID = 7_000_000;

interface TopicState {
  topic: string;
  symbol: string;
  depth: number;
  u: number;
  /** the top N as the subscribers hold it: price → size */
  bids: Map<string, string>;
  asks: Map<string, string>;
}

export function createBybitLinearSimulator(specs: SimInstrumentSpec[], world: SimWorldView): VenueSimulator {
  const symbols = new Set(specs.map((s) => s.venueSymbol));
  const topics = new Map<string, TopicState>();
  const skip = new Set<string>();
  const sessions = new Set<BybitSession>();
  const liqBatches = new Map<string, { since: number; data: object[] }>();
  let seq = 50_000_000;
  let connId = 0;

  const topicState = (symbol: string, depth: number): TopicState => {
    const topic = `orderbook.${depth}.${symbol}`;
    let st = topics.get(topic);
    if (!st) {
      const t = world.book(symbol, depth);
      st = { topic, symbol, depth, u: FIRST_UPDATE_ID, bids: new Map(t.bids), asks: new Map(t.asks) };
      topics.set(topic, st);
    }
    return st;
  };

  const bookFrame = (st: TopicState, type: 'snapshot' | 'delta', b: Level[], a: Level[], now: number): string =>
    JSON.stringify({ topic: st.topic, type, ts: now + 1, data: { s: st.symbol, b, a, u: st.u, seq: ++seq }, cts: now });

  const snapshotOf = (st: TopicState, now: number): string => bookFrame(st, 'snapshot', [...st.bids], [...st.asks], now);

  const broadcast = (topic: string, text: string) => {
    for (const s of sessions) if (s.topics.has(topic)) s.client.send(text);
  };

  /** The change of one topic's top N since what its subscribers hold; null when nothing moved. */
  const onBook = (st: TopicState, withhold: boolean, now: number): 'sent' | 'withheld' | 'none' => {
    const t = world.book(st.symbol, st.depth);
    const b = diff(st.bids, t.bids);
    const a = diff(st.asks, t.asks);
    if (b.length === 0 && a.length === 0) return 'none';
    st.u++;
    if (withhold) return 'withheld';
    apply(st.bids, b);
    apply(st.asks, a);
    broadcast(st.topic, st.depth === 1 ? snapshotOf(st, now) : bookFrame(st, 'delta', b, a, now));
    return 'sent';
  };

  const flushLiquidations = (now: number, force = false) => {
    for (const [symbol, batch] of liqBatches) {
      if (!force && now - batch.since < LIQUIDATION_BATCH_MS) continue;
      liqBatches.delete(symbol);
      const topic = `allLiquidation.${symbol}`;
      broadcast(topic, JSON.stringify({ topic, type: 'snapshot', ts: now, data: batch.data }));
    }
  };

  const subscribe = (session: BybitSession, args: string[]): string[] => {
    const rejected: string[] = [];
    const now = world.now();
    for (const topic of args) {
      const [kind, a, b] = topic.split('.');
      const depth = Number(a);
      const ok = kind === 'orderbook' ? LINEAR_DEPTHS.has(depth) && symbols.has(b ?? '') : (kind === 'publicTrade' || kind === 'allLiquidation') && b === undefined && symbols.has(a ?? '');
      if (!ok) {
        rejected.push(topic);
        continue;
      }
      session.topics.add(topic);
      if (kind === 'orderbook') session.pending.push(snapshotOf(topicState(b!, depth), now));
    }
    return rejected;
  };

  return {
    venue: 'bybit-linear',
    instruments: parseInstrumentPages([instrumentsPage(specs, 0, specs.length)]),
    serverPings: false,

    handleRest(method, path, query) {
      if (method !== 'GET') return undefined;
      if (query.get('category') !== 'linear') return { status: 200, body: { retCode: 10001, retMsg: 'params error: category only support linear', result: {}, retExtInfo: {}, time: world.now() } };
      if (path === '/v5/market/instruments-info') {
        const limit = Math.min(INSTRUMENTS_MAX_LIMIT, Number(query.get('limit') ?? INSTRUMENTS_DEFAULT_LIMIT) || INSTRUMENTS_DEFAULT_LIMIT);
        const from = Number(query.get('cursor') ?? 0) || 0;
        return { status: 200, body: instrumentsPage(specs, from, limit) };
      }
      if (path === '/v5/market/orderbook') {
        const symbol = query.get('symbol') ?? '';
        if (!symbols.has(symbol)) return { status: 200, body: { retCode: 10001, retMsg: 'params error: symbol invalid', result: {}, retExtInfo: {}, time: world.now() } };
        const limit = Math.min(REST_BOOK_DEPTH, Math.max(1, Number(query.get('limit') ?? 25) || 25));
        const st = topicState(symbol, REST_BOOK_DEPTH);
        const t = world.book(symbol, limit);
        const now = world.now();
        return { status: 200, body: { retCode: 0, retMsg: 'OK', result: { s: symbol, b: t.bids, a: t.asks, ts: now, u: st.u, seq, cts: now }, retExtInfo: {}, time: now } };
      }
      return undefined;
    },

    openSession(_path, _query, client) {
      const s: BybitSession = new BybitSession(client, `sim-${++connId}`, subscribe, () => sessions.delete(s));
      sessions.add(s);
      return s;
    },

    publish(e: MarketEvent) {
      flushLiquidations(e.ts);
      if (e.type === 'book') {
        const withhold = skip.has(e.venueSymbol);
        let withheld = false;
        for (const st of topics.values()) if (st.symbol === e.venueSymbol && onBook(st, withhold, e.ts) === 'withheld') withheld = true;
        if (withheld) skip.delete(e.venueSymbol);
      } else if (e.type === 'trade') {
        const topic = `publicTrade.${e.venueSymbol}`;
        const data = [{ T: e.ts, s: e.venueSymbol, S: e.side === 'buy' ? 'Buy' : 'Sell', v: e.qty, p: e.price, L: 'PlusTick', i: `sim-${e.venueSymbol}-${e.id}`, BT: false, RPI: false, seq: ++seq }];
        broadcast(topic, JSON.stringify({ topic, type: 'snapshot', ts: e.ts + 1, data }));
      } else {
        // the position side: a sell closes a long, which Bybit reports as S = Buy
        const item = { T: e.ts, s: e.venueSymbol, S: e.side === 'sell' ? 'Buy' : 'Sell', v: e.qty, p: e.price };
        const batch = liqBatches.get(e.venueSymbol);
        if (batch) batch.data.push(item);
        else liqBatches.set(e.venueSymbol, { since: e.ts, data: [item] });
      }
    },

    skipSequence() {
      for (const s of symbols) skip.add(s);
    },
  };
}

class BybitSession implements SimSession {
  readonly topics = new Set<string>();
  /** snapshots owed to this session, sent right after the subscribe ack */
  pending: string[] = [];

  constructor(
    readonly client: SimClient,
    private readonly connId: string,
    private readonly subscribe: (s: BybitSession, args: string[]) => string[],
    private readonly onDone: () => void,
  ) {}

  onMessage(text: string): void {
    let m: { req_id?: unknown; op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return this.reply('', 'unknown', false, 'error:request not json');
    }
    const reqId = typeof m.req_id === 'string' ? m.req_id : '';
    const op = typeof m.op === 'string' ? m.op : 'unknown';
    if (op === 'ping') return this.reply(reqId, 'ping', true, 'pong');
    const args = Array.isArray(m.args) && m.args.every((a) => typeof a === 'string') ? (m.args as string[]) : null;
    if ((op !== 'subscribe' && op !== 'unsubscribe') || !args) return this.reply(reqId, op, false, 'error:handler not found');
    if (op === 'unsubscribe') {
      for (const a of args) this.topics.delete(a);
      return this.reply(reqId, op, true, '');
    }
    const rejected = this.subscribe(this, args);
    this.reply(reqId, op, rejected.length === 0, rejected.length === 0 ? '' : `error:handler not found,topic:${rejected.join(',')}`);
    for (const p of this.pending.splice(0)) this.client.send(p);
  }

  onClose(): void {
    this.onDone();
  }

  private reply(reqId: string, op: string, success: boolean, retMsg: string): void {
    this.client.send(JSON.stringify({ success, ret_msg: retMsg, conn_id: this.connId, req_id: reqId, op }));
  }
}

/** Levels of `truth` that differ from `held`, and held levels gone from it (size "0"). */
function diff(held: Map<string, string>, truth: Level[]): Level[] {
  const out: Level[] = [];
  const seen = new Set<string>();
  for (const [p, q] of truth) {
    seen.add(p);
    if (held.get(p) !== q) out.push([p, q]);
  }
  for (const p of held.keys()) if (!seen.has(p)) out.push([p, '0']);
  return out;
}

function apply(held: Map<string, string>, changes: Level[]): void {
  for (const [p, q] of changes) {
    if (q === '0') held.delete(p);
    else held.set(p, q);
  }
}

function instrumentsPage(specs: SimInstrumentSpec[], from: number, limit: number): unknown {
  const list = specs.slice(from, from + limit).map((s) => ({
    symbol: s.venueSymbol,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: s.venueBase,
    quoteCoin: s.quote,
    settleCoin: s.quote,
    priceScale: String(s.tickSize.split('.')[1]?.length ?? 0),
    priceFilter: { minPrice: s.tickSize, maxPrice: '1999999.8', tickSize: s.tickSize },
    lotSizeFilter: { maxOrderQty: '1190', minOrderQty: s.lotSize, qtyStep: s.lotSize },
    fundingInterval: 480,
  }));
  const next = from + limit < specs.length ? String(from + limit) : '';
  return { retCode: 0, retMsg: 'OK', result: { category: 'linear', list, nextPageCursor: next }, retExtInfo: {}, time: Date.now() };
}
