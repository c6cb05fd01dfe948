/**
 * The gateway service: fastify HTTP (REST, health, metrics, page) and the consensus WebSocket on
 * the same port, fed from NATS. `createGateway(config, deps)` builds it; `start()` subscribes,
 * asks the merger for snapshots and listens; `stop()` closes clients (reconnectable close),
 * stops listening and unsubscribes. The NATS connection belongs to the caller.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { NatsConnection } from 'nats';
import type { Logger } from '../../libs/obs/index.js';
import type { GatewayConfig } from './config.js';
import { Hub } from './hub.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { registerRoutes } from './routes.js';
import { Upstream } from './upstream.js';
import { WsServer } from './ws-server.js';
import { AlertLog } from './alerts-log.js';
import { WindowsFeed } from './windows-feed.js';
import { WINDOWS_PATH, WindowsServer } from './windows-server.js';

export interface GatewayDeps {
  nc: NatsConnection;
  log: Logger;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly hub: Hub;
  readonly metrics: GatewayMetrics;
  /** http://host:port once started */
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How often lagging connections are checked for drain or slow-close. */
const SWEEP_MS = 50;

export function createGateway(cfg: GatewayConfig, deps: GatewayDeps): Gateway {
  const { nc, log } = deps;
  let natsUp = !nc.isClosed();
  // queue stats are read at scrape time, after `hub` exists
  const metrics = createGatewayMetrics(() => hub.queueStats());
  const hub = new Hub(cfg, metrics);
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    // a target the router cannot decode gets the same 400 as one the normalizer refuses (routes.ts)
    frameworkErrors: (_err, _req, reply) => void (reply as FastifyReply).code(400).send({ code: 'BAD_REQUEST', message: 'bad request target' }),
  });
  const ws = new WsServer(cfg, hub, metrics, log);
  const upstream = new Upstream(nc, cfg, hub, metrics, log);
  let startedAt = Date.now();
  const alerts = new AlertLog(nc, cfg, hub, metrics, log);
  registerRoutes(app, { cfg, hub, metrics, natsUp: () => natsUp && !nc.isClosed(), startedAt: () => startedAt, alerts });
  const windowsFeed = new WindowsFeed(nc, metrics, log);
  const windows = new WindowsServer(cfg, windowsFeed, metrics, log);
  ws.otherPaths.set(WINDOWS_PATH, (req, socket, head, q) => windows.handleUpgrade(req, socket, head, q));
  ws.attach(app.server);
  const timers: ReturnType<typeof setInterval>[] = [];

  const gw: Gateway = {
    app,
    hub,
    metrics,
    url: '',
    port: 0,
    async start() {
      void (async () => {
        for await (const s of nc.status()) {
          if (s.type === 'disconnect') natsUp = false;
          else if (s.type === 'reconnect') natsUp = true;
        }
      })().catch(() => undefined);
      startedAt = Date.now();
      upstream.start();
      alerts.start();
      windowsFeed.start();
      windows.start();
      timers.push(setInterval(() => hub.sweep(), SWEEP_MS));
      timers.push(setInterval(() => hub.heartbeat(), cfg.heartbeatMs));
      timers.push(setInterval(() => hub.checkPongs(), Math.max(25, Math.min(1000, cfg.pongTimeoutMs / 4))));
      await app.listen({ host: cfg.host, port: cfg.port });
      const addr = app.server.address();
      gw.port = typeof addr === 'object' && addr ? addr.port : cfg.port;
      gw.url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${gw.port}`;
      log.info({ url: gw.url, symbols: cfg.symbols }, 'gateway listening');
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      ws.close();
      upstream.stop();
      await alerts.stop();
      windows.stop();
      await windowsFeed.stop();
      await app.close();
    },
  };
  return gw;
}
