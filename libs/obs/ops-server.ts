/**
 * The operations endpoints every headless service exposes: /metrics (Prometheus), /healthz
 * (the process answers) and /readyz (the service can do its job: `ready()` says why not).
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { closeServer, guardHttp, guardUpgrades, listenOn, refuseUpgrade, sendJson } from '../ws/index.js';

export interface OpsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  ready: () => string | null;
  /** fields /healthz adds beside `ok` (a merger's role and shard, a collector's line) */
  health?: () => Record<string, unknown>;
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer(guardHttp((_req, res, { path }) => {
    if (path === '/metrics') {
      opts.registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        });
      return;
    }
    if (path === '/healthz') return void send(res, 200, { ok: true, ...opts.health?.() });
    if (path === '/readyz') {
      const why = opts.ready();
      return void send(res, why ? 503 : 200, why ? { ready: false, reason: why } : { ready: true });
    }
    send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path.slice(0, 200)}` } });
  }));
  // no WebSocket here: an upgrade is answered and closed rather than held as a keep-alive request
  guardUpgrades(server, (_req, socket) => refuseUpgrade(socket, 404, { code: 'NOT_FOUND', message: 'no WebSocket endpoint' }));
  const port = await listenOn(server, opts.port, opts.host);
  return { port, url: `http://${opts.host}:${port}`, close: () => closeServer(server) };
}

const send = sendJson;
