import { describe, expect, it } from 'vitest';
import { createBybitLinearAdapter } from '../../../libs/venues/bybit-linear/adapter.js';
import type { BybitBookSync } from '../../../libs/venues/bybit-linear/sync.js';
import { createReplayEngine, feedLine, replayResult } from '../../../libs/venues/replay.js';
import { type BookMessage, Decimal } from '../../../libs/core/index.js';
import { fixtureLines } from '../../helpers/fixtures.js';

const OB500 = fixtureLines('bybit', 'xrpusdt-linear-orderbook500-20241201.ndjson');

/** The archive holds bare frames; replay them as the capture lines a recorder would have written. */
function replayOb500(depth: number) {
  const adapter = createBybitLinearAdapter({ depth });
  const engine = createReplayEngine(adapter as never, { depth });
  const published: BookMessage[] = [];
  const us: number[] = [];
  OB500.forEach((raw, i) => {
    for (const o of feedLine(engine, { t: 1733011200000 + i, src: 'ws', raw })) if (o.type === 'book') published.push(o.msg);
    const sync = engine.books.get('XRPUSDT')!.sync as unknown as BybitBookSync;
    us.push(sync.lastUpdateId);
    expect(sync.book.isCrossed()).toBe(false);
    expect(sync.book.bids.length).toBeLessThanOrEqual(500);
    expect(sync.book.asks.length).toBeLessThanOrEqual(500);
  });
  return { engine, published, us, sync: engine.books.get('XRPUSDT')!.sync as unknown as BybitBookSync, result: replayResult(engine, depth) };
}

/** decimal.js reference: the same frames applied to string-keyed maps, each side cut to 500. */
function referenceBook(): { bids: [string, string][]; asks: [string, string][] } {
  const bids = new Map<string, Decimal>();
  const asks = new Map<string, Decimal>();
  const cut = (m: Map<string, Decimal>, desc: boolean) => {
    const keep = [...m.keys()].sort((a, b) => (desc ? new Decimal(b).cmp(a) : new Decimal(a).cmp(b))).slice(0, 500);
    for (const k of [...m.keys()]) if (!keep.includes(k)) m.delete(k);
  };
  for (const raw of OB500) {
    const f = JSON.parse(raw) as { type: string; data: { b: [string, string][]; a: [string, string][] } };
    if (f.type === 'snapshot') [bids, asks].forEach((m) => m.clear());
    for (const [m, levels] of [[bids, f.data.b], [asks, f.data.a]] as const) {
      for (const [p, q] of levels) {
        const key = new Decimal(p).toFixed();
        if (new Decimal(q).isZero()) m.delete(key);
        else m.set(key, new Decimal(q));
      }
    }
    cut(bids, true);
    cut(asks, false);
  }
  const sorted = (m: Map<string, Decimal>, desc: boolean) =>
    [...m.entries()].sort((a, b) => (desc ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0]))).map(([p, q]) => [p, q.toFixed()] as [string, string]);
  return { bids: sorted(bids, true), asks: sorted(asks, false) };
}

describe('bybit-linear on the real XRPUSDT orderbook.500 archive', () => {
  it('snapshot then 49 deltas: u contiguous, never crossed, final top 1.9537 / 1.9538', () => {
    const { result, us, sync, published } = replayOb500(500);
    expect(result.stats).toMatchObject({ snapshots: 1, deltas: 49, gaps: 0, resyncs: 0, crossed: 0, rejected: 0 });
    expect(us[0]).toBe(20254869);
    for (let i = 1; i < us.length; i++) expect(us[i]).toBe(us[i - 1]! + 1);
    expect(sync.lastUpdateId).toBe(20254918);
    expect(sync.uJumps).toBe(0);
    expect(sync.exactDepth).toBe(500);
    const book = result.books['XRP-USDT']!;
    expect(book.bids[0]![0]).toBe('1.9537');
    expect(book.asks[0]![0]).toBe('1.9538');
    // the published chain is contiguous and starts with a snapshot
    expect(published[0]!.kind).toBe('snapshot');
    for (let i = 1; i < published.length; i++) expect(published[i]!.prev_seq).toBe(published[i - 1]!.seq);
    // cts is the event time
    expect(published[0]!.ts).toBe((JSON.parse(OB500[0]!) as { cts: number }).cts);
  });

  it('the scaled-integer book equals a decimal.js rebuild of the same frames, level for level and in total size', () => {
    const { sync } = replayOb500(500);
    const want = referenceBook();
    expect(sync.book.levels(true, 1000)).toEqual(want.bids);
    expect(sync.book.levels(false, 1000)).toEqual(want.asks);
    expect(want.bids).toHaveLength(500);
    const total = (levels: [string, string][]) => levels.reduce((s, [, q]) => s.plus(q), new Decimal(0)).toFixed();
    let bidSum = 0;
    sync.book.bids.forEachTop(Infinity, (_p, q) => (bidSum += q));
    expect(sync.book.formatSize(bidSum)).toBe(total(want.bids));
  });

  it('a collector configured for depth 200 follows the topic it is fed: the archive topic says 500', () => {
    const { result, sync } = replayOb500(200);
    expect(result.stats).toMatchObject({ snapshots: 1, deltas: 49, resyncs: 0, crossed: 0, rejected: 0 });
    expect(sync.exactDepth).toBe(500);
    expect(sync.book.bids.length).toBe(500);
  });
});
