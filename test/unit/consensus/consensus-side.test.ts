import { describe, expect, it } from 'vitest';
import { ConsensusSide } from '../../../libs/consensus/index.js';

/** Flush a side and return what it emitted, as [bucket, total] pairs in emission order. */
function flushed(side: ConsensusSide): [number, number][] {
  const out: [number, number][] = [];
  side.flush((k, total) => out.push([k, total]));
  return out;
}

describe('consensus side', () => {
  it('keeps a bucket that emptied and refilled, and publishes its removal and return', () => {
    const side = new ConsensusSide(true, 2, 3);
    side.change(0, 100, 5, true);
    side.change(1, 99, 2, true);
    expect(flushed(side)).toEqual([[100, 5], [99, 2]]);
    side.change(0, 100, -5, true);
    expect(flushed(side)).toEqual([[100, 0]]);
    side.change(1, 100, 7, true);
    expect(flushed(side)).toEqual([[100, 7]]);
    expect(side.buckets.get(100)!.sizes[0]).toBe(0);
    expect(side.buckets.get(100)!.sizes[1]).toBe(7);
  });

  it('re-sends a level whose per-venue size changed even when its total did not', () => {
    const side = new ConsensusSide(false, 2, 3);
    side.change(0, 10, 4, true);
    side.change(1, 10, 3, false); // not a member: shown beside the total, not in it
    flushed(side);
    side.change(1, 10, 1, false);
    expect(flushed(side)).toEqual([[10, 4]]);
    expect(side.changed).toBe(false);
  });

  it('sweeps empty buckets once they pile up, and the book stays exact', () => {
    const side = new ConsensusSide(true, 1, 2);
    // a price walk leaves thousands of buckets behind
    for (let k = 0; k < 10_000; k++) {
      side.change(0, k, 1, true);
      side.change(0, k, -1, true);
    }
    side.change(0, 7, 3, true);
    side.change(0, 5, 2, true);
    side.change(0, 9, 4, true);
    side.change(0, 9, -4, true);
    expect(flushed(side)).toEqual([[7, 3], [5, 2]]);
    expect(side.buckets.size).toBeLessThan(100);
    side.change(0, 8, 1, true);
    expect(flushed(side)).toEqual([[8, 1], [5, 0]]); // 8 entered the top 2, 5 left it
    expect([...side.buckets.keys()].sort((a, b) => a - b)).toEqual([5, 7, 8]);
  });

  it('forgets formatted sizes when the sizes are rescaled', () => {
    const side = new ConsensusSide(true, 1, 2);
    side.change(0, 1, 15, true);
    const b = side.buckets.get(1)!;
    b.texts[0] = '1.5';
    side.rescale(10);
    expect(b.sizes[0]).toBe(150);
    expect(b.texts[0]).toBe('');
  });
});
