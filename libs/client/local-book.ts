/**
 * The client's copy of one consensus book: SNAPSHOT replaces it, BOOK deltas patch it. Prices and
 * sizes stay the server's decimal strings; ordering is by exact decimal value (decimal-order.ts).
 * Each side is kept best first, so the top of book is index 0.
 */
import type { BookPayload, ConsensusLevel, DeltaLevel, SnapshotPayload, VenueView } from './protocol.js';
import { seqStep } from './checks.js';
import { canonical, compareDecimal, isDecimal, isZero } from './decimal-order.js';

export interface BookLevel {
  price: string;
  total: string;
  /** per-venue sizes; empty when the server sent totals only for this level */
  venues: Record<string, string>;
}

export type ApplyResult = 'applied' | 'gap' | 'epoch' | 'no-snapshot' | 'bad';

export class LocalBook {
  readonly symbol: string;
  epoch = -1;
  seq = -1;
  ts = 0;
  mergeTs = 0;
  crossed = false;
  bids: BookLevel[] = [];
  asks: BookLevel[] = [];
  venues: Record<string, VenueView> = {};
  /** true once a snapshot was applied and no gap has been seen since */
  synced = false;

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  applySnapshot(p: SnapshotPayload): ApplyResult {
    const bids = toLevels(p.bids);
    const asks = toLevels(p.asks);
    if (!bids || !asks) return 'bad';
    bids.sort((a, b) => compareDecimal(b.price, a.price));
    asks.sort((a, b) => compareDecimal(a.price, b.price));
    this.bids = bids;
    this.asks = asks;
    this.epoch = p.epoch;
    this.seq = p.seq;
    this.ts = p.ts;
    this.mergeTs = p.merge_ts;
    this.crossed = p.crossed;
    this.venues = { ...p.venues };
    this.synced = true;
    return 'applied';
  }

  /** Apply a delta only if it continues this book exactly; otherwise say why (the caller resyncs). */
  applyDelta(p: BookPayload): ApplyResult {
    if (!this.synced) return 'no-snapshot';
    if (p.epoch !== this.epoch) return this.unsync('epoch');
    // a repeat is refused like a gap: the client cannot tell a replay from a loss, it resyncs
    if (seqStep(this.seq, p.seq) !== 'next') return this.unsync('gap');
    if (!validDelta(p.bids) || !validDelta(p.asks)) return this.unsync('bad');
    for (const l of p.bids) patch(this.bids, l, true);
    for (const l of p.asks) patch(this.asks, l, false);
    this.seq = p.seq;
    this.ts = p.ts;
    this.mergeTs = p.merge_ts;
    if (p.crossed !== undefined) this.crossed = p.crossed;
    if (p.venues) Object.assign(this.venues, p.venues);
    return 'applied';
  }

  /** The book is no longer known to be right (reconnect, resync); deltas are refused until a snapshot. */
  invalidate(): void {
    this.synced = false;
  }

  bestBid(): BookLevel | undefined {
    return this.bids[0];
  }

  bestAsk(): BookLevel | undefined {
    return this.asks[0];
  }

  private unsync(r: ApplyResult): ApplyResult {
    this.synced = false;
    return r;
  }
}

function toLevels(ls: unknown): BookLevel[] | null {
  if (!Array.isArray(ls)) return null;
  const out: BookLevel[] = [];
  for (const l of ls as ConsensusLevel[]) {
    if (!Array.isArray(l) || !isDecimal(l[0]) || !isDecimal(l[1])) return null;
    out.push({ price: canonical(l[0]), total: l[1], venues: typeof l[2] === 'object' && l[2] !== null ? { ...l[2] } : {} });
  }
  return out;
}

function validDelta(ls: unknown): ls is DeltaLevel[] {
  return Array.isArray(ls) && ls.every((l) => Array.isArray(l) && isDecimal(l[0]) && isDecimal(l[1]));
}

/** Binary search on a best-first side: index of `price`, or where it would go. */
function find(side: BookLevel[], price: string, isBid: boolean): number {
  let lo = 0;
  let hi = side.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareDecimal(side[mid]!.price, price);
    // bids descend, asks ascend
    if (isBid ? c > 0 : c < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function patch(side: BookLevel[], l: DeltaLevel, isBid: boolean): void {
  const price = canonical(l[0]);
  const i = find(side, price, isBid);
  const here = i < side.length && side[i]!.price === price;
  if (isZero(l[1])) {
    if (here) side.splice(i, 1);
    return;
  }
  // a totals-only delta makes the old per-venue split unknown, not still true
  const level: BookLevel = { price, total: l[1], venues: l[2] ? { ...l[2] } : {} };
  if (here) side[i] = level;
  else side.splice(i, 0, level);
}
