/**
 * One venue book inside a consensus group, as the merger sees it: the book itself (exact, at the
 * venue's own scale), where its seq chain stands, what the collector last said about it, and the
 * flags that decide whether it counts (membership) and whether it is shown (listing).
 */
import { L2Book, type BookMessage, type BookState, type VenueState } from '../core/index.js';
import { DivergenceState } from './divergence.js';
import { ceilDiv, floorDiv, type Tick } from './tick.js';

/** Deltas kept while waiting for a snapshot; beyond it the oldest go (a later gap asks again). */
export const MAX_PENDING_DELTAS = 10_000;

export type SlotPhase = 'syncing' | 'live' | 'resyncing';

export class VenueSlot {
  readonly book = new L2Book();
  phase: SlotPhase = 'syncing';
  seq = 0;
  /** deltas that arrived while not in sequence, in arrival order */
  pending: BookMessage[] = [];
  /** merger clock of the last activity (book message, or the collector's last_msg_ts) */
  lastActivity: number;
  venueState: VenueState = 'live';
  /** the collector's state for this book; undefined until a status names it */
  bookState: BookState | undefined;
  convertible = true;
  /** seq the collector reported in its previous status, to catch deltas lost in silence */
  statusSeq = -1;
  stale = false;
  member = false;
  listed = false;
  readonly divergence = new DivergenceState();
  /** 4·mid = 2·(best bid + best ask) at the slot's price scale, NaN when a side is empty */
  mid4 = NaN;
  topChanged = true;

  private ratioScale = -1;
  private mul = 1;
  private div = 1;

  constructor(
    readonly index: number,
    readonly venue: string,
    readonly symbol: string,
    readonly staleAfterMs: number,
    now: number,
  ) {
    this.lastActivity = now;
  }

  /** Bucket index of a price integer at the book's current price scale. */
  bucket(price: number, isBid: boolean, tick: Tick): number {
    if (this.ratioScale !== this.book.priceScale) {
      [this.mul, this.div] = tick.ratioFor(this.book.priceScale);
      this.ratioScale = this.book.priceScale;
    }
    return isBid ? floorDiv(price * this.mul, this.div) : ceilDiv(price * this.mul, this.div);
  }

  /** Book in sequence and trustworthy (its levels may be shown). */
  get valid(): boolean {
    return this.phase === 'live' && this.convertible;
  }

  /** Counts for the consensus mid: valid, fresh, and the collector says live. */
  get eligible(): boolean {
    return this.valid && !this.stale && this.venueState !== 'down' && (this.bookState === undefined || this.bookState === 'live');
  }

  updateMid(): void {
    const b = this.book.bids;
    const a = this.book.asks;
    const m = b.length > 0 && a.length > 0 ? 2 * (b.bestPrice() + a.bestPrice()) : NaN;
    if (m !== this.mid4 && !(Number.isNaN(m) && Number.isNaN(this.mid4))) {
      this.mid4 = m;
      this.topChanged = true;
    }
  }
}
