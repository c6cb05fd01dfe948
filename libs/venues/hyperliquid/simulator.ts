/**
 * A local Hyperliquid: `/ws` sessions that take `{"method":"subscribe","subscription":{…}}`,
 * acknowledge with `subscriptionResponse`, push the complete top 20 of a book (5 with `fast`)
 * right away and on every book change, send the recent trades as the first `trades` push (the
 * history a client must drop) and then each trade, and answer `{"method":"ping"}` with
 * `{"channel":"pong"}`. REST `POST /info`: `meta` from the simulated coins, `l2Book`.
 * No liquidations: Hyperliquid has no public feed.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket
 *
 * There is no sequence to skip: skipSequence withholds one push per coin, which the next full
 * push repairs.
 */
import { fractionDigits, type Level } from '../../core/index.js';
import type { MarketEvent, SimClient, SimInstrumentSpec, SimSession, SimWorldView, VenueSimulator } from '../../simulator/index.js';
import { parseHyperliquidMeta } from './metadata.js';
import { HL_BOOK_DEPTH, HL_FAST_BOOK_DEPTH } from './sync.js';

/** trades kept per coin for the history push */
const HISTORY_TRADES = 10;

interface Subscription {
  type: string;
  coin?: string;
  fast?: boolean;
}

export function createHyperliquidSimulator(specs: SimInstrumentSpec[], world: SimWorldView): VenueSimulator {
  const coins = new Set(specs.map((s) => s.venueSymbol));
  const meta = { universe: specs.map((s) => ({ name: s.venueSymbol, szDecimals: fractionDigits(s.lotSize), maxLeverage: 50 })) };
  const history = new Map<string, object[]>();
  const skip = new Set<string>();
  const sessions = new Set<HyperliquidSession>();

  const l2Book = (coin: string, fast: boolean, time: number) => {
    const t = world.book(coin, fast ? HL_FAST_BOOK_DEPTH : HL_BOOK_DEPTH);
    const data: Record<string, unknown> = { coin, time, levels: [t.bids.map(level), t.asks.map(level)] };
    if (fast) data['fast'] = true;
    return { channel: 'l2Book', data };
  };

  /** what a new subscription receives at once, or an error text */
  const subscribe = (s: Subscription): object[] | string => {
    if (!s.coin || !coins.has(s.coin)) return `Invalid subscription ${JSON.stringify(s)}`;
    if (s.type === 'l2Book') return [l2Book(s.coin, s.fast === true, world.now())];
    if (s.type === 'trades') return history.has(s.coin) ? [{ channel: 'trades', data: history.get(s.coin) }] : [];
    return `Invalid subscription ${JSON.stringify(s)}`;
  };

  return {
    venue: 'hyperliquid',
    instruments: parseHyperliquidMeta([meta]),
    serverPings: false,

    handleRest(method, path, _query, body) {
      if (method !== 'POST' || path !== '/info') return undefined;
      const req = (typeof body === 'object' && body !== null ? body : {}) as { type?: unknown; coin?: unknown };
      if (req.type === 'meta') return { status: 200, body: meta };
      if (req.type === 'l2Book' && typeof req.coin === 'string' && coins.has(req.coin)) return { status: 200, body: l2Book(req.coin, false, world.now()).data };
      if (req.type === 'l2Book') return { status: 200, body: null };
      return { status: 422, body: 'Failed to deserialize the JSON body into the target type' };
    },

    openSession(_path, _query, client) {
      const s: HyperliquidSession = new HyperliquidSession(client, subscribe, () => sessions.delete(s));
      sessions.add(s);
      return s;
    },

    publish(e: MarketEvent) {
      if (e.type === 'liq') return; // no public liquidation feed
      if (e.type === 'book') {
        if (skip.delete(e.venueSymbol)) return;
        const texts = new Map<boolean, string>();
        for (const s of sessions) {
          const fast = s.bookFast(e.venueSymbol);
          if (fast === undefined) continue;
          if (!texts.has(fast)) texts.set(fast, JSON.stringify(l2Book(e.venueSymbol, fast, e.ts)));
          s.client.send(texts.get(fast)!);
        }
        return;
      }
      const trade = { coin: e.venueSymbol, side: e.side === 'buy' ? 'B' : 'A', px: e.price, sz: e.qty, time: e.ts, hash: `0x${e.id.toString(16).padStart(64, '0')}`, tid: e.id, users: ['0xbuyer', '0xseller'] };
      const recent = history.get(e.venueSymbol) ?? [];
      recent.push(trade);
      if (recent.length > HISTORY_TRADES) recent.shift();
      history.set(e.venueSymbol, recent);
      const text = JSON.stringify({ channel: 'trades', data: [trade] });
      for (const s of sessions) if (s.has('trades', e.venueSymbol)) s.client.send(text);
    },

    skipSequence() {
      for (const c of coins) skip.add(c);
    },
  };
}

class HyperliquidSession implements SimSession {
  private readonly subs: Subscription[] = [];

  constructor(
    readonly client: SimClient,
    private readonly subscribe: (s: Subscription) => object[] | string,
    private readonly onDone: () => void,
  ) {}

  has(type: string, coin: string): boolean {
    return this.subs.some((s) => s.type === type && s.coin === coin);
  }

  /** undefined when not subscribed to this coin's book; otherwise whether it asked for the fast feed */
  bookFast(coin: string): boolean | undefined {
    const s = this.subs.find((x) => x.type === 'l2Book' && x.coin === coin);
    return s ? s.fast === true : undefined;
  }

  onMessage(text: string): void {
    let m: { method?: unknown; subscription?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return this.send({ channel: 'error', data: `Error parsing JSON into valid websocket request: ${text.slice(0, 40)}` });
    }
    if (m.method === 'ping') return this.send({ channel: 'pong' });
    const sub = m.subscription as Subscription | undefined;
    if ((m.method !== 'subscribe' && m.method !== 'unsubscribe') || typeof sub !== 'object' || sub === null || typeof sub.type !== 'string') {
      return this.send({ channel: 'error', data: `Error parsing JSON into valid websocket request: ${text.slice(0, 40)}` });
    }
    const i = this.subs.findIndex((s) => JSON.stringify(s) === JSON.stringify(sub));
    if (m.method === 'unsubscribe') {
      if (i < 0) return this.send({ channel: 'error', data: `Already unsubscribed: ${JSON.stringify(sub)}` });
      this.subs.splice(i, 1);
      return this.send({ channel: 'subscriptionResponse', data: { method: 'unsubscribe', subscription: sub } });
    }
    if (i >= 0) return this.send({ channel: 'error', data: `Already subscribed: ${JSON.stringify(sub)}` });
    const first = this.subscribe(sub);
    if (typeof first === 'string') return this.send({ channel: 'error', data: first });
    this.subs.push(sub);
    this.send({ channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: sub } });
    for (const f of first) this.send(f);
  }

  onClose(): void {
    this.onDone();
  }

  private send(o: object): void {
    this.client.send(JSON.stringify(o));
  }
}

function level([px, sz]: Level): { px: string; sz: string; n: number } {
  return { px, sz, n: 1 };
}
