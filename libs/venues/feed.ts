/**
 * One venue WebSocket kept alive: connect, send subscriptions, keep the venue's heartbeat, treat
 * silence as death, reconnect with the same backoff as the client library (libs/client/backoff.ts), and reconnect pre-emptively before the
 * venue's connection lifetime runs out. Frames go to `onFrame` with their receive time, taken
 * before any parsing.
 */
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { backoffDelayMs as backoffDelay, msOfUs, nowUs } from '../core/index.js';
import type { Heartbeat } from './adapter.js';

export interface FeedOptions {
  url: string;
  subscribe: string[];
  heartbeat: Heartbeat;
  /** no frame for this long ⇒ the socket is dead */
  silenceMs: number;
  /** reconnect before this age (venue limit minus a margin) */
  maxLifetimeMs?: number;
  /** a connection that lived this long resets the backoff */
  healthyAfterMs?: number;
  random?: () => number;
  log: Logger;
  onOpen(): void;
  /** recvTs: integer ms; recvUs: the same reading in integer µs (libs/core/clock.ts) */
  onFrame(text: string, recvTs: number, recvUs: number): void;
  /** reason is a stable code: CONNECTION_LOST, SILENT_FEED, LIFETIME, VENUE_RECONNECT, STOPPED */
  onClose(reason: string): void;
}

export class Feed {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private stopped = true;
  private timers: NodeJS.Timeout[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastFrameAt = 0;
  private openedAt = 0;
  private closeReason = 'CONNECTION_LOST';
  connects = 0;

  constructor(private readonly opts: FeedOptions) {}

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.drop('STOPPED');
  }

  send(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Close now and reconnect (venue announced a shutdown, or a recovery needs a fresh socket). */
  restart(reason: string): void {
    this.drop(reason);
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    this.ws = ws;
    this.closeReason = 'CONNECTION_LOST';
    ws.on('open', () => {
      this.connects++;
      this.openedAt = Date.now();
      this.lastFrameAt = Date.now();
      for (const s of this.opts.subscribe) ws.send(s);
      this.armTimers(ws);
      this.opts.onOpen();
    });
    ws.on('message', (data, isBinary) => {
      const recvUs = nowUs();
      this.lastFrameAt = Date.now();
      if (isBinary) return;
      this.opts.onFrame(data.toString(), msOfUs(recvUs), recvUs);
    });
    // ws answers server ping frames with pongs by itself; a ping is also proof of life.
    ws.on('ping', () => (this.lastFrameAt = Date.now()));
    ws.on('error', (e) => this.opts.log.warn({ err: e.message, url: redactUrl(this.opts.url) }, 'venue socket error'));
    ws.on('close', () => this.onSocketClosed(ws));
  }

  private armTimers(ws: WebSocket): void {
    this.clearTimers();
    const hb = this.opts.heartbeat;
    if (hb.kind === 'client-message') {
      this.timers.push(setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(hb.message), hb.intervalMs));
    }
    const check = Math.max(100, Math.min(1000, this.opts.silenceMs / 4));
    this.timers.push(
      setInterval(() => {
        if (Date.now() - this.lastFrameAt > this.opts.silenceMs) this.drop('SILENT_FEED');
        else if (this.opts.maxLifetimeMs && Date.now() - this.openedAt > this.opts.maxLifetimeMs) this.drop('LIFETIME');
      }, check),
    );
  }

  private drop(reason: string): void {
    this.closeReason = reason;
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.terminate();
  }

  private onSocketClosed(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.clearTimers();
    this.ws = undefined;
    const lived = this.openedAt ? Date.now() - this.openedAt : 0;
    if (lived >= (this.opts.healthyAfterMs ?? 10_000)) this.attempt = 0;
    this.openedAt = 0;
    this.opts.onClose(this.closeReason);
    if (this.stopped) return;
    // A planned lifetime or venue-announced reconnect goes at once; failures back off.
    const immediate = this.closeReason === 'LIFETIME' || this.closeReason === 'VENUE_RECONNECT';
    const delay = immediate ? 0 : backoffDelay(this.attempt++, this.opts.random);
    this.opts.log.info({ url: redactUrl(this.opts.url), reason: this.closeReason, delay_ms: delay }, 'venue socket closed; reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}

/** Venue URLs carry no secrets, but keep query strings (stream lists) out of logs: they are long. */
function redactUrl(u: string): string {
  const q = u.indexOf('?');
  return q < 0 ? u : `${u.slice(0, q)}?…`;
}
