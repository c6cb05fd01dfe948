/**
 * A consensus WebSocket client that follows books the way docs/protocol.md asks: SNAPSHOT
 * replaces a book, a BOOK applies only at the next seq of the same epoch; anything else is a
 * seq break: it sends RESYNC and ignores BOOKs of that symbol until the SNAPSHOT (the break is
 * then healed). A closed socket is reopened (next URL first) and every symbol waits for its
 * SNAPSHOT again. Each symbol keeps the times of its updates, so stalls can be measured.
 */
import type WebSocket from 'ws';
import { Decimal } from '../../../libs/core/index.js';
import { ReconnectingSocket } from './reconnecting-socket.js';

type Level = [string, string, unknown?];
interface Frame {
  type: string;
  payload?: { symbol?: string; seq?: number; epoch?: number; bids?: Level[]; asks?: Level[]; ts?: number; kind?: string; venue?: string };
}

export class FollowedBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  epoch = -1;
  seq = -1;
  /** waiting for a SNAPSHOT (after a seq break or a reconnect) */
  pending = true;
  breaks = 0;
  healed = 0;
  /** arrival times of SNAPSHOTs and of applied BOOKs that changed levels */
  readonly updates: number[] = [];

  constructor(readonly symbol: string) {}

  get lastUpdateAt(): number {
    return this.updates[this.updates.length - 1] ?? 0;
  }

  top(depth: number): { bids: [string, string][]; asks: [string, string][] } {
    const sorted = (m: Map<string, string>, desc: boolean) => [...m.entries()].sort((a, b) => (desc ? new Decimal(b[0]).cmp(a[0]) : new Decimal(a[0]).cmp(b[0]))).slice(0, depth);
    return { bids: sorted(this.bids, true), asks: sorted(this.asks, false) };
  }

  apply(f: Frame, now: number): 'ok' | 'break' | 'ignored' {
    const p = f.payload ?? {};
    if (f.type === 'SNAPSHOT') {
      this.bids.clear();
      this.asks.clear();
      this.epoch = p.epoch ?? -1;
      if (this.pending && this.breaks > this.healed) this.healed++;
      this.pending = false;
    } else if (this.pending) {
      return 'ignored';
    } else if (p.epoch !== this.epoch || p.seq !== this.seq + 1) {
      this.breaks++;
      this.pending = true;
      return 'break';
    }
    this.seq = p.seq ?? -1;
    for (const [price, total] of p.bids ?? []) set(this.bids, price, total);
    for (const [price, total] of p.asks ?? []) set(this.asks, price, total);
    // a BOOK that only restates venue views (the merger does so every second) is no market data
    if (f.type === 'SNAPSHOT' || (p.bids?.length ?? 0) + (p.asks?.length ?? 0) > 0) this.updates.push(now);
    return 'ok';
  }
}

function set(m: Map<string, string>, price: string, total: string): void {
  if (new Decimal(total).isZero()) m.delete(price);
  else m.set(price, total);
}

export interface BookFollowerOptions {
  /** ws://host:port/ws of one or more gateways (the next one is tried on reconnect) */
  urls: string[];
  token: string;
  symbols: string[];
  depth: number;
  reconnectMs?: number;
}

export class BookFollower extends ReconnectingSocket {
  readonly books = new Map<string, FollowedBook>();
  closes = 0;
  /** ALERTs received (STALE, RECOVERED, RESYNC, …), with their arrival time */
  readonly alerts: { kind: string; venue: string; symbol: string; at: number }[] = [];

  constructor(private readonly opts: BookFollowerOptions) {
    super(opts.urls, opts.reconnectMs);
    for (const s of opts.symbols) this.books.set(s, new FollowedBook(s));
  }

  /** every symbol has a book and no pending break */
  get synced(): boolean {
    return this.connected && [...this.books.values()].every((b) => !b.pending);
  }

  start(): void {
    this.connect();
  }

  protected address(base: string): string {
    return `${base}?token=${encodeURIComponent(this.opts.token)}&symbols=${this.opts.symbols.join(',')}&depth=${this.opts.depth}`;
  }

  protected override onClosed(): void {
    this.closes++;
    for (const b of this.books.values()) b.pending = true;
  }

  protected onJson(ws: WebSocket, json: unknown): void {
    const f = json as Frame;
    if (f.type === 'PING') return void ws.send('{"type":"PONG"}');
    if (f.type === 'ALERT') return void this.alerts.push({ kind: f.payload?.kind ?? '', venue: f.payload?.venue ?? '', symbol: f.payload?.symbol ?? '', at: Date.now() });
    if (f.type !== 'SNAPSHOT' && f.type !== 'BOOK') return;
    const book = this.books.get(f.payload?.symbol ?? '');
    if (!book) return;
    if (book.apply(f, Date.now()) === 'break') ws.send(JSON.stringify({ type: 'RESYNC', payload: { symbol: book.symbol } }));
  }
}
