/**
 * Who counts in a consensus book (docs/merger.md "The rules"): collector status, staleness,
 * membership and listing of each venue book, and divergence from the consensus mid (decided
 * exactly near the thresholds). Pure: every call takes `now`.
 */
import { Decimal, decString, pow10, type StatusMessage } from '../core/index.js';
import { alert } from './alerts.js';
import { compareBps, median4, threshold, type Threshold } from './divergence.js';
import type { ConsensusGroup } from './groups.js';
import type { VenueSlot } from './venue-slot.js';
import { VenueIntake, type ConsensusRules } from './venue-intake.js';

export abstract class BookMembership extends VenueIntake {
  private readonly divT: Threshold;
  private readonly convT: Threshold;
  private readonly midScratch: Float64Array;
  private readonly divF: number;
  private readonly convF: number;

  constructor(group: ConsensusGroup, rules: ConsensusRules, now: number) {
    super(group, rules, now);
    this.divT = threshold(rules.divergenceBps);
    this.convT = threshold(rules.convergenceBps);
    this.divF = Number(rules.divergenceBps);
    this.convF = Number(rules.convergenceBps);
    this.midScratch = new Float64Array(this.slots.length);
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

  /** Time passed: staleness and divergence timers. */
  tick(now: number): void {
    for (const slot of this.slots) this.refresh(slot, now);
    this.evaluateDivergence(now);
  }

  /** Median of eligible venue mids as an exact decimal string (null when none has two sides). */
  consensusMid(): string | null {
    const { v4, m4, scale } = this.exactMids();
    if (v4.size === 0) return null;
    return decString(new Decimal(m4.toString()).div(4).div(new Decimal(10).pow(scale)));
  }

  protected refresh(slot: VenueSlot, now: number): void {
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
  protected evaluateDivergence(now: number): void {
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
