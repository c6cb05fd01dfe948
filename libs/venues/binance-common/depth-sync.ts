/**
 * What Binance spot and USD-M diff-depth syncs share (venues.md §1, §2): buffer events until a
 * REST snapshot arrives, ask for one snapshot at a time, apply absolute levels, and on a gap
 * discard the book and fetch again. The venues differ only in how an event continues the book
 * (spot: contiguous U/u ids; USD-M: the `pu` chain), which each subclass decides.
 */
import { L2Book, type Instrument } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
import { applyLevels } from '../levels.js';
import type { RawLevel } from '../validate.js';
import type { DepthEvent } from './frames.js';

/** Events buffered while waiting for a snapshot; past this the oldest are dropped. */
export const MAX_BUFFERED_EVENTS = 5000;

export abstract class BinanceDepthSync implements BookSync<DepthEvent> {
  readonly book = new L2Book();
  readonly recovery = 'rest-snapshot' as const;
  abstract readonly exactDepth: number;
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  protected buffer: DepthEvent[] = [];
  /** u of the last event applied (or the snapshot's lastUpdateId) */
  protected bookId = -1;
  /** a snapshot is on its way: do not ask again for every buffered event */
  protected requested = false;

  constructor(readonly instrument: Instrument) {}

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
    if (this.state === 'live') return this.onLiveEvent(ev);
    if (this.buffer.length >= MAX_BUFFERED_EVENTS) this.buffer.shift();
    this.buffer.push(ev);
    if (this.requested) return { action: 'none' };
    this.requested = true;
    return { action: 'need-snapshot' };
  }

  abstract onSnapshot(body: unknown, recvTs: number): SyncResult;

  /** A live event, already buffered past: apply it, ignore it or declare a gap. */
  protected abstract onLiveEvent(ev: DepthEvent): SyncResult;

  /** Apply one event's levels and move the book id to its u. */
  protected apply(ev: DepthEvent, changes: Changes): void {
    applyLevels(this.book, ev.bids, ev.asks, changes);
    this.bookId = ev.u;
  }

  /** Start the book over from a snapshot's levels at lastUpdateId `id`. */
  protected startFrom(bids: RawLevel[], asks: RawLevel[], id: number, changes: Changes): void {
    this.book.clear();
    applyLevels(this.book, bids, asks, changes);
    this.bookId = id;
    this.buffer = [];
  }

  /** Events were missed: discard the book, keep buffering from `rest`, fetch a new snapshot. */
  protected gap(detail: string, rest: DepthEvent[] = []): SyncResult {
    this.book.clear();
    this.buffer = rest;
    this.bookId = -1;
    this.requested = true; // the engine fetches on this result
    this.state = 'resyncing';
    return { action: 'resync', code: 'SEQUENCE_GAP', detail, recover: 'rest-snapshot' };
  }
}
