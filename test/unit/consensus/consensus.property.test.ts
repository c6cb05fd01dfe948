/**
 * Property: over random interleavings of venue snapshots, deltas, lost deltas (gaps), silences,
 * disconnects and price shifts, the incrementally maintained consensus — as a consumer rebuilds it
 * from the published snapshot + deltas — always equals a from-scratch recomputation done with
 * decimal.js from the raw venue books, and alerts fire exactly at the threshold crossings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, decString, type ConsensusBookMessage, type ConsensusLevel, type Level } from '../../../libs/core/index.js';
import { ConsensusBook, DEFAULT_RULES, type ConsensusGroup, type ConsensusRules } from '../../../libs/consensus/index.js';

const VENUES = ['v-a', 'v-b', 'v-c'] as const;
/** each venue prints prices at its own scale (and the tick has more digits than one of them) */
const PRICE_SCALE = [2, 1, 3];
const TICK = '0.25';
const DEPTH = 6;
const STALE_MS = 5000;
const GROUP: ConsensusGroup = { symbol: 'X-USD', tick: TICK, depth: DEPTH, members: VENUES.map((venue) => ({ venue, symbol: 'X-USDT' })) };
const RULES: ConsensusRules = { ...DEFAULT_RULES, staleAfterMs: STALE_MS, divergenceMinMs: 0, divergenceBps: '30', convergenceBps: '25' };

type Event =
  | { t: 'snapshot'; v: number; dt: number }
  | { t: 'delta'; v: number; dt: number; changes: { bid: boolean; milli: number; size: string }[] }
  | { t: 'lost'; v: number; dt: number; changes: { bid: boolean; milli: number; size: string }[] }
  | { t: 'shift'; v: number; dt: number; tenths: number }
  | { t: 'silence'; dt: number }
  | { t: 'down'; v: number; dt: number }
  | { t: 'up'; v: number; dt: number };

const size = fc.oneof(
  fc.constant('0'),
  fc.integer({ min: 1, max: 5000 }).map((n) => decString(new Decimal(n).div(1000))),
  fc.integer({ min: 1, max: 50 }).map((n) => `${n}.500`), // non-canonical spelling
);
// distance from the venue's own centre in thousandths: bids below, asks above
const change = fc.record({ bid: fc.boolean(), milli: fc.integer({ min: 1, max: 1500 }), size });
const dt = fc.integer({ min: 0, max: 3000 });
const venue = fc.integer({ min: 0, max: VENUES.length - 1 });
const event: fc.Arbitrary<Event> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('snapshot' as const), v: venue, dt }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('delta' as const), v: venue, dt, changes: fc.array(change, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('lost' as const), v: venue, dt, changes: fc.array(change, { minLength: 1, maxLength: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('shift' as const), v: venue, dt, tenths: fc.integer({ min: -8, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('silence' as const), dt: fc.integer({ min: 1000, max: 7000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('down' as const), v: venue, dt }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('up' as const), v: venue, dt }) },
);

type Side = Map<string, string>;

/** The collector's truth for one venue, keyed by the price string the venue prints. */
class TruthBook {
  seq = 0;
  centre = new Decimal(100);
  bids: Side = new Map();
  asks: Side = new Map();
  constructor(readonly scale: number) {}
  price(milli: number, bid: boolean): string {
    const d = new Decimal(milli).div(1000);
    return this.centre.plus(bid ? d.neg() : d).toDecimalPlaces(this.scale, Decimal.ROUND_DOWN).toFixed(this.scale);
  }
}

/** Apply levels to a price-keyed side the way a book does: size 0 (any spelling) deletes. */
function applyLevels(side: Side, levels: Level[]): void {
  for (const [p, q] of levels) {
    if (new Decimal(q).isZero()) side.delete(p);
    else side.set(p, q);
  }
}

/** What the merger should hold per venue, maintained only from the messages it was given. */
interface Oracle {
  seen: { bids: Side; asks: Side; seq: number }[];
  synced: boolean[];
  gapped: boolean[];
  down: boolean[];
  lastAct: number[];
  stale: boolean[];
  divergent: boolean[];
}

const valid = (o: Oracle, v: number) => o.synced[v]! && !o.gapped[v]!;
const member = (o: Oracle, v: number) => valid(o, v) && !o.stale[v] && !o.down[v];

function oracleLevels(o: Oracle, bid: boolean): ConsensusLevel[] {
  const tick = new Decimal(TICK);
  const buckets = new Map<string, { price: Decimal; total: Decimal; per: Map<string, Decimal> }>();
  VENUES.forEach((name, v) => {
    if (!valid(o, v)) return;
    for (const [p, s] of o.seen[v]![bid ? 'bids' : 'asks']) {
      const d = new Decimal(p).div(tick);
      const bp = (bid ? d.floor() : d.ceil()).times(tick);
      const key = bp.toString();
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { price: bp, total: new Decimal(0), per: new Map() }));
      b.per.set(name, (b.per.get(name) ?? new Decimal(0)).plus(s));
      if (member(o, v)) b.total = b.total.plus(s);
    }
  });
  return [...buckets.values()]
    .filter((b) => !b.total.isZero())
    .sort((a, b) => (bid ? b.price.cmp(a.price) : a.price.cmp(b.price)))
    .slice(0, DEPTH)
    .map((b) => [decString(b.price), decString(b.total), Object.fromEntries([...b.per].map(([k, q]) => [k, decString(q)]))]);
}

function oracleMid(o: Oracle, v: number): Decimal | null {
  const seen = o.seen[v]!;
  if (!member(o, v) || seen.bids.size === 0 || seen.asks.size === 0) return null;
  const bb = Decimal.max(...[...seen.bids.keys()].map((p) => new Decimal(p)));
  const ba = Decimal.min(...[...seen.asks.keys()].map((p) => new Decimal(p)));
  return bb.plus(ba).div(2);
}

/** A consumer of the published stream: snapshot replaces, delta sets levels, total "0" removes. */
class Consumer {
  seq = 0;
  bids = new Map<string, ConsensusLevel>();
  asks = new Map<string, ConsensusLevel>();
  apply(m: ConsensusBookMessage): void {
    if (m.kind === 'snapshot') {
      this.bids = new Map(m.bids.map((l) => [l[0], l]));
      this.asks = new Map(m.asks.map((l) => [l[0], l]));
    } else {
      expect(m.prev_seq).toBe(this.seq);
      for (const [side, levels] of [[this.bids, m.bids], [this.asks, m.asks]] as const) {
        for (const l of levels) {
          if (l[1] === '0') side.delete(l[0]);
          else side.set(l[0], l);
        }
      }
    }
    this.seq = m.seq;
  }
  levels(bid: boolean): ConsensusLevel[] {
    return [...(bid ? this.bids : this.asks).values()].sort((a, b) => (bid ? -1 : 1) * new Decimal(a[0]).cmp(b[0]));
  }
}

function run(events: Event[]): void {
  let now = 1_000_000;
  const book = new ConsensusBook(GROUP, RULES, 1, now);
  const truth = PRICE_SCALE.map((s) => new TruthBook(s));
  const o: Oracle = {
    seen: VENUES.map(() => ({ bids: new Map(), asks: new Map(), seq: 0 })),
    synced: VENUES.map(() => false),
    gapped: VENUES.map(() => false),
    down: VENUES.map(() => false),
    lastAct: VENUES.map(() => now),
    stale: VENUES.map(() => false),
    divergent: VENUES.map(() => false),
  };
  const consumer = new Consumer();
  const expected: string[] = [];

  /** Deliver a message to the merger and mirror what it must do with it. */
  const deliver = (v: number, kind: 'snapshot' | 'delta', bids: Level[], asks: Level[]) => {
    const t = truth[v]!;
    book.applyBook({ v: 1, kind, venue: VENUES[v]!, symbol: 'X-USDT', seq: t.seq, prev_seq: kind === 'snapshot' ? 0 : t.seq - 1, ts: now, recv_ts: now, bids, asks }, now);
    o.lastAct[v] = now;
    const seen = o.seen[v]!;
    if (kind === 'snapshot') {
      seen.bids = new Map();
      seen.asks = new Map();
      applyLevels(seen.bids, bids);
      applyLevels(seen.asks, asks);
      seen.seq = t.seq;
      o.synced[v] = true;
      o.gapped[v] = false;
    } else if (valid(o, v)) {
      if (t.seq - 1 === seen.seq) {
        applyLevels(seen.bids, bids);
        applyLevels(seen.asks, asks);
        seen.seq = t.seq;
      } else {
        o.gapped[v] = true;
        expected.push(`RESYNC:${VENUES[v]}`);
      }
    } // else: buffered until a snapshot, which is always newer here
  };
  const mutate = (v: number, changes: { bid: boolean; milli: number; size: string }[]) => {
    const t = truth[v]!;
    const bids: Level[] = [];
    const asks: Level[] = [];
    for (const c of changes) (c.bid ? bids : asks).push([t.price(c.milli, c.bid), c.size]);
    applyLevels(t.bids, bids);
    applyLevels(t.asks, asks);
    t.seq++;
    return { bids, asks };
  };

  for (const e of events) {
    now += e.dt;
    expected.length = 0;
    if (e.t === 'snapshot') {
      const t = truth[e.v]!;
      t.seq++;
      deliver(e.v, 'snapshot', [...t.bids], [...t.asks]);
    } else if (e.t === 'delta') {
      const { bids, asks } = mutate(e.v, e.changes);
      deliver(e.v, 'delta', bids, asks);
    } else if (e.t === 'lost') {
      mutate(e.v, e.changes); // the collector moved on; the merger never hears of it
    } else if (e.t === 'shift') {
      // every level moves by the same amount: one delta, deletes first, then the new levels
      const t = truth[e.v]!;
      const shift = new Decimal(e.tenths).div(10);
      const move = (side: Side): [Level[], Side] => {
        const next: Side = new Map();
        for (const [p, q] of side) next.set(new Decimal(p).plus(shift).toFixed(t.scale), q);
        return [[...[...side.keys()].map((p): Level => [p, '0']), ...next], next];
      };
      const [bids, nb] = move(t.bids);
      const [asks, na] = move(t.asks);
      t.bids = nb;
      t.asks = na;
      t.centre = t.centre.plus(shift);
      t.seq++;
      deliver(e.v, 'delta', bids, asks);
    } else if (e.t === 'down' || e.t === 'up') {
      book.applyStatus({ v: 1, venue: VENUES[e.v]!, state: e.t === 'down' ? 'down' : 'live', symbols: {}, ts: now }, now);
      o.down[e.v] = e.t === 'down';
    }
    book.tick(now);
    const out = book.flush(now);
    if (out) consumer.apply(out);

    VENUES.forEach((name, v) => {
      const stale = o.down[v]! || now - o.lastAct[v]! > STALE_MS;
      if (stale !== o.stale[v]) expected.push(`${stale ? 'STALE' : 'RECOVERED'}:${name}`);
      o.stale[v] = stale;
    });
    // divergence: median of member mids; raise strictly above 30 bps, clear strictly below 25
    const mids = VENUES.map((_, v) => oracleMid(o, v));
    const present = mids.filter((m): m is Decimal => m !== null).sort((a, b) => a.cmp(b));
    const n = present.length;
    if (n > 0) {
      const median = n % 2 ? present[(n - 1) / 2]! : present[n / 2 - 1]!.plus(present[n / 2]!).div(2);
      mids.forEach((m, v) => {
        if (m === null) return;
        const bps = m.minus(median).abs().div(median).times(10000);
        if (!o.divergent[v] && bps.gt(30)) {
          o.divergent[v] = true;
          expected.push(`DIVERGENCE:${VENUES[v]}`);
        } else if (o.divergent[v] && bps.lt(25)) {
          o.divergent[v] = false;
          expected.push(`CONVERGED:${VENUES[v]}`);
        }
      });
    }

    expect(book.drainAlerts().map((a) => `${a.kind}:${a.venue}`).sort()).toEqual([...expected].sort());
    for (const bid of [true, false]) {
      const want = oracleLevels(o, bid);
      expect(consumer.levels(bid)).toEqual(want);
      expect(book.snapshot(now)[bid ? 'bids' : 'asks']).toEqual(want);
    }
    const views = book.views(now);
    VENUES.forEach((name, v) => {
      expect(views[name]).toMatchObject({ stale: o.stale[v], member: member(o, v), divergent: o.divergent[v] });
    });
  }
}

describe('consensus book property', () => {
  it('incremental consensus equals a decimal.js recomputation; alerts fire exactly at crossings', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 60 }), (events) => run(events)),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
