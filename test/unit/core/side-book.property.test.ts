import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, L2Book, SideBook, decString, type Level } from '../../../libs/core/index.js';

/** The obvious book: a Map, sorted on every read. SideBook must behave exactly like it. */
class OracleSide {
  readonly levels = new Map<number, number>();
  constructor(readonly isBid: boolean) {}
  set(p: number, q: number): number {
    const prev = this.levels.get(p) ?? 0;
    if (q === 0) this.levels.delete(p);
    else this.levels.set(p, q);
    return prev;
  }
  sorted(): Array<[number, number]> {
    return [...this.levels].sort((a, b) => (this.isBid ? b[0] - a[0] : a[0] - b[0]));
  }
}

type Op =
  | { op: 'set'; price: number; size: number }
  | { op: 'truncate'; depth: number }
  | { op: 'rescale'; pf: number; sf: number }
  | { op: 'clear' }
  /** reads between writes: ranks read in order reuse a cursor that any insert or delete must reset */
  | { op: 'read'; k: number; price: number };

/**
 * Prices cluster near a "touch" (collisions, short moves), spread wider than the tick ladder (its
 * sorted overflow), or sit on a coarser grid first so the learned tick has to be refined.
 */
const price = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1000, max: 1040 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 400 }).map((k) => 20_000 + 25 * k) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1e10 }) },
);
const size = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 7, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 60, arbitrary: fc.record({ op: fc.constant('set' as const), price, size }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('truncate' as const), depth: fc.integer({ min: 0, max: 60 }) }) },
  { weight: 20, arbitrary: fc.record({ op: fc.constant('read' as const), k: fc.integer({ min: 0, max: 40 }), price }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rescale' as const), pf: fc.constantFrom(1, 10, 10_000), sf: fc.constantFrom(1, 10, 100) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

function check(book: SideBook, oracle: OracleSide, probe: number): void {
  const want = oracle.sorted();
  expect(book.length).toBe(want.length);
  const got: Array<[number, number]> = [];
  book.forEachTop(Infinity, (p, q, rank) => {
    expect(rank).toBe(got.length);
    got.push([p, q]);
  });
  expect(got).toEqual(want);
  expect(book.bestPrice()).toBe(want.length ? want[0]![0] : NaN);
  for (const k of [0, 1, 7, 16, 17, want.length - 1, want.length]) {
    if (k < 0) continue;
    expect(book.priceAt(k)).toBe(k < want.length ? want[k]![0] : NaN);
    expect(book.sizeAt(k)).toBe(k < want.length ? want[k]![1] : NaN);
  }
  expect(book.get(probe)).toBe(oracle.levels.get(probe) ?? 0);
  for (const depth of [1, 5, 50]) {
    const edge = want[depth - 1];
    const inside = !edge || (oracle.isBid ? probe >= edge[0] : probe <= edge[0]);
    expect(book.withinTop(probe, depth)).toBe(inside);
    const ps = new Float64Array(depth);
    const qs = new Float64Array(depth);
    const n = book.copyTop(depth, ps, qs);
    expect(n).toBe(Math.min(depth, want.length));
    for (let k = 0; k < n; k++) expect([ps[k], qs[k]]).toEqual(want[k]);
  }
}

describe('SideBook behaves like a sorted map', () => {
  for (const isBid of [true, false]) {
    it(`${isBid ? 'bids' : 'asks'}: random sets, deletes, truncations and rescales match a Map oracle`, () => {
      fc.assert(
        fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 64 }), (ops, probe, capacity) => {
          const book = new SideBook(isBid, capacity);
          const oracle = new OracleSide(isBid);
          for (const o of ops) {
            if (o.op === 'set') {
              expect(book.set(o.price, o.size)).toBe(oracle.set(o.price, o.size));
            } else if (o.op === 'read') {
              const want = oracle.sorted();
              expect(book.priceAt(o.k)).toBe(want[o.k]?.[0] ?? NaN);
              expect(book.sizeAt(o.k)).toBe(want[o.k]?.[1] ?? NaN);
              expect(book.get(o.price)).toBe(oracle.levels.get(o.price) ?? 0);
              const edge = want[o.k];
              expect(book.withinTop(o.price, o.k + 1)).toBe(!edge || (isBid ? o.price >= edge[0] : o.price <= edge[0]));
            } else if (o.op === 'truncate') {
              book.truncate(o.depth);
              for (const [p] of oracle.sorted().slice(o.depth)) oracle.levels.delete(p);
            } else if (o.op === 'rescale') {
              // scales grow only while every value stays exact (L2Book refuses beyond 2^53)
              const top = Math.max(0, ...[...oracle.levels].flat());
              if (top * o.pf * o.sf > 2 ** 52) continue;
              book.rescale(o.pf, o.sf);
              const old = oracle.sorted();
              oracle.levels.clear();
              for (const [p, q] of old) oracle.levels.set(p * o.pf, q * o.sf);
            } else {
              book.clear();
              oracle.levels.clear();
            }
          }
          check(book, oracle, probe);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('follows a touch that walks far in both directions, checked along the way', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 60 }), size, fc.integer({ min: -40, max: 40 })), { minLength: 300, maxLength: 3000 }),
        fc.constantFrom(1, 5, 100),
        (moves, tick) => {
          const bids = new SideBook(true);
          const asks = new SideBook(false);
          const ob = new OracleSide(true);
          const oa = new OracleSide(false);
          let mid = 100_000;
          moves.forEach(([isBid, drift, dist, q, read], i) => {
            mid += drift * 40; // about 3000 ticks of wander over a run: the ladder must move both ways
            const p = (isBid ? mid - dist : mid + dist) * tick;
            const [b, o] = isBid ? [bids, ob] : [asks, oa];
            expect(b.set(p, q)).toBe(o.set(p, q));
            if (read >= 0) {
              // ranks read between writes, mostly in rising order as a truncating caller reads them
              const want = o.sorted()[read];
              expect([b.priceAt(read), b.sizeAt(read)]).toEqual(want ?? [NaN, NaN]);
            }
            if (i % 97 === 0) check(b, o, p);
          });
          check(bids, ob, mid * tick);
          check(asks, oa, mid * tick);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps exact order for prices near 2^53, where no ladder fits, and learns again after clear', () => {
    const huge = fc.integer({ min: 0, max: 5000 }).map((k) => Number.MAX_SAFE_INTEGER - 10_000 + 2 * k);
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.tuple(fc.oneof(huge, price), size), { minLength: 1, maxLength: 300 }), (isBid, sets) => {
        const book = new SideBook(isBid);
        const oracle = new OracleSide(isBid);
        for (const [p, q] of sets) expect(book.set(p, q)).toBe(oracle.set(p, q));
        check(book, oracle, sets[0]![0]);
        book.clear();
        oracle.levels.clear();
        for (const [p, q] of sets) if (p < 1e6) expect(book.set(p, q)).toBe(oracle.set(p, q));
        check(book, oracle, 1020);
      }),
      { numRuns: 200 },
    );
  });

  it('checks every intermediate state on long runs near the touch (shifts short and long)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), price, size), { minLength: 200, maxLength: 1500 }), (sets) => {
        const bids = new SideBook(true, 8);
        const asks = new SideBook(false, 8);
        const ob = new OracleSide(true);
        const oa = new OracleSide(false);
        sets.forEach(([isBid, p, q], i) => {
          const [b, o] = isBid ? [bids, ob] : [asks, oa];
          expect(b.set(p, q)).toBe(o.set(p, q));
          if (i % 50 === 0) check(b, o, p);
        });
        check(bids, ob, 1020);
        check(asks, oa, 1020);
      }),
      { numRuns: 40 },
    );
  });
});

describe('L2Book fed with strings equals decimal.js', () => {
  const decimal = (maxFrac: number) =>
    fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 10 ** maxFrac - 1 }), fc.integer({ min: 0, max: maxFrac }), fc.integer({ min: 0, max: 2 })).map(
      ([i, f, digits, pad]) => (digits === 0 ? String(i) : `${i}.${String(f % 10 ** digits).padStart(digits, '0')}${'0'.repeat(pad)}`),
    );

  it('keeps every level exact while its scales grow, and reports canonical strings in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), decimal(6), fc.oneof(fc.constant('0'), fc.constant('0.000'), decimal(8))), { maxLength: 300 }), (sets) => {
        const book = new L2Book();
        const oracle = { bids: new Map<string, string>(), asks: new Map<string, string>() };
        for (const [isBid, p, q] of sets) {
          book.setLevel(isBid, p, q);
          const side = isBid ? oracle.bids : oracle.asks;
          const key = decString(new Decimal(p));
          if (new Decimal(q).isZero()) side.delete(key);
          else side.set(key, decString(new Decimal(q)));
        }
        const want = (m: Map<string, string>, isBid: boolean): Level[] =>
          [...m].sort((a, b) => (isBid ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0]))).map(([p, q]) => [p, q] as Level);
        expect(book.levels(true, Infinity)).toEqual(want(oracle.bids, true));
        expect(book.levels(false, Infinity)).toEqual(want(oracle.asks, false));
      }),
      { numRuns: 300 },
    );
  });
});
