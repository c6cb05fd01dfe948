/**
 * The venue-book half of a consensus book: each member venue book (VenueSlot) rebuilt from
 * collector snapshots and deltas with seq checks, its size differences moved into the consensus
 * sides as they happen, gaps buffered until a snapshot resyncs the book. Pure: every call takes
 * `now`. Membership (who counts) is the subclass's job (book-membership.ts), the wire output the
 * ConsensusBook's (consensus-book.ts).
 */
import { pow10, seqStep, type AlertMessage, type BookMessage, type Level } from '../core/index.js';
import { alert } from './alerts.js';
import { ConsensusSide } from './consensus-side.js';
import type { ConsensusGroup } from './groups.js';
import { Tick } from './tick.js';
import { MAX_PENDING_DELTAS, VenueSlot } from './venue-slot.js';

export interface ConsensusRules {
  staleAfterMs: number;
  staleAfterOverrides: Readonly<Record<string, number>>;
  /** decimal strings in bps, exact */
  divergenceBps: string;
  convergenceBps: string;
  divergenceMinMs: number;
  divergenceExclude: boolean;
}

export const DEFAULT_RULES: ConsensusRules = Object.freeze({
  staleAfterMs: 5000,
  staleAfterOverrides: {},
  divergenceBps: '30',
  convergenceBps: '25',
  divergenceMinMs: 1000,
  divergenceExclude: false,
});

/** applied: in the book; buffered: waiting for a snapshot; gap: ask the collector for one. */
export type ApplyResult = 'applied' | 'buffered' | 'gap' | 'ignored' | 'unknown';

export abstract class VenueIntake {
  readonly symbol: string;
  readonly depth: number;
  readonly grid: Tick;
  readonly slots: VenueSlot[];
  readonly bids: ConsensusSide;
  readonly asks: ConsensusSide;
  protected sizeScale = 0;
  protected alerts: AlertMessage[] = [];
  protected viewsChanged = false;
  protected midsDirty = true;
  protected minRecv = Infinity;
  protected lastTs = 0;

  constructor(
    group: ConsensusGroup,
    protected readonly rules: ConsensusRules,
    now: number,
  ) {
    this.symbol = group.symbol;
    this.depth = group.depth;
    this.grid = new Tick(group.tick);
    this.slots = group.members.map((m, i) => new VenueSlot(i, m.venue, m.symbol, rules.staleAfterOverrides[m.venue] ?? rules.staleAfterMs, now));
    this.bids = new ConsensusSide(true, this.slots.length, this.depth);
    this.asks = new ConsensusSide(false, this.slots.length, this.depth);
  }

  slot(venue: string, symbol: string): VenueSlot | undefined {
    // a handful of members: a scan compares short strings, where a Map would hash each fresh one twice
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.venue === venue && s.symbol === symbol) return s;
    }
    return undefined;
  }

  /** Venue books that need a collector snapshot (never synced, or out of sequence). */
  needsSnapshot(): VenueSlot[] {
    return this.slots.filter((s) => s.phase !== 'live');
  }

  applyBook(msg: BookMessage, now: number): ApplyResult {
    const slot = this.slot(msg.venue, msg.symbol);
    if (slot === undefined) return 'unknown';
    // activity first: a message that arrives just past the stale threshold proves the feed alive
    slot.lastActivity = Math.max(slot.lastActivity, now);
    let result: ApplyResult;
    if (msg.kind === 'snapshot') {
      result = this.applySnapshot(slot, msg, now);
    } else if (slot.phase !== 'live') {
      this.buffer(slot, msg);
      result = 'buffered';
    } else {
      result = this.continueWith(slot, msg, now);
      if (result === 'ignored') return result;
    }
    this.refresh(slot, now);
    return result;
  }

  /** A delta on a live venue book: applied when it continues the chain, a resync on a gap. */
  private continueWith(slot: VenueSlot, d: BookMessage, now: number): ApplyResult {
    const step = seqStep(slot.seq, d.seq, d.prev_seq);
    if (step === 'duplicate') return 'ignored';
    if (step === 'gap') {
      this.startResync(slot, now, { expected_prev_seq: slot.seq, prev_seq: d.prev_seq, seq: d.seq });
      this.buffer(slot, d);
      return 'gap';
    }
    this.applyDelta(slot, d);
    return 'applied';
  }

  /**
   * The venue book can no longer be trusted (a message failed half-way, or the caller knows of a
   * gap): it leaves the consensus until a snapshot rebuilds it.
   */
  invalidate(venue: string, symbol: string, now: number, reason: string): VenueSlot | undefined {
    const slot = this.slot(venue, symbol);
    if (slot !== undefined && slot.phase === 'live') this.startResync(slot, now, { reason });
    return slot;
  }

  /** Staleness and membership of a venue book after anything about it changed. */
  protected abstract refresh(slot: VenueSlot, now: number): void;

  protected applySnapshot(slot: VenueSlot, msg: BookMessage, now: number): ApplyResult {
    this.clearSlot(slot);
    this.applyLevels(slot, true, msg.bids);
    this.applyLevels(slot, false, msg.asks);
    slot.seq = msg.seq;
    slot.phase = 'live';
    slot.statusSeq = -1;
    slot.updateMid();
    this.noteInput(msg);
    const pending = slot.pending;
    slot.pending = [];
    let result: ApplyResult = 'applied';
    for (const d of pending) {
      if (slot.phase !== 'live') slot.pending.push(d);
      else if (this.continueWith(slot, d, now) === 'gap') result = 'gap';
    }
    return result;
  }

  protected applyDelta(slot: VenueSlot, msg: BookMessage): void {
    this.applyLevels(slot, true, msg.bids);
    this.applyLevels(slot, false, msg.asks);
    slot.seq = msg.seq;
    slot.updateMid();
    this.noteInput(msg);
  }

  protected applyLevels(slot: VenueSlot, isBid: boolean, levels: Level[]): void {
    const book = slot.book;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i]!;
      const p = book.priceInt(l[0]);
      const q = book.sizeInt(l[1]);
      const prev = (isBid ? book.bids : book.asks).set(p, q);
      if (prev !== q) this.move(slot, isBid, p, q - prev);
    }
  }

  /** Move a venue-level size difference (at the venue's size scale) into its bucket. */
  protected move(slot: VenueSlot, isBid: boolean, price: number, delta: number): void {
    const ss = slot.book.sizeScale;
    if (ss > this.sizeScale) this.growSizeScale(ss);
    const d = ss === this.sizeScale ? delta : delta * pow10(this.sizeScale - ss);
    (isBid ? this.bids : this.asks).change(slot.index, slot.bucket(price, isBid, this.grid), d, slot.member);
  }

  protected clearSlot(slot: VenueSlot): void {
    for (const isBid of [true, false]) {
      const side = isBid ? slot.book.bids : slot.book.asks;
      side.forEachTop(side.length, (p, q) => this.move(slot, isBid, p, -q));
    }
    slot.book.clear();
  }

  protected growSizeScale(scale: number): void {
    const f = pow10(scale - this.sizeScale);
    this.bids.rescale(f);
    this.asks.rescale(f);
    this.sizeScale = scale;
  }

  protected buffer(slot: VenueSlot, msg: BookMessage): void {
    if (slot.pending.length >= MAX_PENDING_DELTAS) slot.pending.shift(); // drop-oldest
    slot.pending.push(msg);
  }

  protected startResync(slot: VenueSlot, now: number, detail: Record<string, unknown>): void {
    slot.phase = 'resyncing';
    slot.pending = [];
    this.alerts.push(alert(this.symbol, 'RESYNC', slot.venue, { venue_symbol: slot.symbol, ...detail }, now));
    this.refresh(slot, now);
  }

  protected noteInput(msg: BookMessage): void {
    if (msg.recv_ts < this.minRecv) this.minRecv = msg.recv_ts;
    if (msg.ts > this.lastTs) this.lastTs = msg.ts;
  }
}
