/**
 * The gateway's copy of one consensus book, exactly as the merger published it: snapshot, then
 * deltas whose `seq` continues within the `epoch`. Anything else (a gap, a new epoch without a
 * snapshot, a level that does not parse) leaves the book unsynced; an unsynced book is never
 * served. Pure: no IO, no clock (times come in as arguments).
 */
import { L2Book, canonicalDecimal, seqStep } from '../../libs/core/index.js';
import type { ConsensusBookMessage, ConsensusLevel, VenueView } from '../../libs/core/index.js';

export type DeltaResult = 'applied' | 'duplicate' | 'gap' | 'epoch' | 'bad';

/** What changed since the fan-out last looked (a resync may apply several messages at once). */
export interface Changes {
  snapshot: boolean;
  bidPrices: Set<string>;
  askPrices: Set<string>;
  venues: Record<string, VenueView> | undefined;
  crossedChanged: boolean;
}

export class HeldBook {
  book = new L2Book();
  private perVenue: [Map<string, Record<string, string>>, Map<string, Record<string, string>>] = [new Map(), new Map()];
  epoch = -1;
  seq = -1;
  depth = 0;
  ts = 0;
  mergeTs = 0;
  /** merge_us of the last update (merge_ts × 1000 when the merger sent none) */
  mergeUs = 0;
  recvTs = 0;
  crossed = false;
  venues: Record<string, VenueView> = {};
  /** local time each venue view arrived, so REST can age it */
  venuesAt: Record<string, number> = {};
  synced = false;
  /** local time the last message was applied */
  updatedAt = 0;
  /** local time the merger was last heard for this symbol (any message, applied or not; 0 = never) */
  heardAt = 0;
  private changes: Changes = emptyChanges();

  constructor(readonly symbol: string) {}

  /**
   * Venue views aged to `now`: the age the merger reported plus the time since the view arrived
   * here, so a frozen merger cannot keep a venue looking fresh; past `staleAfterMs` it shows stale.
   */
  agedVenues(now: number, staleAfterMs = Infinity): Record<string, VenueView & { reported_age_ms: number }> {
    const out: Record<string, VenueView & { reported_age_ms: number }> = {};
    for (const [v, view] of Object.entries(this.venues)) {
      const age = Math.round(view.age_ms + Math.max(0, now - (this.venuesAt[v] ?? now)));
      out[v] = { ...view, age_ms: age, stale: view.stale || age > staleAfterMs, reported_age_ms: view.age_ms };
    }
    return out;
  }

  /** The same, in the WebSocket VenueView shape (no reported_age_ms: the protocol's views are flat). */
  agedVenueViews(now: number, staleAfterMs = Infinity): Record<string, VenueView> {
    const out: Record<string, VenueView> = {};
    for (const [v, { reported_age_ms: _r, ...view }] of Object.entries(this.agedVenues(now, staleAfterMs))) out[v] = view;
    return out;
  }

  /** ms since the merger was last heard for this symbol, or undefined before the first message */
  upstreamAgeMs(now: number): number | undefined {
    return this.heardAt === 0 ? undefined : Math.max(0, Math.round(now - this.heardAt));
  }

  applySnapshot(m: ConsensusBookMessage, now: number): boolean {
    // keep the integer scales (they only grow), so depth groups can diff across a resync
    const book = new L2Book(this.book.priceScale, this.book.sizeScale);
    const per: HeldBook['perVenue'] = [new Map(), new Map()];
    try {
      fill(book, per, m.bids, true);
      fill(book, per, m.asks, false);
    } catch {
      this.synced = false;
      return false;
    }
    if (m.depth > 0) {
      book.bids.truncate(m.depth);
      book.asks.truncate(m.depth);
    }
    this.book = book;
    this.perVenue = per;
    this.epoch = m.epoch;
    this.seq = m.seq;
    this.depth = m.depth;
    this.venues = { ...(m.venues ?? {}) };
    this.venuesAt = Object.fromEntries(Object.keys(this.venues).map((v) => [v, now]));
    this.stamp(m, now);
    this.synced = true;
    this.changes.snapshot = true;
    this.changes.venues = { ...this.venues };
    this.changes.crossedChanged = true;
    return true;
  }

  applyDelta(m: ConsensusBookMessage, now: number): DeltaResult {
    if (!this.synced) return 'gap';
    if (m.epoch !== this.epoch) return this.unsync('epoch');
    const step = seqStep(this.seq, m.seq);
    if (step === 'duplicate') return 'duplicate';
    if (step === 'gap') return this.unsync('gap');
    try {
      for (const l of m.bids) this.changes.bidPrices.add(setLevel(this.book, this.perVenue[0], l, true));
      for (const l of m.asks) this.changes.askPrices.add(setLevel(this.book, this.perVenue[1], l, false));
    } catch {
      return this.unsync('bad');
    }
    this.seq = m.seq;
    if (m.depth > 0) this.depth = m.depth;
    if (m.venues) {
      Object.assign(this.venues, m.venues);
      this.changes.venues = { ...(this.changes.venues ?? {}), ...m.venues };
      for (const v of Object.keys(m.venues)) this.venuesAt[v] = now;
    }
    const crossed = m.crossed ?? this.crossed;
    this.stamp(m, now);
    if (crossed !== this.crossed) this.changes.crossedChanged = true;
    this.crossed = crossed;
    return 'applied';
  }

  /** A derived book (venue-subset.ts) decides its own crossed flag. */
  setCrossed(crossed: boolean): void {
    if (crossed !== this.crossed) this.changes.crossedChanged = true;
    this.crossed = crossed;
  }

  /** Hand over and reset what changed since the last call. */
  takeChanges(): Changes {
    const c = this.changes;
    this.changes = emptyChanges();
    return c;
  }

  perVenueAt(isBid: boolean, price: string): Record<string, string> {
    return this.perVenue[isBid ? 0 : 1].get(price) ?? {};
  }

  /** Best `depth` levels with per-venue sizes, best first. */
  levels(isBid: boolean, depth: number): ConsensusLevel[] {
    const out: ConsensusLevel[] = [];
    const b = this.book;
    (isBid ? b.bids : b.asks).forEachTop(depth, (p, q) => {
      const price = b.formatPrice(p);
      out.push([price, b.formatSize(q), this.perVenueAt(isBid, price)]);
    });
    return out;
  }

  private stamp(m: ConsensusBookMessage, now: number): void {
    this.ts = m.ts;
    this.mergeTs = m.merge_ts;
    this.mergeUs = m.merge_us ?? m.merge_ts * 1000;
    this.recvTs = m.recv_ts;
    if (m.kind === 'snapshot') this.crossed = m.crossed ?? false;
    this.updatedAt = now;
  }

  private unsync(r: DeltaResult): DeltaResult {
    this.synced = false;
    return r;
  }
}

function emptyChanges(): Changes {
  return { snapshot: false, bidPrices: new Set(), askPrices: new Set(), venues: undefined, crossedChanged: false };
}

function fill(book: L2Book, per: Map<string, Record<string, string>>[], levels: ConsensusLevel[], isBid: boolean): void {
  for (const l of levels) setLevel(book, per[isBid ? 0 : 1]!, l, isBid);
}

/** Set one level; returns its canonical price. Throws on a value that is not an exact decimal. */
function setLevel(book: L2Book, per: Map<string, Record<string, string>>, l: ConsensusLevel, isBid: boolean): string {
  const price = canonicalDecimal(l[0]);
  book.setLevel(isBid, price, l[1]);
  if (book.sizeInt(l[1]) === 0) per.delete(price);
  else per.set(price, { ...(l[2] ?? {}) });
  return price;
}
