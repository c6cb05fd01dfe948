import { describe, expect, it } from 'vitest';
import { createHyperliquidAdapter } from '../../../libs/venues/hyperliquid/adapter.js';
import { parseCaptureLine, Decimal, decString, type BookMessage, type Level, type TradeMessage } from '../../../libs/core/index.js';
import { createReplayEngine, feedLine } from '../../../libs/venues/replay.js';
import type { EngineOutput } from '../../../libs/venues/engine.js';
import { fixtureLines } from '../../helpers/fixtures.js';

const CAPTURE = 'btc-20250126-l2book-trades.capture.ndjson';
const SWEEP_TIME = 1737918865696;

interface RecordedTrade {
  px: string;
  sz: string;
  side: string;
  time: number;
  tid: number;
}

function replay() {
  const engine = createReplayEngine(createHyperliquidAdapter() as never, { depth: 20 });
  const lines = fixtureLines('hyperliquid', CAPTURE).map((l, i) => parseCaptureLine(l, i + 1)!);
  const steps: { raw: string; outs: EngineOutput[] }[] = [];
  for (const line of lines) steps.push({ raw: line.raw, outs: feedLine(engine, line) });
  return { engine, steps };
}

/** Published levels onto a side: size "0" removes. */
function apply(side: Map<string, string>, levels: Level[]): void {
  for (const [p, q] of levels) {
    if (q === '0') side.delete(p);
    else side.set(p, q);
  }
}

const books = (outs: EngineOutput[]): BookMessage[] => outs.flatMap((o) => (o.type === 'book' ? [o.msg] : []));
const trades = (outs: EngineOutput[]): TradeMessage[] => outs.flatMap((o) => (o.type === 'trade' ? [o.msg] : []));

describe('hyperliquid on the real 2025 capture (l2Book + trades, BTC)', () => {
  const { engine, steps } = replay();
  const all = steps.flatMap((s) => s.outs);
  const tradeFrames = steps.filter((s) => s.raw.includes('"channel":"trades"')).map((s) => (JSON.parse(s.raw) as { data: RecordedTrade[] }).data);

  it('turns 46 full pushes into one snapshot and deltas of a BTC-USDC book that is never crossed', () => {
    expect(engine.stats).toMatchObject({ snapshots: 1, deltas: 45, resyncs: 0, crossed: 0, rejected: 0, gaps: 0 });
    expect(all.filter((o) => o.type === 'problem')).toEqual([]);
    const entry = engine.books.get('BTC')!;
    expect(entry.state).toBe('live');
    expect(entry.sync.exactDepth).toBe(20);
    // replaying the published messages gives the sync's book, and no published state is crossed
    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    for (const m of books(all)) {
      expect(m.symbol).toBe('BTC-USDC');
      if (m.kind === 'snapshot') {
        bids.clear();
        asks.clear();
      }
      apply(bids, m.bids);
      apply(asks, m.asks);
      const bestBid = Math.max(...[...bids.keys()].map(Number));
      const bestAsk = Math.min(...[...asks.keys()].map(Number));
      expect(bestBid).toBeLessThan(bestAsk);
    }
    const sorted = (m: Map<string, string>, desc: boolean) => [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
    expect(sorted(bids, true)).toEqual(entry.sync.book.levels(true, 20));
    expect(sorted(asks, false)).toEqual(entry.sync.book.levels(false, 20));
  });

  it('drops the first trades push as history and publishes every later trade once', () => {
    const history = tradeFrames[0]!;
    expect(history).toHaveLength(30);
    // every one of them happened before the recording started
    const start = parseCaptureLine(fixtureLines('hyperliquid', CAPTURE)[0]!, 1)!.t;
    expect(history.every((t) => t.time < start)).toBe(true);
    const published = trades(all);
    expect(published).toHaveLength(64 - 30);
    const ids = published.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const h of history) expect(ids).not.toContain(String(h.tid));
    expect(engine.stats.trades).toBe(34);
  });

  it('maps B → buy and A → sell, id from tid, ts from time, sizes unchanged (BTC units)', () => {
    const recorded = tradeFrames.slice(1).flat();
    const published = trades(all);
    expect(published.map((t) => [t.venue, t.symbol, t.id, t.side, t.ts])).toEqual(recorded.map((t) => ['hyperliquid', 'BTC-USDC', String(t.tid), t.side === 'B' ? 'buy' : 'sell', t.time]));
    published.forEach((t, i) => {
      expect(new Decimal(t.price).equals(recorded[i]!.px)).toBe(true);
      expect(new Decimal(t.qty).equals(recorded[i]!.sz)).toBe(true);
    });
  });

  it(`reflects the recorded sweep at t=${SWEEP_TIME}: the next book's best bid is 105051 with the unswept rest`, () => {
    const k = steps.findIndex((s) => s.raw.includes(`"time":${SWEEP_TIME}`) && s.raw.includes('"channel":"trades"'));
    const sweep = trades(steps[k]!.outs);
    expect(sweep.every((t) => t.side === 'sell')).toBe(true);
    const taken = new Map<string, Decimal>();
    for (const t of sweep) {
      const p = decString(new Decimal(t.price));
      taken.set(p, (taken.get(p) ?? new Decimal(0)).add(t.qty));
    }
    // the book before the sweep, as published
    const before = new Map<string, string>();
    for (const m of books(steps.slice(0, k).flatMap((s) => s.outs))) {
      if (m.kind === 'snapshot') before.clear();
      apply(before, m.bids);
    }
    for (const p of ['105055', '105054', '105053']) expect(decString(taken.get(p)!)).toBe(before.get(p)); // whole levels taken
    const next = books(steps.slice(k + 1).find((s) => books(s.outs).length > 0)!.outs)[0]!;
    expect(next.kind).toBe('delta');
    const rest = decString(new Decimal(before.get('105051')!).sub(taken.get('105051')!));
    expect(rest).toBe('0.18647');
    expect(next.bids).toEqual(expect.arrayContaining([['105055', '0'], ['105054', '0'], ['105053', '0'], ['105051', rest]]));
  });
});
