import { describe, expect, it } from 'vitest';
import { runBookBench } from '../../bench/book.js';
import { generateL2Stream, ladderRangeTicks, DEFAULT_STREAM } from '../../bench/lib/l2-stream.js';
import { L2Book } from '../../libs/core/index.js';

describe('seeded L2 delta stream', () => {
  const stream = generateL2Stream({ deltas: 60_000 });

  it('is the same stream for the same seed and a different one for another seed', () => {
    const again = generateL2Stream({ deltas: 60_000 });
    expect(again.frames).toEqual(stream.frames);
    expect(generateL2Stream({ deltas: 60_000, seed: 7 }).frames).not.toEqual(stream.frames);
  });

  it('has the requested shape: deltas, ~30 % deletes, ~90 % near the mid, ~1000 levels a side', () => {
    const s = stream.stats;
    expect(stream.frames.reduce((n, f) => n + f.bids.length + f.asks.length, 0)).toBe(60_000);
    expect(s.deltas).toBe(60_000);
    expect(s.deletes / s.deltas).toBeGreaterThan(0.28);
    expect(s.deletes / s.deltas).toBeLessThan(0.33);
    expect(s.near / s.deltas).toBeGreaterThan(0.88);
    expect(s.near / s.deltas).toBeLessThan(0.93);
    expect(s.midMovedTicks).toBeGreaterThan(500);
    for (const n of [stream.snapshot.bids.length, stream.snapshot.asks.length, s.finalBidLevels, s.finalAskLevels]) {
      expect(n).toBeGreaterThan(850);
      expect(n).toBeLessThan(1150);
    }
    expect(ladderRangeTicks(DEFAULT_STREAM)).toBeGreaterThan(DEFAULT_STREAM.levelsPerSide);
  });

  it('replays into a book that is never crossed, where every delete removes a resting level', () => {
    const book = new L2Book();
    for (const [p, q] of stream.snapshot.bids) book.setLevel(true, p, q);
    for (const [p, q] of stream.snapshot.asks) book.setLevel(false, p, q);
    let missedDeletes = 0;
    for (const f of stream.frames) {
      for (const [isBid, levels] of [[true, f.bids], [false, f.asks]] as const) {
        for (const [p, q] of levels) {
          const prev = book.setLevel(isBid, p, q);
          if (q === '0.000' && prev === 0) missedDeletes++;
        }
      }
      expect(book.isCrossed()).toBe(false);
    }
    expect(missedDeletes).toBe(0);
    expect(book.bids.length).toBe(stream.stats.finalBidLevels);
    expect(book.asks.length).toBe(stream.stats.finalAskLevels);
  });
});

describe('book suite', () => {
  it('races the three books on one stream and finds them agreeing on the final top 50', async () => {
    const report = await runBookBench({ stream: { deltas: 30_000 }, rounds: 2, readReps: 200 });
    const r = report.result;
    expect(r.agreement.mismatches).toEqual([]);
    expect(r.agreement.agree).toBe(true);
    expect(r.agreement.levels_compared).toBe(2 * 2 * 50);
    for (const name of ['bookfuse', 'tardis', 'ccxt'] as const) {
      expect(r.figures[name].deltas_per_s_rounds).toHaveLength(2);
      expect(r.figures[name].deltas_per_s).toBeGreaterThan(0);
      expect(r.figures[name].top50_read_us).toBeGreaterThan(0);
    }
    expect(report.json['ratio_vs_tardis']).toBeCloseTo(r.figures.bookfuse.deltas_per_s / r.figures.tardis.deltas_per_s, 9);
    expect(report.markdown).toContain(`${r.stream.deltas.toLocaleString('en-US')} L2 deltas`);
  });
});
