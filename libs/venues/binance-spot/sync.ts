/**
 * Binance Spot diff-depth sync (venues.md §1, "How to manage a local order book correctly").
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#how-to-manage-a-local-order-book-correctly
 *
 * Buffer diffs; take a REST snapshot (lastUpdateId = L). A snapshot older than the first buffered
 * U is stale: fetch again. Drop buffered events with u <= L; then every event, buffered or live,
 * is ignored when u <= bookId, is a gap when U > bookId + 1 (the first survivor must contain
 * L + 1), and otherwise applies and moves bookId to u. Spot ids are contiguous (U == prev u + 1),
 * unlike USD-M, so the rule is the same for the first survivor and every later event.
 */
import { L2Book, type Instrument } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
import { applyLevels, parseDepthSnapshot, type DepthEvent } from '../binance-common/frames.js';
import type { RawLevel } from '../validate.js';

/** Events buffered while waiting for a snapshot; past this the oldest are dropped (a stale snapshot then refetches). */
export const MAX_BUFFERED_EVENTS = 5000;
/** /api/v3/depth?limit=5000 holds at most 5000 levels per side: beyond that the book is unknown. */
export const SPOT_SNAPSHOT_DEPTH = 5000;

export class SpotBookSync implements BookSync<DepthEvent> {
  readonly book = new L2Book();
  readonly exactDepth = SPOT_SNAPSHOT_DEPTH;
  readonly recovery = 'rest-snapshot' as const;
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  private buffer: DepthEvent[] = [];
  private bookId = -1;
  /** a snapshot is on its way: do not ask again for every buffered event */
  private requested = false;

  constructor(readonly instrument: Instrument) {}

  /** u of the last event applied (or the snapshot's lastUpdateId) */
  get lastUpdateId(): number {
    return this.bookId;
  }

  reset(): void {
    this.book.clear();
    this.buffer = [];
    this.bookId = -1;
    this.requested = false;
    this.state = 'syncing';
  }

  onFrame(ev: DepthEvent, _recvTs: number): SyncResult {
    if (this.state !== 'live') {
      if (this.buffer.length >= MAX_BUFFERED_EVENTS) this.buffer.shift();
      this.buffer.push(ev);
      if (this.requested) return { action: 'none' };
      this.requested = true;
      return { action: 'need-snapshot' };
    }
    if (ev.u <= this.bookId) return { action: 'none' }; // already contained
    if (ev.U > this.bookId + 1) return this.gap([ev], `U ${ev.U} > book id ${this.bookId} + 1`);
    // A throw below leaves state 'live': the engine discards the book and resyncs (engine.guard).
    const changes: Changes = { bids: [], asks: [] };
    applyLevels(this.book, ev.bids, ev.asks, changes);
    this.bookId = ev.u;
    return { action: 'applied', kind: 'delta', changes, ts: ev.E };
  }

  onSnapshot(body: unknown, recvTs: number): SyncResult {
    const snap = parseDepthSnapshot(body);
    if (this.state === 'live') return { action: 'none' }; // a late duplicate must not rewind the book
    const L = snap.lastUpdateId;
    const first = this.buffer[0];
    if (first && L < first.U) {
      this.requested = true; // the engine fetches again on this result; keep buffering
      return { action: 'resync', code: 'STALE_SNAPSHOT', detail: `snapshot ${L} older than first buffered U ${first.U}`, recover: 'rest-snapshot' };
    }
    const pending = this.buffer.filter((e) => e.u > L);
    try {
      return this.join(snap.bids, snap.asks, L, pending, recvTs);
    } catch (e) {
      // A bad value in the snapshot or the buffer: nothing of it can be trusted, start over.
      this.reset();
      this.state = 'resyncing';
      throw e;
    }
  }

  private join(bids: RawLevel[], asks: RawLevel[], L: number, pending: DepthEvent[], recvTs: number): SyncResult {
    this.book.clear();
    const changes: Changes = { bids: [], asks: [] };
    applyLevels(this.book, bids, asks, changes);
    this.bookId = L;
    this.buffer = [];
    // Spot REST depth carries no time: the receive time is the best the venue allows.
    let ts = recvTs;
    for (const [i, ev] of pending.entries()) {
      if (ev.U > this.bookId + 1) return this.gap(pending.slice(i), `event after snapshot ${L} starts at U ${ev.U} (needs ${this.bookId + 1} in [U, u])`);
      applyLevels(this.book, ev.bids, ev.asks, changes);
      this.bookId = ev.u;
      ts = ev.E;
    }
    this.state = 'live';
    return { action: 'applied', kind: 'snapshot', changes, ts };
  }

  /** Events were missed: discard the book, keep buffering from the first unapplied event, fetch a new snapshot. */
  private gap(rest: DepthEvent[], detail: string): SyncResult {
    this.book.clear();
    this.buffer = rest;
    this.bookId = -1;
    this.requested = true; // the engine fetches on this result
    this.state = 'resyncing';
    return { action: 'resync', code: 'SEQUENCE_GAP', detail, recover: 'rest-snapshot' };
  }
}
