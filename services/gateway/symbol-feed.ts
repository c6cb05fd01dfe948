/**
 * Keeps one HeldBook in step with the merger (design.md: a subscriber that sees a gap asks for a
 * snapshot and says so; it never serves a book it knows to be wrong). IO-free: it returns what to
 * do (ask for a snapshot, and why) and the caller does the NATS request and the fan-out.
 *
 * While a snapshot request is out, deltas are buffered (capped); when the reply lands, the ones
 * that continue it are applied, so a resync loses nothing that arrived meanwhile.
 */
import type { ConsensusBookMessage } from '../../libs/core/index.js';
import { HeldBook } from './held-book.js';

export type ResyncReason = 'start' | 'gap' | 'epoch' | 'bad' | 'buffer_overflow' | 'retry';

export interface FeedStep {
  /** the held book changed and is synced: fan out */
  changed: boolean;
  /** ask the merger for a snapshot */
  requestSnapshot?: ResyncReason;
}

const NOTHING: FeedStep = { changed: false };

export class SymbolFeed {
  readonly held: HeldBook;
  /** a snapshot request is outstanding */
  requesting = false;
  private buffer: ConsensusBookMessage[] = [];

  constructor(
    symbol: string,
    private readonly bufferMax: number,
  ) {
    this.held = new HeldBook(symbol);
  }

  /** A message from `bookfuse.v1.consensus.book.<CSYM>`. */
  onPublished(m: ConsensusBookMessage, now: number): FeedStep {
    const held = this.held;
    held.heardAt = now;
    if (m.kind === 'snapshot') return this.takeSnapshot(m, now);
    if (!held.synced) {
      if (this.buffer.length >= this.bufferMax) {
        this.buffer = [];
        this.requesting = false;
        return this.ask('buffer_overflow');
      }
      this.buffer.push(m);
      return this.ask('gap');
    }
    const r = held.applyDelta(m, now);
    if (r === 'applied') return { changed: true };
    if (r === 'duplicate') return NOTHING;
    this.buffer = [m];
    return this.ask(r);
  }

  /** The merger's reply to our snapshot request. */
  onSnapshotReply(m: ConsensusBookMessage, now: number): FeedStep {
    this.requesting = false;
    const held = this.held;
    held.heardAt = now;
    // a published snapshot or the buffer may have already moved us past this reply
    if (held.synced && m.epoch === held.epoch && m.seq <= held.seq) return NOTHING;
    return this.takeSnapshot(m, now);
  }

  /** The request failed or timed out: the caller pauses, then calls `retry`. */
  onSnapshotFailed(): void {
    this.requesting = false;
  }

  /** Start-up, or a pause after a failed request: ask again unless synced meanwhile. */
  retry(reason: ResyncReason): FeedStep {
    return this.held.synced ? NOTHING : this.ask(reason);
  }

  private takeSnapshot(m: ConsensusBookMessage, now: number): FeedStep {
    if (!this.held.applySnapshot(m, now)) return this.ask('bad');
    const pending = this.buffer.filter((d) => d.epoch === m.epoch && d.seq > m.seq).sort((a, b) => a.seq - b.seq);
    this.buffer = [];
    for (const d of pending) {
      const r = this.held.applyDelta(d, now);
      if (r !== 'applied' && r !== 'duplicate') return this.ask(r);
    }
    return { changed: true };
  }

  private ask(reason: ResyncReason): FeedStep {
    if (this.requesting) return NOTHING;
    this.requesting = true;
    return { changed: false, requestSnapshot: reason };
  }
}
