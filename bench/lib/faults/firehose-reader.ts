/**
 * A firehose client as a careful user writes it: it remembers the last seq it received and,
 * whenever its socket closes (firehose killed, restarted, NATS away), reconnects with
 * `?after=<last seq>` so it gets exactly the rest. It records every liquidation, every GAP, and
 * how long it was without a connection.
 */
import type WebSocket from 'ws';
import type { DeliveredLiquidation } from './liquidations.js';
import { ReconnectingSocket } from './reconnecting-socket.js';

export interface FirehoseReaderOptions {
  /** ws://host:port of a firehose (or several: the next one is tried on reconnect) */
  urls: string[];
  token: string;
  /** the first connection's after= (0 = from the log's start) */
  after?: number;
  reconnectMs?: number;
}

type FeedMessage = { type?: string; id?: string; seq?: number; venue?: string; ts?: number; from_seq?: number; to_seq?: number | null; reason?: string };

export class FirehoseReader extends ReconnectingSocket {
  readonly received: DeliveredLiquidation[] = [];
  readonly gaps: { from_seq: number; to_seq: number | null; reason: string }[] = [];
  lastSeq: number;
  /** seqs that went backwards or repeated (a replay overlapping what was already read) */
  seqRegressions = 0;
  lastMessageAt = 0;
  /** when each socket opened and closed */
  readonly opens: number[] = [];
  readonly closesAt: number[] = [];
  private openWaiters: (() => void)[] = [];

  constructor(private readonly opts: FirehoseReaderOptions) {
    super(opts.urls, opts.reconnectMs);
    this.lastSeq = opts.after ?? 0;
  }

  start(): Promise<void> {
    this.connect();
    return new Promise((r) => this.openWaiters.push(r));
  }

  protected address(base: string): string {
    return `${base.replace(/^http/, 'ws')}/ws/v1/liquidation/feed?token=${encodeURIComponent(this.opts.token)}&after=${this.lastSeq}`;
  }

  protected override onOpen(): void {
    this.opens.push(Date.now());
    for (const w of this.openWaiters.splice(0)) w();
  }

  protected override onClosed(): void {
    this.closesAt.push(Date.now());
  }

  protected onJson(_ws: WebSocket, json: unknown): void {
    const m = json as FeedMessage;
    this.lastMessageAt = Date.now();
    if (m.type === 'GAP') {
      this.gaps.push({ from_seq: m.from_seq ?? 0, to_seq: m.to_seq ?? null, reason: m.reason ?? '' });
      if (typeof m.to_seq === 'number' && m.to_seq > this.lastSeq) this.lastSeq = m.to_seq;
      return;
    }
    if (m.type !== undefined || typeof m.id !== 'string' || typeof m.seq !== 'number') return;
    if (m.seq <= this.lastSeq) this.seqRegressions++;
    else this.lastSeq = m.seq;
    this.received.push({ id: m.id, seq: m.seq, venue: m.venue ?? '', ts: m.ts ?? 0 });
  }
}
