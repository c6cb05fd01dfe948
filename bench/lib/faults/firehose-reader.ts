/**
 * A firehose client as a careful user writes it: it remembers the last seq it received and,
 * whenever its socket closes (firehose killed, restarted, NATS away), reconnects with
 * `?after=<last seq>` so it gets exactly the rest. It records every liquidation, every GAP, and
 * how long it was without a connection.
 */
import WebSocket from 'ws';
import type { DeliveredLiquidation } from './liquidations.js';

export interface FirehoseReaderOptions {
  /** ws://host:port of a firehose (or several: the next one is tried on reconnect) */
  urls: string[];
  token: string;
  /** the first connection's after= (0 = from the log's start) */
  after?: number;
  reconnectMs?: number;
}

export class FirehoseReader {
  readonly received: DeliveredLiquidation[] = [];
  readonly gaps: { from_seq: number; to_seq: number | null; reason: string }[] = [];
  lastSeq: number;
  connects = 0;
  /** seqs that went backwards or repeated (a replay overlapping what was already read) */
  seqRegressions = 0;
  lastMessageAt = 0;
  /** when each socket opened and closed */
  readonly opens: number[] = [];
  readonly closesAt: number[] = [];
  private ws: WebSocket | undefined;
  private stopped = false;
  private urlIndex = 0;
  private timer: NodeJS.Timeout | undefined;
  private openWaiters: (() => void)[] = [];

  constructor(private readonly opts: FirehoseReaderOptions) {
    this.lastSeq = opts.after ?? 0;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): Promise<void> {
    this.connect();
    return new Promise((r) => this.openWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
  }

  private connect(): void {
    if (this.stopped) return;
    const base = this.opts.urls[this.urlIndex % this.opts.urls.length]!;
    const url = `${base.replace(/^http/, 'ws')}/ws/v1/liquidation/feed?token=${encodeURIComponent(this.opts.token)}&after=${this.lastSeq}`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => {
      this.connects++;
      this.opens.push(Date.now());
      for (const w of this.openWaiters.splice(0)) w();
    });
    ws.on('message', (d) => this.onMessage(d.toString()));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.ws !== ws || this.stopped) return;
      this.closesAt.push(Date.now());
      this.urlIndex++;
      this.timer = setTimeout(() => this.connect(), this.opts.reconnectMs ?? 250);
    });
  }

  private onMessage(text: string): void {
    let m: { type?: string; id?: string; seq?: number; venue?: string; ts?: number; from_seq?: number; to_seq?: number | null; reason?: string };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
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
