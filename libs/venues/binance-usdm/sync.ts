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
import { L2Book, type Instrument } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
import { applyLevels, parseDepthSnapshot, type DepthEvent } from '../binance-common/frames.js';

/** Events buffered while waiting for a snapshot; past this the oldest are dropped and the wait restarts. */
export const MAX_BUFFERED_EVENTS = 5000;
/** /fapi/v1/depth returns at most 1000 levels per side: beyond that the book is not known exactly. */
export const USDM_SNAPSHOT_DEPTH = 1000;

export class UsdmBookSync implements BookSync<DepthEvent> {
  readonly book = new L2Book();
  readonly exactDepth = USDM_SNAPSHOT_DEPTH;
  readonly recovery = 'rest-snapshot' as const;
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  private buffer: DepthEvent[] = [];
  private lastU = -1;
  private requested = false;
  /** the next live event is the first after a snapshot and may cover it instead of continuing it */
  private joining = false;

  constructor(readonly instrument: Instrument) {}

  /** u of the last event applied (or the snapshot's lastUpdateId) */
  get lastUpdateId(): number {
    return this.lastU;
  }

  reset(): void {
    this.book.clear();
    this.buffer = [];
    this.lastU = -1;
    this.requested = false;
    this.joining = false;
    this.state = 'syncing';
  }

  onFrame(ev: DepthEvent, _recvTs: number): SyncResult {
    if (this.state !== 'live') {
      if (this.buffer.length >= MAX_BUFFERED_EVENTS) this.buffer.shift();
      this.buffer.push(ev);
      if (!this.requested) {
        this.requested = true;
        return { action: 'need-snapshot' };
      }
      return { action: 'none' };
    }
    if (ev.u < this.lastU) return { action: 'none' }; // already contained
    const joins = this.joining && ev.U <= this.lastU && this.lastU <= ev.u;
    if (!joins && ev.pu !== this.lastU) return this.gap(`pu ${ev.pu} != previous u ${this.lastU}`);
    this.joining = false;
    const changes: Changes = { bids: [], asks: [] };
    applyLevels(this.book, ev.bids, ev.asks, changes);
    this.lastU = ev.u;
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
    this.book.clear();
    const changes: Changes = { bids: [], asks: [] };
    applyLevels(this.book, snap.bids, snap.asks, changes);
    this.lastU = L;
    this.buffer = [];
    this.state = 'live';
    this.joining = pending.length === 0;
    let ts = snap.ts ?? 0;
    for (const ev of pending) {
      // The first event may cover L (U ≤ L ≤ u) rather than continue it.
      if (ev !== first && ev.pu !== this.lastU) {
        this.state = 'resyncing';
        return this.gap(`pu ${ev.pu} != previous u ${this.lastU} while draining the buffer`);
      }
      applyLevels(this.book, ev.bids, ev.asks, changes);
      this.lastU = ev.u;
      ts = ev.T ?? ev.E;
    }
    return { action: 'applied', kind: 'snapshot', changes, ts };
  }

  private gap(detail: string): SyncResult {
    this.book.clear();
    this.buffer = [];
    this.requested = true; // the engine fetches on this result
    this.state = 'resyncing';
    return { action: 'resync', code: 'SEQUENCE_GAP', detail, recover: 'rest-snapshot' };
  }
}

