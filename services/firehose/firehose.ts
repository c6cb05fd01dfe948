/**
 * The liquidation firehose (design.md "Liquidation firehose", docs/firehose.md): one HTTP server
 * for /metrics, /healthz, /readyz and the WebSocket upgrades of
 *   /ws/v1/liquidation/feed                      every liquidation
 *   /ws/v1/liquidation?symbols=…&venues=…        the filtered stream
 * both with an optional ?after=<seq> replay from the JetStream log.
 *
 * Refusals happen after the upgrade, as an ERROR message plus a close code from libs/ws
 * (AUTH_FAILED 4100, BAD_REQUEST 4101, …), because browsers cannot read an HTTP status on a
 * failed upgrade but do see the close code and reason. Unknown paths get a plain 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NatsConnection } from 'nats';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger, Registry } from '../../libs/obs/index.js';
import { CloseCode, closeServer, guardHttp, listenOn, type ErrorCodeName, guardUpgrades, refuseUpgrade, sendJson, type RequestTarget, type WriteQueueLimits } from '../../libs/ws/index.js';
import { createKeyCheck } from './auth.js';
import type { FirehoseConfig } from './config.js';
import { FeedConnection } from './connection.js';
import { Hub } from './hub.js';
import { LiveLog } from './liq-log.js';
import { createFirehoseMetrics } from './metrics.js';
import { errorPayload } from './payload.js';
import { replay } from './replay.js';
import { CANONICAL_SYMBOL, isProblem, parseFeedRequest, type FeedRequest, type FilterUniverse } from './request.js';
import { venueIds } from '../../libs/venues/index.js';

/** client frames are PINGs; anything bigger is not for us */
const MAX_CLIENT_FRAME_BYTES = 4 * 1024;
const SWEEP_MAX_MS = 1_000;
const STOP_DRAIN_MS = 2_000;

export interface FirehoseDeps {
  nc: NatsConnection;
  log: Logger;
  registry: Registry;
}

export interface Firehose {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** bound port (after start) */
  readonly port: number;
  /** null when ready, else why not */
  notReadyReason(): string | null;
}

const CODE_NAMES = new Map<number, string>(Object.entries(CloseCode).map(([k, v]) => [v, k.toLowerCase()]));

export function createFirehose(config: Readonly<FirehoseConfig>, deps: FirehoseDeps): Firehose {
  const { nc, log } = deps;
  const metrics = createFirehoseMetrics(deps.registry);
  const keys = createKeyCheck(config.apiKeys);
  const limits: WriteQueueLimits = { maxMessages: config.queueMaxMessages, maxBytes: config.queueMaxBytes, socketHighWaterBytes: config.socketHighWaterBytes };
  const hub = new Hub<FeedConnection>(metrics, { intervalMs: config.writeIntervalMs, writeShare: config.writeShare });
  const replayDeps = { nc, hub, log, metrics, limits, retentionMs: config.liqRetentionMs, replicas: config.liqReplicas };
  const liveLog = new LiveLog({
    nc,
    hub,
    log,
    metrics,
    retentionMs: config.liqRetentionMs,
    replicas: config.liqReplicas,
    onReplayBroken: (c) => c.close(CloseCode.SERVER_RESTART, 'liquidation log was reset: reconnect without after'),
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_CLIENT_FRAME_BYTES, clientTracking: false });
  const guardHooks = {
    onRefused: (outcome: string, err?: unknown) => {
      if (outcome === 'bad_target') metrics.badRequests.inc();
      if (err) log.error({ err, outcome }, 'request handler failed');
    },
  };
  const server: Server = createServer(guardHttp(handleHttp, guardHooks));
  let replays = 0;
  const universe: FilterUniverse = { venues: venueIds(), isSymbol: (s) => CANONICAL_SYMBOL.test(s) };
  let stopping = false;
  let natsUp = true;
  let sweep: NodeJS.Timeout | undefined;

  async function handleHttp(_req: IncomingMessage, res: ServerResponse, { path }: RequestTarget): Promise<void> {
    if (path === '/metrics') {
      refreshGauges();
      const body = await deps.registry.metrics();
      res.writeHead(200, { 'content-type': deps.registry.contentType }).end(body);
    } else if (path === '/healthz') {
      json(res, 200, { ok: true });
    } else if (path === '/readyz') {
      const why = notReadyReason();
      json(res, why ? 503 : 200, why ? { ready: false, reason: why } : { ready: true });
    } else {
      json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path.slice(0, 200)}` } });
    }
  }

  function notReadyReason(): string | null {
    if (stopping) return 'stopping';
    if (!natsUp) return 'NATS disconnected';
    if (!liveLog.consuming) return 'not consuming the liquidation log';
    return null;
  }

  guardUpgrades(server, (req: IncomingMessage, socket: Duplex, head: Buffer, target: RequestTarget) => {
    const parsed = parseFeedRequest(target, req.headers, universe);
    if (isProblem(parsed) && parsed.kind === 'not_found') return refuseUpgrade(socket, 404, { code: 'NOT_FOUND', message: 'no WebSocket endpoint at this path' });
    if (stopping) return refuseUpgrade(socket, 503);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (isProblem(parsed)) {
        metrics.badRequests.inc();
        return refuse(ws, 'BAD_REQUEST', CloseCode.BAD_REQUEST, parsed.kind === 'bad_request' ? parsed.message : 'bad request');
      }
      if (!keys.accepts(parsed.key)) {
        metrics.authFailures.inc();
        return refuse(ws, 'AUTH_FAILED', CloseCode.AUTH_FAILED, parsed.key ? 'unknown API key' : 'API key required (X-API-KEY header or ?token=)');
      }
      if (hub.connections.size >= config.maxConnections) {
        return refuse(ws, 'TOO_MANY_CONNECTIONS', CloseCode.TOO_MANY_CONNECTIONS, `this firehose holds its maximum of ${config.maxConnections} connections`);
      }
      open(ws, socket as Socket, parsed);
    });
  }, guardHooks);

  function refuse(ws: WebSocket, code: ErrorCodeName, closeCode: number, message: string): void {
    ws.on('error', () => undefined);
    ws.send(errorPayload(code, message));
    ws.close(closeCode, `${code}: ${message}`.slice(0, 123));
  }

  function open(ws: WebSocket, socket: Socket, req: FeedRequest): void {
    const conn = new FeedConnection(ws, socket, req, { limits, closeGraceMs: config.closeGraceMs }, { slow: (reason) => metrics.slowDropped.inc({ reason }), lag: (ms) => metrics.clientLag.observe(ms / 1000) });
    hub.add(conn);
    metrics.connections.inc({ endpoint: conn.endpoint });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      conn.closing = true;
      conn.queue.close();
      hub.remove(conn);
      metrics.connections.dec({ endpoint: conn.endpoint });
      metrics.disconnects.inc({ reason: conn.closeCode === undefined ? 'client' : (CODE_NAMES.get(conn.closeCode) ?? String(conn.closeCode)) });
    });
    // the connection stays for the names it knows; it is told which ones name nothing
    if (req.unknownSymbols.length) conn.sendText(errorPayload('UNKNOWN_SYMBOL', `no symbol ${req.unknownSymbols.join(', ')}: symbols are canonical BASE-QUOTE, e.g. BTC-USDT; filtering on the others`));
    if (req.unknownVenues.length) conn.sendText(errorPayload('UNKNOWN_VENUE', `no venue ${req.unknownVenues.join(', ')} (known: ${universe.venues.join(', ')}); filtering on the others`));
    if (req.after === undefined) {
      conn.lastSeq = hub.lastSeq;
      conn.live = true;
      return;
    }
    if (replays >= config.maxConcurrentReplays) {
      metrics.replayRequests.inc({ result: 'rate_limited' });
      const msg = `${replays} replays are running; retry later`;
      conn.close(CloseCode.RATE_LIMITED, `RATE_LIMITED: ${msg}`, errorPayload('RATE_LIMITED', msg));
      return;
    }
    replays++;
    replay(conn, req.after, replayDeps)
      .catch((e: unknown) => {
        metrics.replayRequests.inc({ result: 'failed' });
        log.warn({ err: e, after: req.after }, 'replay failed');
        conn.close(CloseCode.SERVER_RESTART, 'replay failed: reconnect with the same after', errorPayload('REPLAY_FAILED', 'replay failed; reconnect with the same after'));
      })
      .finally(() => replays--);
  }

  function sweepConnections(): void {
    const cutoff = Date.now() - config.idleTimeoutMs;
    for (const c of hub.connections) {
      if (!c.closing && c.lastActivityMs < cutoff) {
        c.close(CloseCode.IDLE_TIMEOUT, `idle timeout: no client frame for ${config.idleTimeoutMs} ms; send {"method":"PING"}`);
      }
      c.probe(config.maxLagMs);
    }
    refreshGauges();
  }

  /** Total and deepest queue and the rotation period, read at scrape time, not per event. */
  function refreshGauges(): void {
    let depth = 0;
    let maxDepth = 0;
    let bytes = 0;
    for (const c of hub.connections) {
      const d = c.queue.depth;
      depth += d;
      if (d > maxDepth) maxDepth = d;
      bytes += c.queue.queuedBytes + c.queue.socketBytes;
    }
    metrics.queueDepth.set(depth);
    metrics.queueDepthMax.set(maxDepth);
    metrics.queueBytes.set(bytes);
    metrics.rotationSeconds.set(hub.periodMs / 1000);
  }

  async function watchNats(): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') natsUp = false;
      else if (s.type === 'reconnect') natsUp = true;
    }
  }

  let port = 0;
  return {
    get port() {
      return port;
    },
    notReadyReason,
    async start() {
      void watchNats().catch(() => undefined);
      await liveLog.start();
      port = await listenOn(server, config.port, config.host);
      sweep = setInterval(sweepConnections, Math.min(SWEEP_MAX_MS, Math.max(50, Math.min(config.idleTimeoutMs / 4, config.maxLagMs / 2))));
      sweep.unref();
      if (!keys.required) log.warn('FIREHOSE_API_KEYS is empty: the firehose is open to anyone who can reach it');
      log.info({ host: config.host, port, from_seq: hub.lastSeq + 1 }, 'firehose listening');
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      if (sweep) clearInterval(sweep);
      const closed = closeServer(server);
      await liveLog.stop();
      hub.flush();
      for (const c of hub.connections) c.close(CloseCode.SERVER_RESTART, 'server restart: reconnect with after=<last seq>');
      // clients that read get their close frame; ones that do not are cut before the service's grace ends
      const deadline = Date.now() + STOP_DRAIN_MS;
      while (hub.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const c of hub.connections) c.ws.terminate();
      server.closeAllConnections();
      wss.close();
      await closed;
    },
  };
}

const json = sendJson;
