/**
 * The bookfuse consensus client: one WebSocket to a gateway, a LocalBook per symbol kept exact by
 * seq/epoch checks (a gap sends RESYNC and the book is not offered again until the fresh
 * SNAPSHOT), PONG replies, and reconnect with backoff. Given several gateway URLs (instances
 * behind no load balancer), each reconnect goes to the next one: a gateway holds nothing a client
 * cannot get back, so the next instance's HANDSHAKE and SNAPSHOT carry on. Runs in Node (pass `WebSocket` from the
 * `ws` package) and in browsers (global WebSocket). Clock and randomness are injectable for tests.
 */
import { backoffDelayMs } from './backoff.js';
import { AlertGap, type AlertGapInfo, type FetchLike } from './alert-gap.js';
import { Emitter } from './emitter.js';
import { LocalBook } from './local-book.js';
import { CloseCode, isReconnectable } from './codes.js';
import type { AlertMessage, ClientMessage, ConsensusTradeMessage, ErrorPayload, EventType, HandshakePayload, ServerMessage } from './protocol.js';
import { globalWebSocket, jsonText, letGo, realClock, type Clock, type WebSocketFactory, type WebSocketLike } from './socket.js';

export type { Clock, WebSocketFactory, WebSocketLike } from './socket.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ClientOptions {
  /**
   * gateway base URL, e.g. ws://127.0.0.1:8080 (the /ws path is added), or several: the first is
   * tried first and every reconnect moves on to the next, round robin, with the same backoff
   */
  url: string | string[];
  apiKey: string;
  symbols: string[];
  depth?: number;
  /** 'venues' asks for per-venue sizes on delta levels too */
  detail?: 'totals' | 'venues';
  /** the venues the books merge (#16.1); omitted = every venue */
  venues?: string[];
  /** the message kinds to get (#16.3); omitted = BOOK, TRADE and ALERT */
  events?: EventType[];
  /** defaults to globalThis.WebSocket */
  webSocket?: WebSocketFactory;
  clock?: Clock;
  random?: () => number;
  reconnect?: boolean;
  /** for the alert gap fill (GET /v1/alerts); defaults to globalThis.fetch */
  fetch?: FetchLike;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** ms until the next attempt, or null when the client stops */
  retryInMs: number | null;
}

export type ClientEvents = {
  state: [ConnectionState];
  handshake: [HandshakePayload];
  /** a book changed (`kind` says how); the LocalBook is exact at this point */
  book: [LocalBook, 'snapshot' | 'delta'];
  trade: [ConsensusTradeMessage];
  /** live alerts and, after a reconnect, the ones missed meanwhile: each once, in id order */
  alert: [AlertMessage];
  /** a reconnect's alert gap was fetched (or could not be) */
  alertGap: [AlertGapInfo];
  error: [ErrorPayload];
  /** a gap or epoch change was seen; RESYNC was sent */
  resync: [symbol: string, reason: string];
  close: [CloseInfo];
  listenerError: [unknown];
};

const OPEN = 1;
/** server silence (no PING or data) for this many heartbeats means a dead link */
const SILENT_HEARTBEATS = 2;

export class BookfuseClient extends Emitter<ClientEvents> {
  readonly books = new Map<string, LocalBook>();
  state: ConnectionState = 'closed';
  handshake: HandshakePayload | undefined;
  /** reconnect attempts since the last successful handshake */
  attempt = 0;
  /** the gateway URL in use (or tried next) */
  currentUrl: string;
  private ws: WebSocketLike | undefined;
  private readonly symbols: Set<string>;
  private readonly resyncing = new Set<string>();
  private retryTimer: unknown;
  private watchdog: unknown;
  private stopped = true;
  private readonly clock: Clock;
  private readonly factory: WebSocketFactory;
  private venueSet: string[] | null;
  readonly alertGap: AlertGap;
  private readonly urls: string[];
  private urlIndex = 0;

  constructor(private readonly opts: ClientOptions) {
    super();
    this.urls = typeof opts.url === 'string' ? [opts.url] : [...opts.url];
    if (this.urls.length === 0) throw new Error('BookfuseClient needs at least one gateway URL');
    this.currentUrl = this.urls[0]!;
    this.symbols = new Set(opts.symbols);
    this.clock = opts.clock ?? realClock;
    this.factory = opts.webSocket ?? globalWebSocket();
    this.venueSet = opts.venues ?? null;
    this.alertGap = new AlertGap({
      // the gateway just connected to: any one has the whole alert log
      url: () => this.currentUrl,
      apiKey: opts.apiKey,
      symbols: () => this.symbols,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      deliver: (a) => this.emit('alert', a),
      report: (info) => this.emit('alertGap', info),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open('connecting');
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    this.clock.clearTimeout(this.watchdog);
    letGo(this.ws);
    this.ws = undefined;
    this.setState('closed');
  }

  subscribe(symbols: string[]): void {
    for (const s of symbols) this.symbols.add(s);
    this.send({ type: 'SUBSCRIBE', payload: { symbols, depth: this.opts.depth, venues: this.venueSet } });
  }

  /** Merge only these venues into every book from now on (null = every venue); SNAPSHOTs follow. */
  setVenues(venues: string[] | null): void {
    this.venueSet = venues === null ? null : [...venues];
    for (const b of this.books.values()) b.invalidate();
    if (this.symbols.size) this.send({ type: 'SUBSCRIBE', payload: { symbols: [...this.symbols], depth: this.opts.depth, venues: this.venueSet } });
  }

  get venues(): readonly string[] | null {
    return this.venueSet;
  }

  unsubscribe(symbols: string[]): void {
    for (const s of symbols) {
      this.symbols.delete(s);
      this.books.delete(s);
    }
    this.send({ type: 'UNSUBSCRIBE', payload: { symbols } });
  }

  /** Ask for a fresh snapshot; the book is withheld until it arrives. */
  resync(symbol: string, reason = 'requested'): void {
    this.books.get(symbol)?.invalidate();
    if (this.resyncing.has(symbol)) return;
    this.resyncing.add(symbol);
    this.send({ type: 'RESYNC', payload: { symbol } });
    this.emit('resync', symbol, reason);
  }

  private url(): string {
    const base = this.currentUrl.replace(/\/+$/, '');
    const q = new URLSearchParams({ token: this.opts.apiKey, symbols: [...this.symbols].join(',') });
    if (this.opts.depth !== undefined) q.set('depth', String(this.opts.depth));
    if (this.opts.detail) q.set('detail', this.opts.detail);
    if (this.venueSet) q.set('venues', this.venueSet.join(','));
    if (this.opts.events) q.set('events', this.opts.events.join(','));
    return `${base}${base.endsWith('/ws') ? '' : '/ws'}?${q.toString()}`;
  }

  private open(state: ConnectionState): void {
    this.setState(state);
    this.resyncing.clear();
    let ws: WebSocketLike;
    try {
      ws = this.factory(this.url());
    } catch (e) {
      this.onClosed(1006, (e as Error).message);
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.armWatchdog();
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onerror = () => undefined; // onclose follows and decides
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.onClosed(ev.code, ev.reason);
    };
  }

  private onClosed(code: number, reason: string): void {
    this.clock.clearTimeout(this.watchdog);
    for (const b of this.books.values()) b.invalidate();
    const terminal = !isReconnectable(code);
    if (this.stopped || terminal || this.opts.reconnect === false) {
      this.stopped = true;
      this.emit('close', { code, reason, retryInMs: null });
      this.setState('closed');
      return;
    }
    const delay = backoffDelayMs(this.attempt++, this.opts.random);
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.currentUrl = this.urls[this.urlIndex]!;
    this.emit('close', { code, reason, retryInMs: delay });
    this.setState('reconnecting');
    this.retryTimer = this.clock.setTimeout(() => {
      if (!this.stopped) this.open('reconnecting');
    }, delay);
  }

  private onMessage(data: unknown): void {
    this.armWatchdog();
    const msg = jsonText<ServerMessage>(data);
    switch (msg?.type) {
      case 'HANDSHAKE':
        this.handshake = msg.payload;
        this.attempt = 0;
        this.setState('open');
        this.emit('handshake', msg.payload);
        if (!this.opts.events || this.opts.events.includes('ALERT')) this.alertGap.onHandshake(msg.payload);
        return;
      case 'SNAPSHOT': {
        const p = msg.payload;
        if (!this.symbols.has(p.symbol)) return;
        const book = this.bookFor(p.symbol);
        if (book.applySnapshot(p) !== 'applied') return this.resync(p.symbol, 'bad snapshot');
        this.resyncing.delete(p.symbol);
        this.emit('book', book, 'snapshot');
        return;
      }
      case 'BOOK': {
        const p = msg.payload;
        const book = this.books.get(p.symbol);
        if (!book || this.resyncing.has(p.symbol)) return;
        const r = book.applyDelta(p);
        if (r === 'applied') this.emit('book', book, 'delta');
        else if (r !== 'no-snapshot') this.resync(p.symbol, r === 'gap' ? `seq gap: had ${book.seq}, got ${p.seq}` : r);
        return;
      }
      case 'TRADE':
        this.emit('trade', msg.payload);
        return;
      case 'ALERT':
        this.alertGap.onAlert(msg.payload);
        return;
      case 'PING':
        this.send({ type: 'PONG', payload: { ts: msg.payload?.ts } });
        return;
      case 'ERROR':
        this.emit('error', msg.payload);
        return;
      default:
        return;
    }
  }

  private bookFor(symbol: string): LocalBook {
    let b = this.books.get(symbol);
    if (!b) this.books.set(symbol, (b = new LocalBook(symbol)));
    return b;
  }

  /** A gateway that stops talking (no PING, no data) is treated as gone. */
  private armWatchdog(): void {
    this.clock.clearTimeout(this.watchdog);
    const hs = this.handshake;
    const silentMs = hs ? hs.heartbeat_ms * SILENT_HEARTBEATS + hs.pong_timeout_ms : 90_000;
    this.watchdog = this.clock.setTimeout(() => this.ws?.close(CloseCode.HEARTBEAT_TIMEOUT, 'gateway silent'), silentMs);
  }

  private send(m: ClientMessage): void {
    if (this.ws && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(m));
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }
}
