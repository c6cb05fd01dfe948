/**
 * One collector line's copy of one venue book, as the merger's line arbiter keeps it: the levels
 * as the collector published them (canonical decimal strings), where the line's seq chain stands,
 * and what the line's collector last said. Pure: every call takes `now`.
 */
import { seqStep, type BookMessage, type BookState, type Level, type SymbolStatus, type VenueState } from '../core/index.js';
import { MAX_PENDING_DELTAS, type SlotPhase } from './venue-slot.js';

export type LineApply = 'applied' | 'buffered' | 'gap' | 'ignored';

const ZERO = /^0(\.0*)?$/;

export class LineBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  phase: SlotPhase = 'syncing';
  seq = 0;
  depth: number | undefined;
  /** exchange time of the last message applied */
  ts = 0;
  pending: BookMessage[] = [];
  /** merger clock of the last book message on this line */
  lastActivity = -Infinity;
  venueState: VenueState = 'live';
  bookState: BookState | undefined;
  /** the line's last status entry for this book, replayed into the consensus on a switch */
  status: SymbolStatus | undefined;
  /** seq the line's collector reported in its previous status, to catch deltas lost in silence */
  private statusSeq = -1;

  constructor(readonly line: string) {}

  /**
   * A published message, or (`reply`) a snapshot that answered a request: a published snapshot
   * always replaces (a restarted collector starts a new chain), a reply only when the copy is not
   * in sequence or behind it.
   */
  apply(msg: BookMessage, now: number, reply = false): LineApply {
    this.lastActivity = Math.max(this.lastActivity, now);
    if (msg.kind === 'snapshot') return reply && this.phase === 'live' && msg.seq <= this.seq ? 'ignored' : this.snapshot(msg);
    if (this.phase !== 'live') {
      this.buffer(msg);
      return 'buffered';
    }
    return this.continueWith(msg);
  }

  /**
   * The line's collector status for this book. Returns true when a seq it reported in its
   * previous status has still not arrived: deltas were lost with no later one to show the gap.
   */
  onStatus(venueState: VenueState, s: SymbolStatus | undefined): boolean {
    this.venueState = venueState;
    if (s === undefined) return false;
    this.bookState = s.state;
    this.status = s;
    const behind = this.phase === 'live' && s.state === 'live' && this.statusSeq > this.seq;
    if (behind) {
      this.phase = 'resyncing';
      this.pending = [];
    }
    this.statusSeq = typeof s.seq === 'number' ? s.seq : -1;
    return behind;
  }

  /** In sequence, and the collector says neither the venue is down nor the book is off. */
  get usable(): boolean {
    return this.phase === 'live' && this.venueState !== 'down' && (this.bookState === undefined || this.bookState === 'live');
  }

  /** The line's book as a snapshot message, to replace a venue book's contribution in one step. */
  toSnapshot(venue: string, symbol: string, now: number): BookMessage {
    const msg: BookMessage = { v: 1, kind: 'snapshot', venue, symbol, seq: this.seq, prev_seq: 0, ts: this.ts, recv_ts: now, bids: levels(this.bids), asks: levels(this.asks), line: this.line };
    if (this.depth !== undefined) msg.depth = this.depth;
    return msg;
  }

  private snapshot(msg: BookMessage): LineApply {
    this.bids.clear();
    this.asks.clear();
    this.levels(msg);
    this.phase = 'live';
    this.statusSeq = -1;
    const pending = this.pending;
    this.pending = [];
    for (const d of pending) if (this.continueWith(d) === 'gap') return 'gap';
    return 'applied';
  }

  /** A delta on a live copy: applied when it continues the chain; on a gap the copy resyncs from it. */
  private continueWith(d: BookMessage): LineApply {
    const step = seqStep(this.seq, d.seq, d.prev_seq);
    if (step === 'duplicate') return 'ignored';
    if (step === 'gap') {
      this.phase = 'resyncing';
      this.pending = [d];
      return 'gap';
    }
    this.levels(d);
    return 'applied';
  }

  private levels(msg: BookMessage): void {
    for (const [p, q] of msg.bids) set(this.bids, p, q);
    for (const [p, q] of msg.asks) set(this.asks, p, q);
    this.seq = msg.seq;
    if (msg.depth !== undefined) this.depth = msg.depth;
    if (msg.ts > this.ts) this.ts = msg.ts;
  }

  private buffer(msg: BookMessage): void {
    if (this.pending.length >= MAX_PENDING_DELTAS) this.pending.shift(); // drop-oldest
    this.pending.push(msg);
  }
}

function set(side: Map<string, string>, price: string, size: string): void {
  if (ZERO.test(size)) side.delete(price);
  else side.set(price, size);
}

function levels(side: Map<string, string>): Level[] {
  return [...side].map(([p, q]) => [p, q]);
}
