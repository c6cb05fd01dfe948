import { describe, expect, it } from 'vitest';
import { createBybitLinearAdapter } from '../../../libs/venues/bybit-linear/adapter.js';
import type { BybitBookSync } from '../../../libs/venues/bybit-linear/sync.js';
import { createReplayEngine, replayResult } from '../../../libs/venues/replay.js';
import type { EngineOutput, VenueEngine } from '../../../libs/venues/engine.js';
import { fixtureLines } from '../../helpers/fixtures.js';
import { fuzzParser, Rng } from '../../helpers/fuzz-frames.js';

const adapter = createBybitLinearAdapter({ depth: 500 });
const OB500 = fixtureLines('bybit', 'xrpusdt-linear-orderbook500-20241201.ndjson');
/** the same real frames as a second symbol, to prove a failure stays with its own book */
const OTHER = OB500.map((raw) => raw.replaceAll('XRPUSDT', 'XRPUSDC'));

type Frame = { topic: string; type: string; cts: number; data: { s: string; u: number; b: [string, string][]; a: [string, string][] } };
const edit = (raw: string, f: (x: Frame) => void): string => {
  const x = JSON.parse(raw) as Frame;
  f(x);
  return JSON.stringify(x);
};

function feed(engine: VenueEngine, frames: string[]): EngineOutput[] {
  return frames.flatMap((raw, i) => engine.onFrame(raw, 1733011200000 + i));
}
const engine = () => createReplayEngine(adapter as never, { depth: 500 });
const syncOf = (e: VenueEngine, s = 'XRPUSDT') => e.books.get(s)!.sync as unknown as BybitBookSync;

/**
 * The original frame as a drift-tolerant parser reads a mutation that removed an optional field:
 * without `cts` the event time is the push time `ts`; without `seq` the cross sequence is unknown.
 */
function tolerated(original: unknown, mutated: string): unknown {
  const m = JSON.parse(mutated) as { ts?: unknown; cts?: unknown; data?: { seq?: unknown } };
  const o = structuredClone(original) as { kind: string; frame?: { ts: unknown; seq?: unknown } };
  if (o.frame && m.cts === undefined) o.frame.ts = m.ts;
  if (o.frame && m.data?.seq === undefined) delete o.frame.seq;
  return o;
}

describe('bybit-linear orderbook.N rules on the real XRPUSDT frames', () => {
  it('deltas before the first snapshot are dropped; the snapshot starts the book', () => {
    const e = engine();
    expect(feed(e, OB500.slice(1, 4))).toEqual([]);
    expect(e.books.get('XRPUSDT')!.state).toBe('syncing');
    expect(feed(e, [OB500[0]!]).some((o) => o.type === 'book' && o.msg.kind === 'snapshot')).toBe(true);
    expect(syncOf(e).lastUpdateId).toBe(20254869);
    // after the snapshot the same deltas apply in order
    feed(e, OB500.slice(1));
    expect(e.stats).toMatchObject({ resyncs: 0, rejected: 0 });
    expect(syncOf(e).lastUpdateId).toBe(20254918);
  });

  it('u == 1 is the venue restarting: the message replaces the book even when typed delta', () => {
    const e = engine();
    feed(e, OB500.slice(0, 10));
    const restart = edit(OB500[10]!, (x) => (x.data.u = 1));
    const outs = feed(e, [restart]);
    expect(outs.find((o) => o.type === 'book')).toMatchObject({ msg: { kind: 'snapshot' } });
    const f = JSON.parse(OB500[10]!) as Frame;
    const live = (l: [string, string]) => !/^0(\.0*)?$/.test(l[1]);
    expect(syncOf(e).book.bids.length).toBe(f.data.b.filter(live).length);
    expect(syncOf(e).book.asks.length).toBe(f.data.a.filter(live).length);
    expect(feed(e, [edit(OB500[11]!, (x) => (x.data.u = 2))]).some((o) => o.type === 'book')).toBe(true);
    expect(e.stats.resyncs).toBe(0);
  });

  it('a u that goes backwards without a snapshot resubscribes that symbol only; the next snapshot restores it exactly', () => {
    const clean = engine();
    feed(clean, [...OB500, ...OTHER]);
    const e = engine();
    feed(e, [...OB500.slice(0, 20), ...OTHER.slice(0, 20)]);
    const outs = feed(e, [OB500[12]!]);
    expect(outs).toEqual([
      expect.objectContaining({ type: 'problem', code: 'SEQUENCE_GAP', venueSymbol: 'XRPUSDT' }),
      { type: 'state', venueSymbol: 'XRPUSDT', state: 'resyncing' },
      { type: 'resubscribe', venueSymbol: 'XRPUSDT' },
    ]);
    expect(e.books.get('XRPUSDC')!.state).toBe('live');
    feed(e, OTHER.slice(20));
    expect(feed(e, OB500.slice(20, 25))).toEqual([]); // deltas wait for the snapshot the resubscription brings
    // the resubscription's snapshot: the truth at that u, as Bybit would send it
    const truth = syncOf(clean);
    const c2 = engine();
    feed(c2, OB500.slice(0, 25));
    const snap = edit(OB500[24]!, (x) => {
      x.type = 'snapshot';
      x.data.b = syncOf(c2).book.levels(true, 500);
      x.data.a = syncOf(c2).book.levels(false, 500);
    });
    feed(e, [snap, ...OB500.slice(25)]);
    expect(syncOf(e).lastUpdateId).toBe(truth.lastUpdateId);
    expect(replayResult(e, 500).books).toEqual(replayResult(clean, 500).books);
    expect(e.stats.resyncs).toBe(1);
  });

  it('a u that skips ids is counted, not resynced (Bybit documents no +1 rule)', () => {
    const e = engine();
    feed(e, OB500.filter((_, i) => i !== 7));
    expect(e.stats.resyncs).toBe(0);
    expect(syncOf(e).uJumps).toBe(1);
  });

  it('each side is cut to the subscribed depth after every delta', () => {
    const e = engine();
    feed(e, [OB500[0]!]);
    const worstBid = syncOf(e).book.levels(true, 500)[499]!;
    const bestAsk = syncOf(e).book.levels(false, 1)[0]!;
    expect(bestAsk[0]).toBe('1.9532');
    const better = edit(OB500[1]!, (x) => {
      x.data.b = [['1.95315', '10']];
      x.data.a = [];
    });
    feed(e, [better]);
    const bids = syncOf(e).book.levels(true, 1000);
    expect(bids).toHaveLength(500);
    expect(bids[0]).toEqual(['1.95315', '10']);
    expect(bids).not.toContainEqual(worstBid);
  });

  it('a value the book cannot hold exactly resubscribes that symbol only and never escapes the engine', () => {
    const e = engine();
    feed(e, [OB500[0]!, OTHER[0]!]);
    const huge = edit(OB500[1]!, (x) => (x.data.b = [['1.9531', '99999999999.123456789']]));
    const outs = feed(e, [huge]);
    expect(outs).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'problem', code: 'PRECISION_EXCEEDED', venueSymbol: 'XRPUSDT' }), { type: 'resubscribe', venueSymbol: 'XRPUSDT' }]));
    expect(e.books.get('XRPUSDT')!.state).toBe('resyncing');
    expect(e.books.get('XRPUSDC')!.state).toBe('live');
  });

  it('fuzz: 400 type-breaking mutations are rejected with BAD_FRAME or read as the original; interleaved, they leave the book exact', () => {
    const rng = new Rng(1733011200);
    const clean = engine();
    feed(clean, OB500);
    const { rejected, rejectedByFrame: mutated } = fuzzParser(OB500, 400, rng, (raw) => adapter.parse(raw, 0), tolerated);
    expect(rejected).toBeGreaterThan(350);
    const e = engine();
    feed(
      e,
      OB500.flatMap((raw, i) => [...(mutated.get(i) ?? []), raw]),
    );
    expect(e.stats).toMatchObject({ rejected, resyncs: 0, crossed: 0, snapshots: 1, deltas: 49 });
    expect(replayResult(e, 500).books).toEqual(replayResult(clean, 500).books);
  });
});
