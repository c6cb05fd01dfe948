/**
 * The fan-out's core promise, checked on random books: a client that applies a depth group's
 * SNAPSHOT and then its BOOK deltas holds exactly the top N of the merger's book after every
 * message, however levels enter and leave its window, including across a merger resync.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalBook } from '../../libs/client/index.js';
import { Decimal, decString, type ConsensusBookMessage, type ConsensusLevel } from '../../libs/core/index.js';
import { BookGroup } from '../../services/gateway/book-group.js';
import { SymbolFeed } from '../../services/gateway/symbol-feed.js';

type Change = { bid: boolean; tick: number; size: number };
const change = fc.record({ bid: fc.boolean(), tick: fc.integer({ min: 1, max: 40 }), size: fc.integer({ min: 0, max: 3000 }) });

function price(bid: boolean, tick: number): string {
  return decString(new Decimal('100').plus(new Decimal(tick).times('0.05').times(bid ? -1 : 1)));
}

function topOf(book: Map<string, string>, bid: boolean, n: number): [string, string][] {
  return [...book.entries()].sort((a, b) => (bid ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0]))).slice(0, n);
}

describe('BookGroup', () => {
  it('keeps every depth-limited client equal to the published top N', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (steps, depth, detail) => {
        const feed = new SymbolFeed('BTC-USD', 100);
        const bids = new Map<string, string>();
        const asks = new Map<string, string>();
        const lvl = (m: Map<string, string>): ConsensusLevel[] => [...m].map(([p, q]) => [p, q, { v: q }]);
        const msg = (kind: 'snapshot' | 'delta', seq: number, b: ConsensusLevel[], a: ConsensusLevel[]): ConsensusBookMessage => ({ v: 1, kind, symbol: 'BTC-USD', epoch: 1, seq, prev_seq: seq - 1, depth: 0, ts: seq, recv_ts: seq, merge_ts: seq, bids: b, asks: a });
        expect(feed.onPublished(msg('snapshot', 1, [], []), 0).changed).toBe(true);
        const group = new BookGroup('BTC-USD', depth, detail);
        group.reset(feed.held);
        feed.held.takeChanges();
        const client = new LocalBook('BTC-USD');
        client.applySnapshot(group.snapshotPayload(feed.held, 0));
        let seq = 1;
        for (const step of steps) {
          const b: ConsensusLevel[] = [];
          const a: ConsensusLevel[] = [];
          for (const c of step as Change[]) {
            const p = price(c.bid, c.tick);
            const q = decString(new Decimal(c.size).div(1000));
            (c.bid ? bids : asks)[c.size ? 'set' : 'delete'](p, q);
            (c.bid ? b : a).push([p, q, c.size ? { v: q } : {}]);
          }
          expect(feed.onPublished(msg('delta', ++seq, b, a), 0).changed).toBe(true);
          const u = group.update(feed.held, feed.held.takeChanges(), 0);
          if (u.kind === 'delta') expect(client.applyDelta(u.payload)).toBe('applied');
          if (u.kind === 'resnapshot') client.applySnapshot(group.snapshotPayload(feed.held, 0));
          expect(client.bids.map((l) => [l.price, l.total])).toEqual(topOf(bids, true, depth));
          expect(client.asks.map((l) => [l.price, l.total])).toEqual(topOf(asks, false, depth));
          if (detail) for (const l of client.bids) expect(l.venues).toEqual({ v: l.total });
        }
        // a merger resync (snapshot of the same epoch) continues the client's stream with a delta
        bids.clear();
        bids.set('99.5', '1');
        expect(feed.onPublished(msg('snapshot', ++seq, lvl(bids), lvl(asks)), 0).changed).toBe(true);
        const u = group.update(feed.held, feed.held.takeChanges(), 0);
        expect(u.kind).not.toBe('resnapshot');
        if (u.kind === 'delta') expect(client.applyDelta(u.payload)).toBe('applied');
        expect(client.bids.map((l) => [l.price, l.total])).toEqual(topOf(bids, true, depth));
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 300) },
    );
  });

  it('asks for a snapshot on a gap, buffers meanwhile, and applies what continues the reply', () => {
    const feed = new SymbolFeed('BTC-USD', 10);
    const m = (kind: 'snapshot' | 'delta', seq: number, bid: [string, string][], epoch = 1): ConsensusBookMessage => ({ v: 1, kind, symbol: 'BTC-USD', epoch, seq, prev_seq: seq - 1, depth: 0, ts: 0, recv_ts: 0, merge_ts: 0, bids: bid.map(([p, q]) => [p, q, {}]), asks: [] });
    expect(feed.retry('start')).toEqual({ changed: false, requestSnapshot: 'start' });
    expect(feed.onPublished(m('delta', 5, [['1', '1']]), 0)).toEqual({ changed: false });
    expect(feed.onSnapshotReply(m('snapshot', 4, [['2', '1']]), 0)).toEqual({ changed: true });
    expect(feed.held.levels(true, 5).map((l) => l[0])).toEqual(['2', '1']);
    expect(feed.onPublished(m('delta', 7, []), 0)).toEqual({ changed: false, requestSnapshot: 'gap' });
    expect(feed.held.synced).toBe(false);
    expect(feed.onPublished(m('delta', 1, [], 2), 0)).toEqual({ changed: false });
    expect(feed.onSnapshotReply(m('snapshot', 8, [['3', '1']]), 0)).toEqual({ changed: true });
    expect(feed.onPublished(m('delta', 1, [['4', '1']], 2), 0)).toEqual({ changed: false, requestSnapshot: 'epoch' });
  });
});
