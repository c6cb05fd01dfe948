/**
 * The consensus book of one consensus symbol: pure merge logic, no NATS, no clock (every call
 * takes `now`). Venue book messages and collector status go in; consensus snapshots and deltas
 * (contiguous seq within an epoch) and alerts come out.
 *
 * Counting rules (design.md "Consensus rules", docs/merger.md):
 * - a venue book is a MEMBER (its sizes are in the totals) while it is in sequence, fresh, live at
 *   the collector, convertible, and not divergent-and-excluded;
 * - it is LISTED (its per-venue sizes are shown, flagged by its view) while it is in sequence,
 *   even when stale, down or excluded; a book out of sequence is neither (it is known wrong);
 * - a level is published when its member total is > 0; the per-venue map of a published level
 *   holds every listed venue's size in that bucket, so a stale venue's sizes appear beside the
 *   totals without counting in them, and a bucket held only by non-members is not published.
 */
import { formatScaled, type AlertMessage, type ConsensusBookMessage, type ConsensusLevel, type VenueView } from '../core/index.js';
import { BookMembership } from './book-membership.js';
import type { ConsensusSide } from './consensus-side.js';
import type { ConsensusGroup } from './groups.js';
import type { ConsensusRules } from './venue-intake.js';

export { DEFAULT_RULES, type ApplyResult, type ConsensusRules } from './venue-intake.js';

/**
 * Venue views (state, mid, age) ride on deltas when they change; ages change all the time, so they
 * are also re-sent at least this often, which keeps a subscriber's "last message age" honest.
 */
export const VIEWS_REFRESH_MS = 1000;

export class ConsensusBook extends BookMembership {
  private seq = 0;
  private started = false;
  /** when venue views were last published; ages move continuously, so they are re-sent each VIEWS_REFRESH_MS */
  private viewsAt = 0;
  /** levels of the delta being built, filled by the emitters (made once: flush runs per venue message) */
  private outBids: ConsensusLevel[] = NO_LEVELS;
  private outAsks: ConsensusLevel[] = NO_LEVELS;
  private readonly emitBid = (k: number, total: number): void => {
    this.outBids.push(this.level(this.bids, k, total));
  };
  private readonly emitAsk = (k: number, total: number): void => {
    this.outAsks.push(this.level(this.asks, k, total));
  };

  constructor(
    group: ConsensusGroup,
    rules: ConsensusRules,
    private epochValue: number,
    now: number,
  ) {
    super(group, rules, now);
  }

  get lastSeq(): number {
    return this.seq;
  }

  get epoch(): number {
    return this.epochValue;
  }

  /**
   * Start a new epoch on the book as it stands (a standby merger taking over keeps its venue
   * books warm): the next flush is the new epoch's snapshot at seq 1.
   */
  restartEpoch(epoch: number): void {
    this.epochValue = epoch;
    this.seq = 0;
    this.started = false;
  }

  drainAlerts(): readonly AlertMessage[] {
    if (this.alerts.length === 0) return EMPTY_ALERTS;
    const out = this.alerts;
    this.alerts = [];
    return out;
  }

  /**
   * What changed since the last flush, as the next message of the stream: the epoch's first
   * message is a snapshot, then deltas with only changed levels inside the depth. Null when
   * nothing visible changed.
   */
  flush(now: number): ConsensusBookMessage | null {
    this.evaluateDivergence(now);
    if (!this.started) return this.streamSnapshot(now);
    if (now - this.viewsAt >= VIEWS_REFRESH_MS) this.viewsChanged = true;
    if (!this.bids.changed && !this.asks.changed && !this.viewsChanged) return null;
    const bids: ConsensusLevel[] = (this.outBids = []);
    const asks: ConsensusLevel[] = (this.outAsks = []);
    this.bids.flush(this.emitBid);
    this.asks.flush(this.emitAsk);
    this.outBids = this.outAsks = NO_LEVELS;
    const views = this.viewsChanged;
    this.viewsChanged = false;
    if (bids.length === 0 && asks.length === 0 && !views) return null;
    this.seq++;
    const msg = this.message('delta', now, bids, asks, this.depth);
    if (views) {
      msg.venues = this.views(now);
      this.viewsAt = now;
    }
    this.minRecv = Infinity;
    return msg;
  }

  /** The current book for a request (does not advance seq; flush first to make it current). */
  snapshot(now: number, depth = this.depth): ConsensusBookMessage {
    return this.snapshotMessage(now, depth);
  }

  views(now: number): Record<string, VenueView> {
    const out: Record<string, VenueView> = {};
    for (const s of this.slots) {
      const v: VenueView = {
        state: s.venueState === 'down' ? 'down' : s.stale ? 'stale' : s.phase !== 'live' ? s.phase : (s.bookState ?? 'live'),
        mid: s.book.mid(),
        age_ms: Math.round(Math.max(0, now - s.lastActivity)),
        stale: s.stale,
        divergent: s.divergence.divergent,
        member: s.member,
      };
      if (s.divergence.bps !== undefined) v.bps = s.divergence.bps;
      out[s.venue] = v;
    }
    return out;
  }

  get crossed(): boolean {
    const b = this.bids.totals;
    const a = this.asks.totals;
    return b.length > 0 && a.length > 0 && b.bestPrice() >= a.bestPrice();
  }

  // ---- output ------------------------------------------------------------------------------

  private level(side: ConsensusSide, k: number, total: number): ConsensusLevel {
    const b = side.buckets.get(k);
    // an emitted bucket is always in the map (emptied ones are swept only after a flush); the
    // fallback keeps a level correct should that ever change
    if (b === undefined) return [this.grid.format(k), total === 0 ? '0' : formatScaled(total, this.sizeScale), {}];
    if (b.price === '') b.price = this.grid.format(k);
    const price = b.price;
    const perVenue: Record<string, string> = {};
    if (total === 0) return [price, '0', perVenue];
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      const size = b.sizes[s.index]!;
      if (size === 0 || !s.listed) continue;
      let text = b.texts[s.index]!;
      if (text === '') text = b.texts[s.index] = formatScaled(size, this.sizeScale);
      perVenue[s.venue] = text;
    }
    return [price, formatScaled(total, this.sizeScale), perVenue];
  }

  private streamSnapshot(now: number): ConsensusBookMessage {
    this.started = true;
    this.seq++;
    const msg = this.snapshotMessage(now, this.depth);
    this.viewsAt = now;
    this.bids.resetWindow();
    this.asks.resetWindow();
    this.viewsChanged = false;
    this.minRecv = Infinity;
    return msg;
  }

  private snapshotMessage(now: number, depth: number): ConsensusBookMessage {
    const bids: ConsensusLevel[] = [];
    const asks: ConsensusLevel[] = [];
    this.bids.totals.forEachTop(depth, (k, total) => bids.push(this.level(this.bids, k, total)));
    this.asks.totals.forEachTop(depth, (k, total) => asks.push(this.level(this.asks, k, total)));
    const msg = this.message('snapshot', now, bids, asks, depth);
    msg.venues = this.views(now);
    return msg;
  }

  private message(kind: 'snapshot' | 'delta', now: number, bids: ConsensusLevel[], asks: ConsensusLevel[], depth: number): ConsensusBookMessage {
    return {
      v: 1,
      kind,
      symbol: this.symbol,
      epoch: this.epoch,
      seq: this.seq,
      prev_seq: this.seq - 1,
      depth,
      ts: this.lastTs,
      recv_ts: this.minRecv === Infinity ? now : this.minRecv,
      merge_ts: now,
      bids,
      asks,
      crossed: this.crossed,
    };
  }
}

const EMPTY_ALERTS: readonly AlertMessage[] = Object.freeze([]);
/** outside a flush the emitters have nowhere to write (frozen: a stray emit throws) */
const NO_LEVELS: ConsensusLevel[] = Object.freeze([]) as unknown as ConsensusLevel[];
