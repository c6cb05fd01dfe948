/**
 * `ws://<gateway>/ws/windows?token=KEY` (#16.5): `connected` on connect; `subscribe` → `subscribed`
 * and at once the current window of each interval (`window_open`, `"snapshot":true`); at every
 * boundary the new window's `window_open` (`"snapshot":false`) or `window_open_error`;
 * `unsubscribe` → `unsubscribed`; bad input → `error` and the connection stays. WebSocket ping
 * every GATEWAY_HEARTBEAT_MS; a client that has not answered the previous one is closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';
import { parseWindowType, windowStart, type WindowEvent, type WindowType } from '../../libs/consensus/index.js';
import type { Logger } from '../../libs/obs/index.js';
import { CloseCode, type ConnectionLimiter } from '../../libs/ws/index.js';
import { endpointSocketServer, keyConnectionLimiter } from './endpoint-parts.js';
import type { WindowsServerMessage } from '../../libs/client/index.js';
import { authenticate, originAllowed, presentedKey } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { WindowsFeed } from './windows-feed.js';
import { parseWindowsMessage } from './windows-protocol.js';

export const WINDOWS_PATH = '/ws/windows';

interface WindowsConn {
  ws: WebSocket;
  /** asset → subscribed intervals */
  subs: Map<string, Set<string>>;
  awaitingPong: boolean;
}

export class WindowsServer {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<WindowsConn>();
  readonly assets: string[];
  private readonly types: readonly WindowType[];
  private timer: ReturnType<typeof setInterval> | undefined;
  /** the per-key and per-key-per-address caps of /ws, counted separately for this endpoint */
  private readonly limiter: ConnectionLimiter;

  constructor(
    private readonly cfg: GatewayConfig,
    private readonly feed: WindowsFeed,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.wss = endpointSocketServer(cfg);
    this.assets = [...new Set(cfg.symbols.map((s) => s.split('-')[0]!))];
    this.types = cfg.windowTypes.map(parseWindowType);
    feed.onEvent = (e) => this.push(e);
    this.limiter = keyConnectionLimiter(cfg);
  }

  start(): void {
    this.timer = setInterval(() => this.heartbeat(), this.cfg.heartbeatMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.conns) c.ws.close(CloseCode.SERVER_RESTART, 'SERVER_SHUTDOWN');
    this.conns.clear();
    this.wss.close();
  }

  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, q: URLSearchParams): void {
    socket.on('error', () => undefined);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const refuse = (code: 'AUTH_FAILED' | 'ORIGIN_NOT_ALLOWED' | 'TOO_MANY_CONNECTIONS', message: string, close: number) => {
        this.metrics.connectionsTotal.inc({ result: code.toLowerCase() });
        send(ws, { type: 'error', code, message });
        ws.close(close, code);
      };
      const keyId = authenticate(presentedKey(req.headers, q), this.cfg.apiKeyHashes);
      if (!keyId) return refuse('AUTH_FAILED', 'missing or unknown API key', CloseCode.AUTH_FAILED);
      if (!originAllowed(req.headers.origin, this.cfg.allowedOrigins)) return refuse('ORIGIN_NOT_ALLOWED', `origin ${req.headers.origin} is not allowed`, CloseCode.ORIGIN_NOT_ALLOWED);
      if (this.conns.size >= this.cfg.maxConnections) return refuse('TOO_MANY_CONNECTIONS', 'gateway connection limit reached', CloseCode.TOO_MANY_CONNECTIONS);
      const address = socket.remoteAddress;
      const over = this.limiter.admit(keyId, address);
      if (over) return refuse('TOO_MANY_CONNECTIONS', over, CloseCode.TOO_MANY_CONNECTIONS);
      ws.once('close', () => this.limiter.release(keyId, address));
      this.open(ws);
    });
  }

  private open(ws: WebSocket): void {
    const conn: WindowsConn = { ws, subs: new Map(), awaitingPong: false };
    this.conns.add(conn);
    this.metrics.connectionsTotal.inc({ result: 'accepted' });
    this.metrics.connections.inc({ mode: 'windows' });
    ws.on('pong', () => (conn.awaitingPong = false));
    ws.on('error', (e) => this.log.debug({ err: e.message }, 'windows socket error'));
    ws.on('close', () => {
      if (this.conns.delete(conn)) this.metrics.connections.dec({ mode: 'windows' });
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '\u0000' : data.toString();
      const m = parseWindowsMessage(text, this.assets, this.types.map((t) => t.type));
      this.metrics.clientMessages.inc({ type: m.type === 'error' ? 'windows_invalid' : `windows_${m.type}` });
      if (m.type === 'error') {
        this.metrics.clientErrors.inc({ code: m.code });
        return send(ws, m);
      }
      if (m.type === 'unsubscribe') {
        conn.subs.clear();
        return send(ws, { type: 'unsubscribed' });
      }
      const set = conn.subs.get(m.asset) ?? new Set();
      for (const t of m.marketTypes) set.add(t);
      conn.subs.set(m.asset, set);
      send(ws, { type: 'subscribed', asset: m.asset, marketTypes: m.marketTypes });
      for (const t of m.marketTypes) this.snapshot(conn, m.asset, t);
    });
    send(ws, { type: 'connected', server_time: this.now(), assets: this.assets, marketTypes: this.types.map((t) => t.type) });
  }

  /**
   * The current window of (asset, type). Not known yet just after a boundary: its price follows
   * as the boundary push; still unknown past the price timeout: an error says so.
   */
  private snapshot(conn: WindowsConn, asset: string, type: string): void {
    const wt = this.types.find((t) => t.type === type)!;
    const now = this.now();
    const start = windowStart(now, wt.ms);
    const e = this.feed.latest.get(WindowsFeed.key(asset, type));
    if (e && e.window_start === start) return send(conn.ws, wire(e, true));
    if (now - start < this.cfg.windowPriceTimeoutMs) return;
    send(conn.ws, { type: 'window_open_error', asset, marketType: type, window_start: start, reason: 'no consensus price is known for the current window' });
  }

  private push(e: WindowEvent): void {
    let frame: string | undefined;
    for (const c of this.conns) {
      if (!c.subs.get(e.asset)?.has(e.marketType)) continue;
      frame ??= JSON.stringify(wire(e, false));
      if (c.ws.readyState === c.ws.OPEN) c.ws.send(frame);
      this.metrics.messagesOut.inc({ type: e.type });
    }
  }

  private heartbeat(): void {
    for (const c of this.conns) {
      if (c.awaitingPong) {
        this.metrics.closes.inc({ reason: 'HEARTBEAT_TIMEOUT' });
        c.ws.terminate();
        continue;
      }
      c.awaitingPong = true;
      c.ws.ping();
    }
  }
}

/** The client's shape: exactly the fields of docs/protocol.md. */
function wire(e: WindowEvent, snapshot: boolean): WindowsServerMessage {
  if (e.type === 'window_open_error') return { type: e.type, asset: e.asset, marketType: e.marketType, window_start: e.window_start, reason: e.reason };
  return { type: e.type, asset: e.asset, marketType: e.marketType, window_start: e.window_start, window_end: e.window_end, price: e.price, source: e.source, venues: e.venues, snapshot };
}

function send(ws: WebSocket, m: WindowsServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
}
