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
import { seqStep, type SeqStep } from '../../core/index.js';
import type { Changes, SyncResult } from '../adapter.js';
import { BinanceDepthSync } from '../binance-common/depth-sync.js';
import { parseDepthSnapshot, type DepthEvent } from '../binance-common/frames.js';
import type { RawLevel } from '../validate.js';

/** /api/v3/depth?limit=5000 holds at most 5000 levels per side: beyond that the book is unknown. */
export const SPOT_SNAPSHOT_DEPTH = 5000;

export class SpotBookSync extends BinanceDepthSync {
  readonly exactDepth = SPOT_SNAPSHOT_DEPTH;

  protected onLiveEvent(ev: DepthEvent): SyncResult {
    const step = this.step(ev);
    if (step === 'duplicate') return { action: 'none' }; // already contained
    if (step === 'gap') return this.gap(`U ${ev.U} > book id ${this.bookId} + 1`, [ev]);
    // A throw below leaves state 'live': the engine discards the book and resyncs (engine.guard).
    const changes: Changes = { bids: [], asks: [] };
    this.apply(ev, changes);
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
    const changes: Changes = { bids: [], asks: [] };
    this.startFrom(bids, asks, L, changes);
    // Spot REST depth carries no time: the receive time is the best the venue allows.
    let ts = recvTs;
    for (const [i, ev] of pending.entries()) {
      if (this.step(ev) === 'gap') return this.gap(`event after snapshot ${L} starts at U ${ev.U} (needs ${this.bookId + 1} in [U, u])`, pending.slice(i));
      this.apply(ev, changes);
      ts = ev.E;
    }
    this.state = 'live';
    return { action: 'applied', kind: 'snapshot', changes, ts };
  }

  /**
   * The common step over an event's id range [U, u]: it continues the book when U - 1 is the book
   * id. Spot adds one rule: an event that overlaps the book (U ≤ book id < u, as the first one
   * after a snapshot may) continues it too, its levels being absolute.
   */
  private step(ev: DepthEvent): SeqStep {
    const step = seqStep(this.bookId, ev.u, ev.U - 1);
    return step === 'gap' && ev.U <= this.bookId ? 'next' : step;
  }
}
