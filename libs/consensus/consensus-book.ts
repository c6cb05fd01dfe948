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
import { Decimal, decString, formatScaled, pow10, type AlertMessage, type BookMessage, type ConsensusBookMessage, type ConsensusLevel, type Level, type StatusMessage, type VenueView } from '../core/index.js';
import { alert } from './alerts.js';
import { ConsensusSide } from './consensus-side.js';
import { compareBps, median4, threshold, type Threshold } from './divergence.js';
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

/**
 * Venue views (state, mid, age) ride on deltas when they change; ages change all the time, so they
 * are also re-sent at least this often, which keeps a subscriber's "last message age" honest.
 */
export const VIEWS_REFRESH_MS = 1000;

export class ConsensusBook {
  readonly symbol: string;
  readonly depth: number;
  readonly grid: Tick;
  readonly slots: VenueSlot[];
  readonly bids: ConsensusSide;
  readonly asks: ConsensusSide;
  private readonly divT: Threshold;
  private readonly convT: Threshold;
  private sizeScale = 0;
  private seq = 0;
  private started = false;
  private alerts: AlertMessage[] = [];
  private viewsChanged = false;
  /** when venue views were last published; ages move continuously, so they are re-sent each VIEWS_REFRESH_MS */
  private viewsAt = 0;
  private midsDirty = true;
  private readonly midScratch: Float64Array;
  private readonly divF: number;
  private readonly convF: number;
  private minRecv = Infinity;
  private lastTs = 0;
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
    private readonly rules: ConsensusRules,
    private epochValue: number,
    now: number,
  ) {
    this.symbol = group.symbol;
    this.depth = group.depth;
    this.grid = new Tick(group.tick);
    this.slots = group.members.map((m, i) => new VenueSlot(i, m.venue, m.symbol, rules.staleAfterOverrides[m.venue] ?? rules.staleAfterMs, now));
    this.bids = new ConsensusSide(true, this.slots.length, this.depth);
    this.asks = new ConsensusSide(false, this.slots.length, this.depth);
    this.divT = threshold(rules.divergenceBps);
    this.convT = threshold(rules.convergenceBps);
    this.divF = Number(rules.divergenceBps);
    this.convF = Number(rules.convergenceBps);
    this.midScratch = new Float64Array(this.slots.length);
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
    } else if (msg.seq <= slot.seq) {
      return 'ignored';
    } else if (msg.prev_seq !== slot.seq) {
      this.startResync(slot, now, { expected_prev_seq: slot.seq, prev_seq: msg.prev_seq, seq: msg.seq });
      this.buffer(slot, msg);
      result = 'gap';
    } else {
      this.applyDelta(slot, msg);
      result = 'applied';
    }
    this.refresh(slot, now);
    return result;
  }

  /**
   * Collector status: venue `down` or a book state other than live takes the book out at once;
   * `last_msg_ts` counts as activity. A seq the collector reported in its previous status that
   * still has not arrived means deltas were lost without a later one to show the gap.
   * `onlySymbol` limits it to one venue book (the one whose collector line sent it).
   */
  applyStatus(msg: StatusMessage, now: number, onlySymbol?: string): VenueSlot[] {
    const behind: VenueSlot[] = [];
    for (const slot of this.slots) {
      if (slot.venue !== msg.venue || (onlySymbol !== undefined && slot.symbol !== onlySymbol)) continue;
      slot.venueState = msg.state;
      const s = msg.symbols[slot.symbol];
      if (s !== undefined) {
        slot.bookState = s.state;
        slot.convertible = s.convertible !== false;
        if (typeof s.last_msg_ts === 'number' && s.last_msg_ts > slot.lastActivity) slot.lastActivity = Math.min(s.last_msg_ts, now);
        if (slot.phase === 'live' && s.state === 'live' && slot.statusSeq > slot.seq) {
          this.startResync(slot, now, { expected_seq: slot.statusSeq, seq: slot.seq, reason: 'status seq ahead' });
          behind.push(slot);
        }
        slot.statusSeq = typeof s.seq === 'number' ? s.seq : -1;
      }
      this.refresh(slot, now);
    }
    return behind;
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

  /** Time passed: staleness and divergence timers. */
  tick(now: number): void {
    for (const slot of this.slots) this.refresh(slot, now);
    this.evaluateDivergence(now);
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

  /** Median of eligible venue mids as an exact decimal string (null when none has two sides). */
  consensusMid(): string | null {
    const { v4, m4, scale } = this.exactMids();
    if (v4.size === 0) return null;
    return decString(new Decimal(m4.toString()).div(4).div(new Decimal(10).pow(scale)));
  }

  get crossed(): boolean {
    const b = this.bids.totals;
    const a = this.asks.totals;
    return b.length > 0 && a.length > 0 && b.bestPrice() >= a.bestPrice();
  }

  // ---- venue books -------------------------------------------------------------------------

  private applySnapshot(slot: VenueSlot, msg: BookMessage, now: number): ApplyResult {
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
      if (slot.phase !== 'live') {
        slot.pending.push(d);
      } else if (d.seq <= slot.seq) {
        continue;
      } else if (d.prev_seq !== slot.seq) {
        this.startResync(slot, now, { expected_prev_seq: slot.seq, prev_seq: d.prev_seq, seq: d.seq });
        slot.pending.push(d);
        result = 'gap';
      } else {
        this.applyDelta(slot, d);
      }
    }
    return result;
  }

  private applyDelta(slot: VenueSlot, msg: BookMessage): void {
    this.applyLevels(slot, true, msg.bids);
    this.applyLevels(slot, false, msg.asks);
    slot.seq = msg.seq;
    slot.updateMid();
    this.noteInput(msg);
  }

  private applyLevels(slot: VenueSlot, isBid: boolean, levels: Level[]): void {
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
  private move(slot: VenueSlot, isBid: boolean, price: number, delta: number): void {
    const ss = slot.book.sizeScale;
    if (ss > this.sizeScale) this.growSizeScale(ss);
    const d = ss === this.sizeScale ? delta : delta * pow10(this.sizeScale - ss);
    (isBid ? this.bids : this.asks).change(slot.index, slot.bucket(price, isBid, this.grid), d, slot.member);
  }

  private clearSlot(slot: VenueSlot): void {
    for (const isBid of [true, false]) {
      const side = isBid ? slot.book.bids : slot.book.asks;
      side.forEachTop(side.length, (p, q) => this.move(slot, isBid, p, -q));
    }
    slot.book.clear();
  }

  private growSizeScale(scale: number): void {
    const f = pow10(scale - this.sizeScale);
    this.bids.rescale(f);
    this.asks.rescale(f);
    this.sizeScale = scale;
  }

  private buffer(slot: VenueSlot, msg: BookMessage): void {
    if (slot.pending.length >= MAX_PENDING_DELTAS) slot.pending.shift(); // drop-oldest
    slot.pending.push(msg);
  }

  private startResync(slot: VenueSlot, now: number, detail: Record<string, unknown>): void {
    slot.phase = 'resyncing';
    slot.pending = [];
    this.alerts.push(alert(this.symbol, 'RESYNC', slot.venue, { venue_symbol: slot.symbol, ...detail }, now));
    this.refresh(slot, now);
  }

  private noteInput(msg: BookMessage): void {
    if (msg.recv_ts < this.minRecv) this.minRecv = msg.recv_ts;
    if (msg.ts > this.lastTs) this.lastTs = msg.ts;
  }

  // ---- membership --------------------------------------------------------------------------

  private refresh(slot: VenueSlot, now: number): void {
    const age = now - slot.lastActivity;
    const stale = slot.venueState === 'down' || age > slot.staleAfterMs;
    if (stale !== slot.stale) {
      slot.stale = stale;
      this.viewsChanged = true;
      this.alerts.push(
        stale
          ? alert(this.symbol, 'STALE', slot.venue, { venue_symbol: slot.symbol, age_ms: Math.round(age), reason: slot.venueState === 'down' ? 'down' : 'silent', stale_after_ms: slot.staleAfterMs }, now)
          : alert(this.symbol, 'RECOVERED', slot.venue, { venue_symbol: slot.symbol, age_ms: Math.round(Math.max(0, age)) }, now),
      );
    }
    const member = slot.eligible && !(this.rules.divergenceExclude && slot.divergence.divergent);
    if (member !== slot.member) {
      slot.member = member;
      this.bids.toggleMember(slot.index, member);
      this.asks.toggleMember(slot.index, member);
      this.viewsChanged = true;
      this.midsDirty = true;
    }
    const listed = slot.valid;
    if (listed !== slot.listed) {
      slot.listed = listed;
      this.bids.touchAll();
      this.asks.touchAll();
      this.viewsChanged = true;
      this.midsDirty = true;
    }
  }

  /**
   * Consensus mid = median of the mids of eligible venues (divergence itself does not matter
   * here, so excluding a divergent venue never moves the yardstick it is measured against).
   * Floats decide when a distance is clearly away from both thresholds; anything within
   * FLOAT_MARGIN_BPS of one is decided exactly with BigInt, so a threshold crossing is exact.
   */
  private evaluateDivergence(now: number): void {
    let changed = this.midsDirty;
    for (const s of this.slots) {
      if (s.topChanged) {
        changed = true;
        s.topChanged = false;
      }
    }
    const minMs = this.rules.divergenceMinMs;
    let flipped: VenueSlot[] | undefined;
    if (changed) {
      this.midsDirty = false;
      const mids = this.midScratch;
      let n = 0;
      for (const s of this.slots) if (judged(s)) mids[n++] = s.mid4 / pow10(s.book.priceScale);
      const m = medianOf(mids, n);
      let exact: { v4: Map<VenueSlot, bigint>; m4: bigint } | undefined;
      for (const s of this.slots) {
        if (!judged(s) || !(m > 0)) {
          s.divergence.suspend();
          continue;
        }
        const bps = (Math.abs(s.mid4 / pow10(s.book.priceScale) - m) / m) * 10000;
        let zone: -1 | 0 | 1;
        if (Math.abs(bps - this.divF) > FLOAT_MARGIN_BPS && Math.abs(bps - this.convF) > FLOAT_MARGIN_BPS) {
          zone = bps > this.divF ? 1 : bps < this.convF ? -1 : 0;
        } else {
          exact ??= this.exactMids();
          const v = exact.v4.get(s)!;
          zone = compareBps(v, exact.m4, this.divT) > 0 ? 1 : compareBps(v, exact.m4, this.convT) < 0 ? -1 : 0;
        }
        if (s.divergence.observe(zone, bps, now, minMs)) (flipped ??= []).push(s);
      }
    } else {
      for (const s of this.slots) if (s.divergence.advance(now, minMs)) (flipped ??= []).push(s);
    }
    if (flipped === undefined) return;
    for (const s of flipped) {
      this.viewsChanged = true;
      const d = s.divergence;
      this.alerts.push(
        alert(this.symbol, d.divergent ? 'DIVERGENCE' : 'CONVERGED', s.venue, { venue_symbol: s.symbol, mid: s.book.mid(), consensus_mid: this.consensusMid(), bps: d.bps }, now),
      );
      if (this.rules.divergenceExclude) this.refresh(s, now);
    }
  }

  /** 4·mid of every judged venue and 4·median, as BigInt at a common scale. */
  private exactMids(): { v4: Map<VenueSlot, bigint>; m4: bigint; scale: number } {
    const list = this.slots.filter(judged);
    let scale = 0;
    for (const s of list) scale = Math.max(scale, s.book.priceScale);
    const v4 = new Map(list.map((s) => [s, BigInt(s.mid4) * 10n ** BigInt(scale - s.book.priceScale)] as const));
    return { v4, m4: list.length > 0 ? median4([...v4.values()]) : 0n, scale };
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

/** a float distance this close to a threshold is re-decided exactly */
const FLOAT_MARGIN_BPS = 1e-6;

function judged(s: VenueSlot): boolean {
  return s.eligible && Number.isSafeInteger(s.mid4);
}

/** Median of the first n values (insertion-sorted in place: n is the number of venues, a handful). */
function medianOf(xs: Float64Array, n: number): number {
  if (n === 0) return NaN;
  for (let i = 1; i < n; i++) {
    const x = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > x) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = x;
  }
  return n % 2 === 1 ? xs[(n - 1) >> 1]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
}

const EMPTY_ALERTS: readonly AlertMessage[] = Object.freeze([]);
/** outside a flush the emitters have nowhere to write (frozen: a stray emit throws) */
const NO_LEVELS: ConsensusLevel[] = Object.freeze([]) as unknown as ConsensusLevel[];
