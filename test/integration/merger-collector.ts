/**
 * Test double of the collector side of the contract, on real NATS: it holds venue books as
 * level maps, publishes snapshots/deltas with a contiguous seq (or a deliberately broken one),
 * answers snapshot requests exactly as the collector does, and publishes status heartbeats.
 */
import type { NatsConnection, Subscription } from 'nats';
import { encode, subjects } from '../../libs/bus/index.js';
import type { BookMessage, Level, LiquidationMessage, StatusMessage, TradeMessage } from '../../libs/core/index.js';

export class FakeCollector {
  private readonly books = new Map<string, { seq: number; bids: Map<string, string>; asks: Map<string, string>; live: boolean }>();
  private readonly subs: Subscription[] = [];
  snapshotRequests = 0;

  constructor(
    private readonly nc: NatsConnection,
    readonly venue: string,
  ) {}

  /** Declare a book and answer snapshot requests for it. */
  serve(symbol: string, bids: Level[], asks: Level[], seq = 100): void {
    this.books.set(symbol, { seq, bids: new Map(bids), asks: new Map(asks), live: true });
    this.subs.push(
      this.nc.subscribe(subjects.snapshot(this.venue, symbol), {
        callback: (_e, m) => {
          this.snapshotRequests++;
          const b = this.books.get(symbol)!;
          m.respond(encode(b.live ? this.message(symbol, 'snapshot', [...b.bids], [...b.asks]) : { error: { code: 'NOT_LIVE', message: 'book is resyncing' } }));
        },
      }),
    );
  }

  setLive(symbol: string, live: boolean): void {
    this.books.get(symbol)!.live = live;
  }

  /** Apply and publish a delta; `skip` > 0 advances seq without publishing (a lost message). */
  delta(symbol: string, bids: Level[], asks: Level[], opts: { publish?: boolean } = {}): BookMessage {
    const b = this.books.get(symbol)!;
    for (const [side, levels] of [[b.bids, bids], [b.asks, asks]] as const) {
      for (const [p, q] of levels) {
        if (q === '0') side.delete(p);
        else side.set(p, q);
      }
    }
    b.seq++;
    const msg = this.message(symbol, 'delta', bids, asks);
    if (opts.publish !== false) this.nc.publish(subjects.book(this.venue, symbol), encode(msg));
    return msg;
  }

  /** Make the book exactly these levels, as one delta (vanished levels sent as "0"). */
  replaceBook(symbol: string, bids: Level[], asks: Level[]): BookMessage {
    const b = this.books.get(symbol)!;
    const diff = (side: Map<string, string>, levels: Level[]): Level[] => {
      const next = new Map(levels);
      return [...[...side.keys()].filter((p) => !next.has(p)).map((p): Level => [p, '0']), ...levels.filter(([p, q]) => side.get(p) !== q)];
    };
    return this.delta(symbol, diff(b.bids, bids), diff(b.asks, asks));
  }

  publishSnapshot(symbol: string): void {
    const b = this.books.get(symbol)!;
    this.nc.publish(subjects.book(this.venue, symbol), encode(this.message(symbol, 'snapshot', [...b.bids], [...b.asks])));
  }

  status(state: StatusMessage['state'], lastMsgTs = Date.now()): void {
    const symbols: StatusMessage['symbols'] = {};
    for (const [s, b] of this.books) symbols[s] = { state: b.live ? 'live' : 'resyncing', seq: b.seq, last_msg_ts: lastMsgTs, resyncs: 0 };
    this.nc.publish(subjects.status(this.venue), encode({ v: 1, venue: this.venue, state, symbols, ts: Date.now() } satisfies StatusMessage));
  }

  trade(symbol: string, id: string, price: string, qty: string, ts: number): void {
    const t: TradeMessage = { v: 1, venue: this.venue, symbol, id, price, qty, side: 'buy', ts, recv_ts: Date.now() };
    this.nc.publish(subjects.trade(this.venue, symbol), encode(t));
  }

  liquidation(symbol: string, id: string, price: string, qty: string, notional = '0'): void {
    const l: LiquidationMessage = { v: 1, venue: this.venue, symbol, id, side: 'sell', liquidated: 'long', price, qty, notional_usd: notional, coverage: 'complete', ts: Date.now(), recv_ts: Date.now() };
    this.nc.publish(subjects.liq(this.venue, symbol), encode(l));
  }

  close(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  private message(symbol: string, kind: 'snapshot' | 'delta', bids: Level[], asks: Level[]): BookMessage {
    const b = this.books.get(symbol)!;
    const now = Date.now();
    return { v: 1, kind, venue: this.venue, symbol, seq: b.seq, prev_seq: kind === 'snapshot' ? 0 : b.seq - 1, ts: now, recv_ts: now, pub_ts: now, depth: 100, bids, asks };
  }
}
