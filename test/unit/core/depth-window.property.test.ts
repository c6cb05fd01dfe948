import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DepthWindow, SideBook } from '../../../libs/core/index.js';

/** What a consumer holds: the published levels, applied as absolute sizes (0 removes). */
function applyTo(view: Map<number, number>, levels: Array<[number, number]>): void {
  for (const [p, q] of levels) {
    if (q === 0) view.delete(p);
    else view.set(p, q);
  }
}

function topOf(side: SideBook, depth: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  side.forEachTop(depth, (p, q) => out.push([p, q]));
  return out;
}

const sorted = (view: Map<number, number>, isBid: boolean): Array<[number, number]> => [...view].sort((a, b) => (isBid ? b[0] - a[0] : a[0] - b[0]));

/** Prices near a touch (entries, exits and changes inside a small window), some far away. */
const price = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1000, max: 1030 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }) });
const size = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 7, arbitrary: fc.integer({ min: 1, max: 1000 }) });
const frame = fc.array(fc.tuple(price, size), { minLength: 0, maxLength: 8 });

describe('DepthWindow', () => {
  it('sends exactly what a consumer needs to hold the top N after every frame', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 12 }), fc.array(frame, { minLength: 1, maxLength: 40 }), (isBid, depth, frames) => {
        const side = new SideBook(isBid);
        const win = new DepthWindow();
        win.reset(side, depth);
        const view = new Map<number, number>();
        for (const f of frames) {
          for (const [p, q] of f) side.set(p, q);
          const sent: Array<[number, number]> = [];
          const n = win.diff(side, depth, (p, q) => sent.push([p, q]));
          expect(n).toBe(sent.length);
          // each price at most once per diff, and nothing sent that did not change
          expect(new Set(sent.map(([p]) => p)).size).toBe(sent.length);
          for (const [p, q] of sent) expect(view.get(p) ?? 0).not.toBe(q);
          applyTo(view, sent);
          expect(sorted(view, isBid)).toEqual(topOf(side, depth));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lists the levels still in the window best first, then the ones that left', () => {
    const side = new SideBook(true);
    for (const p of [105, 104, 103, 102, 101]) side.set(p, 1);
    const win = new DepthWindow();
    win.reset(side, 3);
    side.set(105, 0); // leaves, so 102 enters
    side.set(104, 2); // changes in place
    const sent: Array<[number, number]> = [];
    win.diff(side, 3, (p, q) => sent.push([p, q]));
    expect(sent).toEqual([
      [104, 2],
      [102, 1],
      [105, 0],
    ]);
    side.set(106, 5); // enters at the top and pushes 102 out
    sent.length = 0;
    win.diff(side, 3, (p, q) => sent.push([p, q]));
    expect(sent).toEqual([
      [106, 5],
      [102, 0],
    ]);
  });

  it('keeps diffing after a rescale instead of resending the window', () => {
    const side = new SideBook(false);
    for (const p of [10, 11, 12]) side.set(p, 3);
    const win = new DepthWindow();
    win.reset(side, 3);
    side.rescale(10, 100);
    win.rescale(10, 100);
    side.set(110, 301);
    const sent: Array<[number, number]> = [];
    win.diff(side, 3, (p, q) => sent.push([p, q]));
    expect(sent).toEqual([[110, 301]]);
  });
});
