/**
 * A stand-in merger for gateway tests and the gateway bench: it keeps a consensus book in plain
 * decimal strings (decimal.js totals and ordering, independent of the gateway's integer book),
 * publishes snapshots and deltas on the real `bookfuse.v1.consensus.*` subjects with contiguous
 * seq per epoch, answers snapshot requests, and can misbehave on purpose (skip a seq, start a new
 * epoch without a snapshot). What it has published is the truth the gateway must converge to.
 */
import type { NatsConnection, Subscription } from 'nats';
import { encode, subjects } from '../../libs/bus/index.js';
import { Decimal, decString, type AlertMessage, type ConsensusBookMessage, type ConsensusLevel, type ConsensusTradeMessage, type VenueView } from '../../libs/core/index.js';
import { Rng } from '../../libs/simulator/index.js';

type Side = Map<string, Record<string, string>>;

export const TEST_VENUES = ['binance-usdm', 'okx-swap', 'bybit-linear'] as const;

export class ConsensusPublisher {
  epoch = 1;
  seq = 0;
  readonly bids: Side = new Map();
  readonly asks: Side = new Map();
  venues: Record<string, VenueView> = {};
  private changed = { bids: new Set<string>(), asks: new Set<string>() };
  private changedVenues: Record<string, VenueView> | undefined;
  private replies: Subscription | undefined;
  private readonly rng: Rng;
  private tradeId = 0;
  /** publish times by seq, for latency measurement */
  readonly publishedAt = new Map<number, number>();

  constructor(
    private readonly nc: NatsConnection,
    readonly symbol: string,
    readonly depth = 50,
    seed = 7,
    private readonly mid = new Decimal('98500'),
    private readonly tick = new Decimal('0.1'),
  ) {
    this.rng = new Rng(seed);
    for (const v of TEST_VENUES) this.venues[v] = { state: 'live', mid: decString(this.mid), age_ms: 5, stale: false, divergent: false, member: true };
  }

  /** Fill `levels` per side around the mid (not published yet). */
  seedBook(levels = 20): void {
    for (let k = 1; k <= levels; k++) {
      this.set('bids', decString(this.mid.minus(this.tick.times(k))), this.randomSplit());
      this.set('asks', decString(this.mid.plus(this.tick.times(k))), this.randomSplit());
    }
  }

  /** Answer `bookfuse.v1.consensus.snapshot.<CSYM>` with the current book. */
  serveSnapshots(): void {
    this.replies = this.nc.subscribe(subjects.consensusSnapshot(this.symbol), {
      callback: (_e, msg) => msg.respond(encode(this.message('snapshot'))),
    });
  }

  stopServing(): void {
    this.replies?.unsubscribe();
    this.replies = undefined;
  }

  set(side: 'bids' | 'asks', price: string, perVenue: Record<string, string> | null): void {
    const book = this[side];
    if (perVenue === null || Object.keys(perVenue).length === 0) book.delete(price);
    else book.set(price, perVenue);
    this.changed[side].add(price);
  }

  setVenue(venue: string, view: Partial<VenueView>): void {
    this.venues[venue] = { ...this.venues[venue]!, ...view };
    this.changedVenues = { ...(this.changedVenues ?? {}), [venue]: this.venues[venue]! };
  }

  /** A few random changes near the touch, keeping at most `depth` levels a side. */
  randomStep(changes = 3): void {
    for (let i = 0; i < changes; i++) {
      const side = this.rng.chance(0.5) ? 'bids' : 'asks';
      const k = this.rng.int(1, 30);
      const price = decString(side === 'bids' ? this.mid.minus(this.tick.times(k)) : this.mid.plus(this.tick.times(k)));
      this.set(side, price, this.rng.chance(0.25) ? null : this.randomSplit());
    }
    for (const side of ['bids', 'asks'] as const) {
      while (this[side].size > this.depth) this.set(side, this.sorted(side).at(-1)![0], null);
    }
  }

  publishSnapshot(): ConsensusBookMessage {
    this.seq++;
    return this.publish(this.message('snapshot'));
  }

  publishDelta(): ConsensusBookMessage {
    this.seq++;
    return this.publish(this.message('delta'));
  }

  /** Consume a seq without publishing: the gateway sees a gap. */
  skipSeq(): void {
    this.seq++;
    this.changed = { bids: new Set(), asks: new Set() };
  }

  /** A merger restart: new epoch, seq from 0; `withSnapshot` false publishes a delta first (contract breach). */
  newEpoch(withSnapshot: boolean): ConsensusBookMessage {
    this.epoch++;
    this.seq = 0;
    return withSnapshot ? this.publishSnapshot() : this.publishDelta();
  }

  publishTrade(price: string, qty: string): ConsensusTradeMessage {
    const t: ConsensusTradeMessage = {
      v: 1,
      symbol: this.symbol,
      id: `t${++this.tradeId}`,
      price,
      qty,
      side: 'buy',
      ts: Date.now(),
      recv_ts: Date.now(),
      venues: ['binance-usdm'],
      sources: [{ venue: 'binance-usdm', id: String(this.tradeId), qty }],
    };
    this.nc.publish(subjects.consensusTrade(this.symbol), encode(t));
    return t;
  }

  publishAlert(kind: AlertMessage['kind'], venue: string): AlertMessage {
    const a: AlertMessage = { v: 1, symbol: this.symbol, kind, venue, priority: 'P1', detail: {}, ts: Date.now() };
    this.nc.publish(subjects.consensusAlert(this.symbol), encode(a));
    return a;
  }

  /** The published book's best `depth` levels: [price, total, per-venue], best first. */
  top(depth: number): { bids: ConsensusLevel[]; asks: ConsensusLevel[] } {
    return { bids: this.sorted('bids').slice(0, depth), asks: this.sorted('asks').slice(0, depth) };
  }

  private sorted(side: 'bids' | 'asks'): ConsensusLevel[] {
    const ls = [...this[side].entries()].map(([p, v]) => [p, total(v), v] as ConsensusLevel);
    return ls.sort((a, b) => (side === 'bids' ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0])));
  }

  private message(kind: 'snapshot' | 'delta'): ConsensusBookMessage {
    const now = Date.now();
    const levels = (side: 'bids' | 'asks'): ConsensusLevel[] =>
      kind === 'snapshot' ? this.sorted(side) : [...this.changed[side]].map((p) => { const v = this[side].get(p); return v ? [p, total(v), v] : [p, '0', {}]; });
    const m: ConsensusBookMessage = {
      v: 1,
      kind,
      symbol: this.symbol,
      epoch: this.epoch,
      seq: this.seq,
      prev_seq: this.seq - 1,
      depth: this.depth,
      ts: now,
      recv_ts: now,
      merge_ts: now,
      bids: levels('bids'),
      asks: levels('asks'),
    };
    if (kind === 'snapshot') m.venues = { ...this.venues };
    else if (this.changedVenues) m.venues = this.changedVenues;
    return m;
  }

  private publish(m: ConsensusBookMessage): ConsensusBookMessage {
    this.changed = { bids: new Set(), asks: new Set() };
    this.changedVenues = undefined;
    this.publishedAt.set(m.seq, m.merge_ts);
    this.nc.publish(subjects.consensusBook(this.symbol), encode(m));
    return m;
  }

  private randomSplit(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const v of TEST_VENUES) if (this.rng.chance(0.6)) out[v] = decString(new Decimal(this.rng.int(1, 250_000)).div(100_000));
    if (Object.keys(out).length === 0) out[TEST_VENUES[0]] = '0.5';
    return out;
  }
}

function total(perVenue: Record<string, string>): string {
  return decString(Object.values(perVenue).reduce((s, q) => s.plus(q), new Decimal(0)));
}
