/**
 * The operations endpoints every headless service exposes: /metrics (Prometheus), /healthz
 * (the process answers) and /readyz (the service can do its job: `ready()` says why not).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

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
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
    send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path}` } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${opts.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(s);
}
