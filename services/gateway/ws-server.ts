/**
 * The WebSocket side: upgrades on fastify's HTTP server (ws in noServer mode, no compression, so
 * frames are built once and written as-is), refusals (ERROR, then a documented close), and each
 * client message: rate limit, strikes for abuse, SUBSCRIBE / UNSUBSCRIBE / RESYNC / PONG.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../libs/obs/index.js';
import { CloseCode, ERROR_CODES, type ConnectionLimiter, guardUpgrades, refuseUpgrade, textFrame, type RequestTarget } from '../../libs/ws/index.js';
import { endpointSocketServer, keyConnectionLimiter } from './endpoint-parts.js';
import type { HandshakePayload } from '../../libs/client/index.js';
import { authenticate, originAllowed, presentedKey } from './auth.js';
import { ClientConn } from './client-conn.js';
import { checkSymbols, isRefusal, parseClientMessage, parseDepth, parseUpgrade, pathKeyOf, type ConnectionRequest, type Refusal, type RequestLimits } from './client-protocol.js';
import type { GatewayConfig } from './config.js';
import { writeErrorAndClose, type Hub } from './hub.js';
import type { GatewayMetrics } from './metrics.js';
import { venueIds } from '../../libs/venues/index.js';
import { subscribeOptions } from './subscribe-options.js';

export class WsServer {
  private readonly wss: WebSocketServer;
  private readonly limiter: ConnectionLimiter;
  private readonly limits: RequestLimits;
  private stopping = false;
  /** other WebSocket endpoints on this port (the window-price protocol), by path */
  readonly otherPaths = new Map<string, (req: IncomingMessage, socket: Socket, head: Buffer, q: URLSearchParams) => void>();

  constructor(
    private readonly cfg: GatewayConfig,
    private readonly hub: Hub,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.wss = endpointSocketServer(cfg);
    this.limiter = keyConnectionLimiter(cfg);
    this.limits = { symbols: cfg.symbols, defaultDepth: cfg.defaultDepth, maxDepth: cfg.maxDepth, maxSymbols: cfg.maxSymbolsPerConnection, minIntervalMs: cfg.minSnapshotIntervalMs, venues: venueIds() };
  }

  attach(server: Server): void {
    guardUpgrades(server, (req, socket, head, target) => this.onUpgrade(req, socket as Socket, head, target), {
      onRefused: (outcome, err) => {
        this.metrics.connectionsTotal.inc({ result: outcome });
        if (err) this.log.error({ err }, 'upgrade handler failed');
      },
    });
  }

  /** Refuse new upgrades and close every connection with SERVER_RESTART (reconnectable). */
  close(): void {
    this.stopping = true;
    for (const c of [...this.hub.conns]) this.hub.closeWith(c, 'SERVER_SHUTDOWN', 'gateway shutting down', CloseCode.SERVER_RESTART);
    this.wss.close();
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, target: RequestTarget): void {
    const other = this.stopping ? undefined : this.otherPaths.get(target.path);
    if (other) return other(req, socket, head, target.query);
    const parsed = parseUpgrade(target, this.limits);
    if (parsed === null) return refuseUpgrade(socket, 404, { code: 'NOT_FOUND', message: 'no WebSocket endpoint at this path' });
    if (this.stopping) return refuseUpgrade(socket, 503);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(ws, socket, req, target, parsed));
  }

  private onOpen(ws: WebSocket, socket: Socket, req: IncomingMessage, target: RequestTarget, parsed: ConnectionRequest | Refusal): void {
    const keyId = authenticate(presentedKey(req.headers, target.query, pathKeyOf(target)), this.cfg.apiKeyHashes);
    const origin = req.headers.origin;
    let refusal: Refusal | undefined;
    if (!keyId) refusal = { code: 'AUTH_FAILED', message: 'missing or unknown API key' };
    else if (!originAllowed(origin, this.cfg.allowedOrigins)) refusal = { code: 'ORIGIN_NOT_ALLOWED', message: `origin ${String(origin).slice(0, 100)} is not allowed` };
    else if (isRefusal(parsed)) refusal = parsed;
    else if (this.hub.conns.size >= this.cfg.maxConnections) refusal = { code: 'TOO_MANY_CONNECTIONS', message: 'gateway connection limit reached' };
    else {
      const over = this.limiter.admit(keyId, socket.remoteAddress);
      if (over) refusal = { code: 'TOO_MANY_CONNECTIONS', message: over };
    }
    if (refusal || !keyId || isRefusal(parsed)) {
      const r = refusal!;
      ws.on('error', () => undefined);
      this.metrics.connectionsTotal.inc({ result: r.code.toLowerCase() });
      this.metrics.clientErrors.inc({ code: r.code });
      this.log.info({ code: r.code, ip: socket.remoteAddress }, 'connection refused');
      writeErrorAndClose(ws, socket, r.code, r.message, ERROR_CODES[r.code].close ?? CloseCode.POLICY_VIOLATION);
      return;
    }
    this.metrics.connectionsTotal.inc({ result: 'accepted' });
    const cfg = this.cfg;
    const limits = { maxMessages: cfg.queueMaxMessages, maxBytes: cfg.queueMaxBytes, socketHighWaterBytes: cfg.socketHighWaterBytes };
    const rate = { ratePerS: cfg.ratePerS, burst: cfg.rateBurst, maxStrikes: cfg.maxStrikes };
    const conn = new ClientConn(ws, socket, keyId, parsed, limits, rate, this.now(), (c, r) => this.hub.onOverflow(c, r));
    const address = socket.remoteAddress;
    this.hub.add(conn);
    this.metrics.connections.inc({ mode: conn.mode });
    socket.on('drain', () => this.hub.sweep());

    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    ws.on('pong', () => this.hub.onPong(conn));
    ws.on('error', (e) => {
      this.metrics.closes.inc({ reason: 'protocol_error' });
      this.log.debug({ err: e.message }, 'client socket error');
    });
    ws.on('close', (code) => {
      if (!conn.closing) this.metrics.closes.inc({ reason: code === 1009 ? 'frame_too_large' : 'client' });
      this.hub.remove(conn);
      this.limiter.release(keyId, address);
      this.metrics.connections.dec({ mode: conn.mode });
    });

    if (!parsed.simple) {
      const hs: HandshakePayload = {
        server_time: this.now(),
        heartbeat_ms: cfg.heartbeatMs,
        pong_timeout_ms: cfg.pongTimeoutMs,
        max_missed_pongs: cfg.maxMissedPongs,
        mode: parsed.mode,
        depth: parsed.depth,
        ...(parsed.mode === 'snapshot' ? { interval_ms: parsed.intervalMs } : {}),
        detail: parsed.detail ? 'venues' : 'totals',
        symbols: parsed.symbols,
        available: [...cfg.symbols],
        venues: parsed.venues,
        events: parsed.events,
        last_alert_id: this.hub.lastAlertId,
        limits: {
          max_symbols: cfg.maxSymbolsPerConnection,
          max_depth: cfg.maxDepth,
          max_frame_bytes: cfg.maxFrameBytes,
          rate_per_s: cfg.ratePerS,
          rate_burst: cfg.rateBurst,
          queue_max_messages: cfg.queueMaxMessages,
          queue_max_bytes: cfg.queueMaxBytes,
          slow_close_ms: cfg.slowCloseMs,
        },
      };
      this.hub.push(conn, textFrame(JSON.stringify({ type: 'HANDSHAKE', payload: hs })), 'HANDSHAKE');
    }
    this.hub.subscribe(conn, parsed.symbols, parsed.depth);
    if (parsed.mode === 'snapshot') conn.snapshotTimer = setInterval(() => this.hub.snapshotTick(conn), parsed.intervalMs);
  }

  private onMessage(conn: ClientConn, data: RawData, isBinary: boolean): void {
    if (conn.closing) return;
    const now = this.now();
    if (!conn.takeToken(now)) {
      this.metrics.clientMessages.inc({ type: 'rate_limited' });
      if (conn.strike(now)) return this.hub.closeWith(conn, 'RATE_LIMITED', 'too many messages', CloseCode.RATE_LIMITED);
      if (conn.shouldReportRate(now)) this.hub.sendError(conn, 'RATE_LIMITED', `at most ${this.cfg.ratePerS} messages/s (burst ${this.cfg.rateBurst})`);
      return;
    }
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (isBinary) return this.reject(conn, now, { code: 'BAD_REQUEST', message: 'binary frames are not part of the protocol' });
    if (size > this.cfg.maxFrameBytes) return this.reject(conn, now, { code: 'BAD_REQUEST', message: `frame of ${size} bytes exceeds ${this.cfg.maxFrameBytes}` });
    const m = parseClientMessage(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
    if (isRefusal(m)) return this.reject(conn, now, m);
    this.metrics.clientMessages.inc({ type: m.type });
    switch (m.type) {
      case 'PONG':
        return this.hub.onPong(conn);
      case 'SUBSCRIBE': {
        const fresh = (m.payload.symbols as unknown[]).filter((s) => !conn.subs.has(s as string));
        const checked = checkSymbols(m.payload.symbols, this.limits, conn.subs.size - (m.payload.symbols.length - fresh.length));
        if (isRefusal(checked)) return this.reject(conn, now, checked);
        const depth = parseDepth(m.payload.depth ?? conn.req.depth, this.limits);
        if (isRefusal(depth)) return this.reject(conn, now, depth);
        const opts = subscribeOptions(conn, m.payload, this.limits.venues);
        if (isRefusal(opts)) return this.reject(conn, now, opts);
        this.hub.push(conn, textFrame(JSON.stringify({ type: 'SUBSCRIBED', payload: { symbols: checked, depth, venues: opts.venues, events: [...conn.events] } })), 'SUBSCRIBED');
        if (opts.bookResumed) for (const s of conn.subs.keys()) this.hub.resync(conn, s);
        return this.hub.subscribe(conn, checked, depth, opts.venues);
      }
      case 'UNSUBSCRIBE': {
        const checked = checkSymbols(m.payload.symbols, { ...this.limits, maxSymbols: Infinity });
        if (isRefusal(checked)) return this.reject(conn, now, checked);
        const removed = this.hub.unsubscribe(conn, checked);
        this.hub.push(conn, textFrame(JSON.stringify({ type: 'UNSUBSCRIBED', payload: { symbols: removed } })), 'UNSUBSCRIBED');
        return;
      }
      case 'RESYNC': {
        const s = m.payload.symbol;
        if (!this.cfg.symbols.includes(s)) return this.reject(conn, now, { code: 'UNKNOWN_SYMBOL', message: `no consensus symbol ${s.slice(0, 32)}` });
        if (!conn.subs.has(s)) return this.reject(conn, now, { code: 'BAD_REQUEST', message: `not subscribed to ${s}` });
        return this.hub.resync(conn, s);
      }
    }
  }

  /** ERROR for a bad message; past the strike limit, the connection is closed. */
  private reject(conn: ClientConn, now: number, r: Refusal): void {
    this.metrics.clientMessages.inc({ type: 'invalid' });
    if (conn.strike(now)) return this.hub.closeWith(conn, 'POLICY_VIOLATION', `too many bad messages (last: ${r.message})`, CloseCode.POLICY_VIOLATION);
    this.hub.sendError(conn, r.code, r.message);
  }
}
