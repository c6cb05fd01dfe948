/**
 * A client of the window-price protocol (`/ws/windows`, #16.5): typed events for every server
 * message, subscriptions that survive reconnects (backoff as the book client: 1, 2, 4 … 30 s,
 * ± 500 ms), and a stop. Node (pass `webSocket` from the ws package) and browsers.
 */
import { backoffDelayMs } from './backoff.js';
import { Emitter } from './emitter.js';
import { globalWebSocket, jsonText, letGo, realClock, type Clock, type WebSocketFactory, type WebSocketLike } from './socket.js';
import type { WindowOpenErrorMessage, WindowOpenMessage, WindowsConnected, WindowsError, WindowsServerMessage } from './windows-protocol.js';

export interface WindowsClientOptions {
  /** gateway base URL, e.g. ws://127.0.0.1:8080 (the /ws/windows path is added) */
  url: string;
  apiKey: string;
  webSocket?: WebSocketFactory;
  clock?: Clock;
  random?: () => number;
}

export type WindowsClientEvents = {
  connected: [WindowsConnected];
  subscribed: [asset: string, marketTypes: string[]];
  /** a window's open price: `snapshot` true for the current window on subscribe */
  window: [WindowOpenMessage];
  windowError: [WindowOpenErrorMessage];
  error: [WindowsError];
  close: [{ code: number; reason: string; retryInMs: number | null }];
  listenerError: [unknown];
};

const OPEN = 1;
const TERMINAL_FROM = 4100;

export class WindowsClient extends Emitter<WindowsClientEvents> {
  /** asset → intervals (empty = all) to subscribe on every (re)connect */
  private readonly wanted = new Map<string, string[] | undefined>();
  private ws: WebSocketLike | undefined;
  private attempt = 0;
  private stopped = true;
  private timer: unknown;
  private readonly clock: Clock;

  constructor(private readonly opts: WindowsClientOptions) {
    super();
    this.clock = opts.clock ?? realClock;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    letGo(this.ws);
    this.ws = undefined;
  }

  /** `marketTypes` omitted = every interval the gateway offers. */
  subscribe(asset: string, marketTypes?: string[]): void {
    this.wanted.set(asset, marketTypes);
    this.send(marketTypes ? { type: 'subscribe', asset, marketTypes } : { type: 'subscribe', asset });
  }

  unsubscribe(): void {
    this.wanted.clear();
    this.send({ type: 'unsubscribe' });
  }

  private open(): void {
    const base = this.opts.url.replace(/\/+$/, '').replace(/\/ws$/, '');
    const factory = this.opts.webSocket ?? globalWebSocket();
    const ws = factory(`${base}/ws/windows?token=${encodeURIComponent(this.opts.apiKey)}`);
    this.ws = ws;
    ws.onopen = () => {
      for (const [asset, types] of this.wanted) this.send(types ? { type: 'subscribe', asset, marketTypes: types } : { type: 'subscribe', asset });
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const terminal = ev.code >= TERMINAL_FROM;
      if (this.stopped || terminal) {
        this.stopped = true;
        return this.emit('close', { code: ev.code, reason: ev.reason, retryInMs: null });
      }
      const delay = backoffDelayMs(this.attempt++, this.opts.random);
      this.emit('close', { code: ev.code, reason: ev.reason, retryInMs: delay });
      this.timer = this.clock.setTimeout(() => !this.stopped && this.open(), delay);
    };
  }

  private onMessage(data: unknown): void {
    const m = jsonText<WindowsServerMessage>(data);
    switch (m?.type) {
      case 'connected':
        this.attempt = 0;
        return this.emit('connected', m);
      case 'subscribed':
        return this.emit('subscribed', m.asset, m.marketTypes);
      case 'window_open':
        return this.emit('window', m);
      case 'window_open_error':
        return this.emit('windowError', m);
      case 'error':
        return this.emit('error', m);
      default:
        return;
    }
  }

  private send(m: unknown): void {
    if (this.ws && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(m));
  }
}
