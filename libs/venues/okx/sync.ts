/**
 * OKX order-book sync (venues.md §4 "Sequence rules", "Book sync", "Checksum").
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 *
 * Two start-up paths, both ending in the same join:
 * - legacy: an `action:"snapshot"` frame replaces the book (OKX sends it first after subscribing
 *   until it removes it, ⚠ August 2026);
 * - REST bootstrap: updates are buffered, GET /api/v5/market/books gives `seqId`; buffered updates
 *   with seqId <= snap.seqId are dropped and the first kept one must satisfy
 *   prevSeqId <= snap.seqId < seqId (the snapshot id need not appear in the stream).
 * In `ws-snapshot` mode (default) a WS snapshot is used when it arrives and REST is asked for when
 * updates come first; in `rest` mode WS snapshots are ignored.
 *
 * Steady state has one test: `prevSeqId === local seqId`. It accepts the two documented oddities —
 * keep-alive updates (empty, prevSeqId == seqId) and sequence resets after maintenance (seqId drops
 * below prevSeqId, which still equals the previous seqId) — and rejects everything else.
 * Recordings from before OKX added seqId (the 2022 capture) carry no ids: no sequence check is
 * possible then, only the checksum.
 */
import type { Instrument } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
import type { RawLevel } from '../validate.js';
import { bad } from '../validate.js';
import type { OkxBookChannel } from './channels.js';
import { parseOkxBooksSnapshot, type OkxBookFrame } from './parse.js';
import { RawStringBook } from './raw-book.js';

export type OkxBootstrap = 'ws-snapshot' | 'rest';

/** Updates buffered while waiting for a snapshot; past this the oldest are dropped (the join check then decides). */
export const MAX_BUFFERED_UPDATES = 2000;

type Applied = Extract<SyncResult, { action: 'applied' }>;

export class OkxBookSync implements BookSync<OkxBookFrame> {
  private readonly raw = new RawStringBook();
  readonly book = this.raw.book;
  readonly exactDepth: number;
  readonly recovery: 'rest-snapshot' | 'resubscribe';
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  private buffer: OkxBookFrame[] = [];
  private requested = false;
  /** seqId of the last update applied (or of the snapshot); undefined for data without ids */
  private seq: number | undefined;
  /** live, but no update applied since the snapshot: the next one may straddle it */
  private joining = false;

  constructor(
    readonly instrument: Instrument,
    readonly channel: OkxBookChannel,
    readonly bootstrap: OkxBootstrap = 'ws-snapshot',
  ) {
    this.exactDepth = channel.depth;
    this.recovery = bootstrap === 'rest' ? 'rest-snapshot' : 'resubscribe';
  }

  /** seqId of the last applied message */
  get seqId(): number | undefined {
    return this.seq;
  }

  reset(): void {
    this.discard();
    this.state = 'syncing';
  }

  onFrame(f: OkxBookFrame, _recvTs: number): SyncResult {
    if (f.action === 'full') return this.replace(f);
    if (f.action === 'snapshot') {
      if (this.bootstrap === 'rest') return { action: 'none' }; // REST is the only source in this mode
      return this.join(f.bids, f.asks, f.seqId, f.ts, f.checksum);
    }
    if (this.state !== 'live') {
      if (this.buffer.length >= MAX_BUFFERED_UPDATES) this.buffer.shift();
      this.buffer.push(f);
      if (this.requested) return { action: 'none' };
      // Updates before any snapshot: the venue sends none (2026) or we are in `rest` mode.
      this.requested = true;
      return { action: 'need-snapshot' };
    }
    return this.step(f);
  }

  onSnapshot(body: unknown, _recvTs: number): SyncResult {
    const snap = parseOkxBooksSnapshot(body);
    if (this.state === 'live') return { action: 'none' }; // late or duplicate: must not rewind the book
    if (snap.seqId === undefined) {
      this.requested = false; // the next update asks again
      throw bad(`okx books snapshot for ${this.instrument.venueSymbol} has no seqId: it cannot be joined to the stream`);
    }
    const first = this.buffer[0];
    if (first?.prevSeqId !== undefined && snap.seqId < first.prevSeqId) {
      // Older than everything buffered: the updates in between are lost to us. Fetch again.
      this.requested = true; // the engine fetches on this result
      return { action: 'resync', code: 'STALE_SNAPSHOT', detail: `snapshot seqId ${snap.seqId} < first buffered prevSeqId ${first.prevSeqId}`, recover: 'rest-snapshot' };
    }
    return this.join(snap.bids, snap.asks, snap.seqId, snap.ts, 0);
  }

  /** Book := snapshot, then the buffered updates it does not contain, in order. */
  private join(bids: RawLevel[], asks: RawLevel[], snapSeq: number | undefined, ts: number, checksum: number): SyncResult {
    // Updates without ids cannot be placed against the snapshot; the snapshot supersedes them.
    const pending = snapSeq === undefined ? [] : this.buffer.filter((u) => u.seqId !== undefined && u.seqId > snapSeq);
    this.raw.clear();
    this.raw.apply(bids, asks, { bids: [], asks: [] });
    this.raw.truncate(this.exactDepth);
    this.seq = snapSeq;
    this.buffer = [];
    this.requested = false;
    this.state = 'live';
    this.joining = true;
    let verified = false;
    if (checksum !== 0) {
      const failed = this.verify(checksum, 'snapshot');
      if (failed) return failed;
      verified = true;
    }
    for (const u of pending) {
      const r = this.step(u);
      if (r.action === 'resync') return r;
      if (r.action !== 'applied') continue;
      ts = r.ts;
      verified ||= r.checksum === 'ok';
    }
    // The whole book is new: every level is a change.
    const { bids: changedBids, asks: changedAsks } = this.raw.prices();
    const out: Applied = { action: 'applied', kind: 'snapshot', changes: { bids: changedBids, asks: changedAsks }, ts };
    if (verified) out.checksum = 'ok';
    return out;
  }

  /** One live update. */
  private step(f: OkxBookFrame): SyncResult {
    if (f.seqId !== undefined && f.prevSeqId !== undefined && this.seq !== undefined) {
      if (this.joining) {
        // After a snapshot the first update may straddle it: prevSeqId <= snap < seqId.
        // (A sequence reset exactly here looks "contained"; the next update then breaks the chain loudly.)
        if (f.seqId <= this.seq) return { action: 'none' };
        if (f.prevSeqId > this.seq) return this.gap(`first update after snapshot ${this.seq} has prevSeqId ${f.prevSeqId}`);
      } else if (f.prevSeqId !== this.seq) {
        return this.gap(`prevSeqId ${f.prevSeqId} != local seqId ${this.seq}`);
      }
    }
    this.joining = false;
    const changes: Changes = { bids: [], asks: [] };
    this.raw.apply(f.bids, f.asks, changes);
    this.raw.truncate(this.exactDepth);
    if (f.seqId !== undefined) this.seq = f.seqId;
    const out: Applied = { action: 'applied', kind: 'delta', changes, ts: f.ts };
    if (f.checksum !== 0) {
      const failed = this.verify(f.checksum, `update ${f.seqId ?? ''}`.trim());
      if (failed) return failed;
      out.checksum = 'ok';
    }
    return out;
  }

  /** books5 / bbo-tbt: every push is the whole (shallow) book; report it as a diff after the first. */
  private replace(f: OkxBookFrame): SyncResult {
    const first = this.state !== 'live';
    const changes: Changes = { bids: [], asks: [] };
    this.raw.replace(f.bids, f.asks, changes);
    this.raw.truncate(this.exactDepth);
    if (f.seqId !== undefined) this.seq = f.seqId;
    this.state = 'live';
    return { action: 'applied', kind: first ? 'snapshot' : 'delta', changes, ts: f.ts };
  }

  private verify(expected: number, what: string): SyncResult | null {
    const got = this.raw.checksum();
    if (got === expected) return null;
    this.discard();
    // The checksum covers the legacy WS snapshot path: a fresh subscription brings a fresh book.
    return { action: 'resync', code: 'CHECKSUM_MISMATCH', detail: `${what}: checksum ${got} != ${expected}`, recover: 'resubscribe' };
  }

  private gap(detail: string): SyncResult {
    this.discard();
    this.requested = this.recovery === 'rest-snapshot'; // the engine fetches on this result
    return { action: 'resync', code: 'SEQUENCE_GAP', detail, recover: this.recovery };
  }

  private discard(): void {
    this.raw.clear();
    this.buffer = [];
    this.seq = undefined;
    this.joining = false;
    this.requested = false;
    this.state = 'resyncing';
  }
}
