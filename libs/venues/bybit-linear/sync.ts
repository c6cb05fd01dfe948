/**
 * Bybit v5 `orderbook.N` sync (venues.md §3).
 * https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook
 *
 * No REST bootstrap: deltas before the first snapshot are dropped; a snapshot (or any message
 * with u == 1, the venue's restart signal) replaces the book; a delta must carry a higher u than
 * the last one, else the book is discarded and the topic resubscribed. After every message each
 * side is cut to N levels, because Bybit sends no deletes for levels that fall out of range.
 * Bybit documents no +1 rule for u, so jumps are counted, not treated as gaps.
 */
import { L2Book, seqStep, type Instrument } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
// absolute sizes, 0 deletes: the same level rule as Binance's
import { applyLevels } from '../levels.js';
import type { RawLevel } from '../validate.js';
import type { BybitBookFrame } from './parse.js';

export class BybitBookSync implements BookSync<BybitBookFrame> {
  readonly book = new L2Book();
  readonly recovery = 'resubscribe' as const;
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  /** deltas whose u skipped ids (not a failure on Bybit; a metric) */
  uJumps = 0;
  private lastU = -1;
  /** levels per side the venue keeps for this topic: the subscribed N, then what the topic says */
  private depth: number;

  constructor(
    readonly instrument: Instrument,
    subscribedDepth: number,
  ) {
    this.depth = subscribedDepth;
  }

  get exactDepth(): number {
    return this.depth;
  }

  /** u of the last message applied */
  get lastUpdateId(): number {
    return this.lastU;
  }

  reset(): void {
    this.book.clear();
    this.lastU = -1;
    this.state = 'syncing';
  }

  onFrame(f: BybitBookFrame, _recvTs: number): SyncResult {
    if (f.type === 'snapshot' || f.u === 1) return this.replace(f);
    if (this.state !== 'live') return { action: 'none' }; // a delta before the first snapshot
    // Bybit's own reading of the common step: an old u is no repeat to skip but a chain that
    // restarted unannounced (resync), and a jump is no gap (counted only)
    const step = seqStep(this.lastU, f.u);
    if (step === 'duplicate') {
      const detail = `u ${f.u} after ${this.lastU} without a snapshot`;
      this.book.clear();
      this.lastU = -1;
      this.state = 'resyncing';
      return { action: 'resync', code: 'SEQUENCE_GAP', detail, recover: 'resubscribe' };
    }
    if (step === 'gap') this.uJumps++;
    // A throw below leaves state 'live': the engine discards the book and resyncs (engine.guard).
    const changes = this.apply(f.bids, f.asks);
    this.lastU = f.u;
    return { action: 'applied', kind: 'delta', changes, ts: f.ts };
  }

  /** Bybit books bootstrap from the stream; a REST body has another u space (orderbook.1000's). */
  onSnapshot(_body: unknown, _recvTs: number): SyncResult {
    return { action: 'none' };
  }

  private replace(f: BybitBookFrame): SyncResult {
    this.book.clear();
    this.depth = f.depth;
    try {
      const changes = this.apply(f.bids, f.asks);
      this.lastU = f.u;
      this.state = 'live';
      return { action: 'applied', kind: 'snapshot', changes, ts: f.ts };
    } catch (e) {
      // A half-built snapshot is no book. A live sync stays 'live' so the engine discards it and
      // resubscribes (engine.guard); a syncing one waits for the next snapshot.
      this.book.clear();
      this.lastU = -1;
      throw e;
    }
  }

  private apply(bids: RawLevel[], asks: RawLevel[]): Changes {
    const changes: Changes = { bids: [], asks: [] };
    applyLevels(this.book, bids, asks, changes);
    this.book.bids.truncate(this.depth);
    this.book.asks.truncate(this.depth);
    return changes;
  }
}
