/**
 * Binance USD-M diff-depth sync (venues.md §2, "How to manage a local order book correctly").
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly
 *
 * Buffer diffs; take a REST snapshot (lastUpdateId = L); drop buffered events with u < L; the
 * first applied event must cover L (U ≤ L ≤ u) or continue it (pu == L — the snapshot can equal
 * the u of an event already dropped, as the 2021 capture shows for AKRO, KEEP and CTK); every
 * later event must have pu == previous u. Futures ids are not contiguous across events, so the
 * spot `U == u + 1` rule must not be used here.
 */
import type { Changes, SyncResult } from '../adapter.js';
import { BinanceDepthSync } from '../binance-common/depth-sync.js';
import { parseDepthSnapshot, type DepthEvent } from '../binance-common/frames.js';

/** /fapi/v1/depth returns at most 1000 levels per side: beyond that the book is not known exactly. */
export const USDM_SNAPSHOT_DEPTH = 1000;

export class UsdmBookSync extends BinanceDepthSync {
  readonly exactDepth = USDM_SNAPSHOT_DEPTH;
  /** the next live event is the first after a snapshot and may cover it instead of continuing it */
  private joining = false;

  override reset(): void {
    super.reset();
    this.joining = false;
  }

  protected onLiveEvent(ev: DepthEvent): SyncResult {
    if (ev.u < this.bookId) return { action: 'none' }; // already contained
    const joins = this.joining && ev.U <= this.bookId && this.bookId <= ev.u;
    if (!joins && ev.pu !== this.bookId) return this.gap(`pu ${ev.pu} != previous u ${this.bookId}`);
    this.joining = false;
    const changes: Changes = { bids: [], asks: [] };
    this.apply(ev, changes);
    return { action: 'applied', kind: 'delta', changes, ts: ev.T ?? ev.E };
  }

  onSnapshot(body: unknown, _recvTs: number): SyncResult {
    const snap = parseDepthSnapshot(body);
    if (this.state === 'live') return { action: 'none' }; // a late duplicate must not rewind the book
    const L = snap.lastUpdateId;
    const pending = this.buffer.filter((e) => e.u >= L);
    const first = pending[0];
    if (first && first.U > L && first.pu !== L) {
      // The snapshot predates everything buffered: it cannot be joined to the stream.
      this.requested = true; // the engine fetches again on this result
      return { action: 'resync', code: 'STALE_SNAPSHOT', detail: `snapshot ${L} older than first buffered U ${first.U}`, recover: 'rest-snapshot' };
    }
    const changes: Changes = { bids: [], asks: [] };
    this.startFrom(snap.bids, snap.asks, L, changes);
    this.state = 'live';
    this.joining = pending.length === 0;
    let ts = snap.ts ?? 0;
    for (const ev of pending) {
      // The first event may cover L (U ≤ L ≤ u) rather than continue it.
      if (ev !== first && ev.pu !== this.bookId) return this.gap(`pu ${ev.pu} != previous u ${this.bookId} while draining the buffer`);
      this.apply(ev, changes);
      ts = ev.T ?? ev.E;
    }
    return { action: 'applied', kind: 'snapshot', changes, ts };
  }
}
