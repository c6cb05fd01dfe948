/**
 * Venue selection (#16.1): the consensus over only some venues, derived in the gateway from the
 * per-venue sizes the merger publishes on every level. A subset level's total is the exact decimal
 * sum of the selected venues that count (members: live, fresh, not excluded), so with every venue
 * selected it equals the merger's total; its per-venue map keeps only the selected venues, with the
 * same rule as the full book (a listed but non-member venue is shown, not counted).
 *
 * The subset is held as a HeldBook fed with synthesized snapshots/deltas, so BookGroup (windows,
 * frames shared by every subscriber of the same symbol, depth, detail and venue set) works on it
 * unchanged. Its levels are exact within the price range of the merger's window (its depth); a
 * subset may therefore hold fewer levels than the client's depth when the unselected venues make
 * up the top of the full book.
 */
import { Decimal, decString } from '../../libs/core/index.js';
import type { ConsensusBookMessage, ConsensusLevel, VenueView } from '../../libs/core/index.js';
import { HeldBook, type Changes } from './held-book.js';

const MAX_VENUES = 32;

/** a refusal of client-protocol.ts (kept structural: client-protocol.ts imports this module) */
export interface BadVenues {
  code: 'BAD_REQUEST';
  message: string;
}
const VENUE = /^[a-z0-9-]{1,32}$/;

/**
 * A `venues` value from the URL (comma list) or a SUBSCRIBE payload (array; null = all venues):
 * sorted unique names, null for "every venue", or a refusal naming the unknown ones.
 */
export function parseVenueSet(raw: unknown, known: readonly string[]): string[] | null | BadVenues {
  if (raw === null || raw === undefined) return null;
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
  if (!Array.isArray(list) || list.length > MAX_VENUES || !list.every((v) => typeof v === 'string')) {
    return { code: 'BAD_REQUEST', message: 'venues must be a list of venue names' };
  }
  if (list.length === 0) return { code: 'BAD_REQUEST', message: 'venues must name at least one venue (omit it for every venue)' };
  const unknown = (list as string[]).filter((v) => !VENUE.test(v) || !known.includes(v));
  if (unknown.length) {
    return { code: 'BAD_REQUEST', message: `unknown venue ${unknown.map((v) => JSON.stringify(v.slice(0, 32))).join(', ')}; known: ${known.join(', ')}` };
  }
  return [...new Set(list as string[])].sort();
}

/** Stable key of a venue set; '*' = every venue. */
export function venueSetKey(venues: readonly string[] | null): string {
  return venues === null ? '*' : venues.join(',');
}

/** Whether a venue's sizes count in totals, by its view (the merger's `member`; older views: not stale). */
export function counts(view: VenueView | undefined): boolean {
  if (view === undefined) return true;
  return view.member ?? !view.stale;
}

/** One level of the subset: the selected venues' sizes and their counting sum (total "0" = no level). */
export function subsetLevel(price: string, perVenue: Record<string, string>, selected: ReadonlySet<string>, counting: ReadonlySet<string>): ConsensusLevel {
  const shown: Record<string, string> = {};
  let total = new Decimal(0);
  for (const [v, size] of Object.entries(perVenue)) {
    if (!selected.has(v)) continue;
    shown[v] = size;
    if (counting.has(v)) total = total.plus(size);
  }
  return total.isZero() ? [price, '0', {}] : [price, decString(total), shown];
}

/** The subset's levels of a list of full-book levels (best first), levels with no counting size dropped. */
export function subsetLevels(levels: readonly ConsensusLevel[], selected: ReadonlySet<string>, views: Record<string, VenueView>): ConsensusLevel[] {
  const counting = countingOf(selected, views);
  const out: ConsensusLevel[] = [];
  for (const l of levels) {
    const s = subsetLevel(l[0], l[2] ?? {}, selected, counting);
    if (s[1] !== '0') out.push(s);
  }
  return out;
}

function countingOf(selected: ReadonlySet<string>, views: Record<string, VenueView>): Set<string> {
  return new Set([...selected].filter((v) => counts(views[v])));
}

export class VenueSubset {
  readonly held: HeldBook;
  readonly selected: ReadonlySet<string>;
  private counting = new Set<string>();

  constructor(
    symbol: string,
    readonly venues: readonly string[],
  ) {
    this.held = new HeldBook(symbol);
    this.selected = new Set(venues);
  }

  /** Rebuild from the whole full book (first use, a merger snapshot, a membership change). */
  rebuild(full: HeldBook, now: number): void {
    this.counting = countingOf(this.selected, full.venues);
    const depth = Math.max(full.book.bids.length, full.book.asks.length);
    const bids = subsetLevels(full.levels(true, depth), this.selected, full.venues);
    const asks = subsetLevels(full.levels(false, depth), this.selected, full.venues);
    this.held.applySnapshot(this.message('snapshot', full, bids, asks, crossedOf(bids, asks)), now);
  }

  /** The full book changed by `c`: bring the subset along (its own changes are then in `held`). */
  update(full: HeldBook, c: Changes, now: number): void {
    const wasSynced = this.held.synced;
    if (c.snapshot || !wasSynced || full.epoch !== this.held.epoch) return this.rebuildAsDelta(full, now, wasSynced);
    const counting = countingOf(this.selected, full.venues);
    if (!sameSet(counting, this.counting)) {
      this.counting = counting;
      return this.rebuildAsDelta(full, now, true);
    }
    const bids = [...c.bidPrices].map((p) => subsetLevel(p, full.perVenueAt(true, p), this.selected, counting));
    const asks = [...c.askPrices].map((p) => subsetLevel(p, full.perVenueAt(false, p), this.selected, counting));
    this.applyDelta(full, bids, asks, c.venues, now);
  }

  /**
   * A full rebuild. Within the same epoch it goes out as a delta over every price either book
   * holds, so subscribers keep their stream (as a merger resync does for the full book).
   */
  private rebuildAsDelta(full: HeldBook, now: number, asDelta: boolean): void {
    if (!asDelta || full.epoch !== this.held.epoch || !this.held.synced) return this.rebuild(full, now);
    this.counting = countingOf(this.selected, full.venues);
    const side = (isBid: boolean): ConsensusLevel[] => {
      const prices = new Set([...full.levels(isBid, full.book.side(isBid).length), ...this.held.levels(isBid, this.held.book.side(isBid).length)].map((l) => l[0]));
      return [...prices].map((p) => subsetLevel(p, full.perVenueAt(isBid, p), this.selected, this.counting));
    };
    this.applyDelta(full, side(true), side(false), { ...full.venues }, now);
  }

  private applyDelta(full: HeldBook, bids: ConsensusLevel[], asks: ConsensusLevel[], venues: Record<string, VenueView> | undefined, now: number): void {
    const m = this.message('delta', full, bids, asks, false);
    if (venues) m.venues = venues;
    else delete m.venues;
    delete m.crossed;
    if (this.held.applyDelta(m, now) !== 'applied') return this.rebuild(full, now);
    // crossed is a property of the subset's own top of book
    this.held.setCrossed(this.held.book.isCrossed());
  }

  private message(kind: 'snapshot' | 'delta', full: HeldBook, bids: ConsensusLevel[], asks: ConsensusLevel[], crossed: boolean): ConsensusBookMessage {
    return {
      v: 1,
      kind,
      symbol: full.symbol,
      epoch: full.epoch,
      seq: kind === 'snapshot' ? 0 : this.held.seq + 1,
      prev_seq: this.held.seq,
      depth: 0,
      ts: full.ts,
      recv_ts: full.recvTs,
      merge_ts: full.mergeTs,
      bids,
      asks,
      venues: { ...full.venues },
      crossed,
    };
  }
}

function crossedOf(bids: ConsensusLevel[], asks: ConsensusLevel[]): boolean {
  return bids.length > 0 && asks.length > 0 && new Decimal(bids[0]![0]).gte(asks[0]![0]);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

interface Entry {
  subset: VenueSubset;
  refs: number;
}

/** The subsets in use, per symbol, shared by every group with the same venue set. */
export class VenueSubsets {
  private readonly bySymbol = new Map<string, Map<string, Entry>>();

  /** The subset of `symbol` over `venues`, built from `full` when new and synced. */
  acquire(symbol: string, venues: readonly string[], full: HeldBook, now: number): VenueSubset {
    let m = this.bySymbol.get(symbol);
    if (!m) this.bySymbol.set(symbol, (m = new Map()));
    const key = venueSetKey(venues);
    let e = m.get(key);
    if (!e) {
      e = { subset: new VenueSubset(symbol, venues), refs: 0 };
      if (full.synced) e.subset.rebuild(full, now);
      e.subset.held.takeChanges();
      m.set(key, e);
    }
    e.refs++;
    return e.subset;
  }

  release(subset: VenueSubset): void {
    const m = this.bySymbol.get(subset.held.symbol);
    const key = venueSetKey(subset.venues);
    const e = m?.get(key);
    if (!e || --e.refs > 0) return;
    m!.delete(key);
  }

  /** The full book of `symbol` changed: every subset follows; returns each one's changes. */
  advance(symbol: string, full: HeldBook, c: Changes, now: number): Map<VenueSubset, Changes> {
    const out = new Map<VenueSubset, Changes>();
    for (const e of this.bySymbol.get(symbol)?.values() ?? []) {
      e.subset.update(full, c, now);
      out.set(e.subset, e.subset.held.takeChanges());
    }
    return out;
  }
}

/** REST /v1/books/:symbol: the top `depth` of the full book or of a venue subset (`venue_set`; null = every venue). */
export function restBookLevels(full: HeldBook, depth: number, venues: readonly string[] | null) {
  if (venues === null) return { venue_set: null, crossed: full.crossed, bids: full.levels(true, depth), asks: full.levels(false, depth) };
  const selected = new Set(venues);
  const side = (isBid: boolean) => subsetLevels(full.levels(isBid, full.book.side(isBid).length), selected, full.venues);
  const bids = side(true);
  const asks = side(false);
  return { venue_set: [...venues], crossed: crossedOf(bids, asks), bids: bids.slice(0, depth), asks: asks.slice(0, depth) };
}
