/**
 * The simulator on the network: one HTTP server for every simulated venue and the control plane.
 *   /<venue>/…            REST of that venue (metadata, snapshots) and its WebSocket paths
 *   POST /control         {"venue","action":"drop"|"skip_seq"|"silence"|"shift_price"|"resume","ms"?,"bps"?}
 *   GET  /truth/<venue>/<canonical symbol>?depth=N   the true book in canonical units
 *   GET  /truth/liquidations?venue=<id>&since=<ms>    every liquidation the venues sent
 *   GET  /venues, /healthz
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { isBookfuseError } from '../core/index.js';
import { closeServer, guardHttp, guardUpgrades, listenOn, refuseUpgrade, sendJson, type RequestTarget } from '../ws/index.js';
import type { SimWorld, ControlRequest } from './world.js';

export interface SimServerOptions {
  host: string;
  port: number;
  /** ws ping frames for venues whose servers ping (Binance: 20 s spot, 3 min futures) */
  pingIntervalMs: number;
  maxBodyBytes?: number;
}

export interface RunningSimServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startSimServer(world: SimWorld, opts: SimServerOptions): Promise<RunningSimServer> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer(guardHttp((req, res, target) => handleHttp(world, req, res, target, opts.maxBodyBytes ?? 64 * 1024)));
  const sockets = new Set<WebSocket>();

  guardUpgrades(server, (req, socket, head, target) => {
    const [venue, ...rest] = target.segments;
    const sim = venue ? world.simulator(venue) : undefined;
    if (!venue || !sim) return refuseUpgrade(socket, 404, { code: 'NOT_FOUND', message: 'no simulated venue at this path' });
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client = {
        send: (text: string) => {
          if (ws.readyState === ws.OPEN) ws.send(text);
        },
        close: (code?: number, reason?: string) => ws.close(code ?? 1000, reason),
      };
      if (!world.connect(venue, client)) {
        ws.close(1013, 'simulated outage: try again later');
        return;
      }
      sockets.add(ws);
      const session = sim.openSession(`/${rest.join('/')}`, target.query, client);
      let pinger: NodeJS.Timeout | undefined;
      if (sim.serverPings) pinger = setInterval(() => ws.ping(String(Date.now())), opts.pingIntervalMs);
      ws.on('message', (data, isBinary) => {
        if (!isBinary) session.onMessage(data.toString());
      });
      ws.on('close', () => {
        if (pinger) clearInterval(pinger);
        sockets.delete(ws);
        world.disconnect(venue, client);
        session.onClose();
      });
      ws.on('error', () => undefined);
    });
  });

  const port = await listenOn(server, opts.port, opts.host);
  return {
    server,
    port,
    url: `http://${opts.host}:${port}`,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      await closeServer(server);
    },
  };
}

async function handleHttp(world: SimWorld, req: IncomingMessage, res: ServerResponse, url: RequestTarget, maxBody: number): Promise<void> {
  const parts = url.segments;
  let body: unknown;
  try {
    body = await readBody(req, maxBody);
  } catch (e) {
    return json(res, 413, { error: { code: 'BAD_REQUEST', message: (e as Error).message } });
  }
  if (url.path === '/healthz') return json(res, 200, { ok: true });
  if (url.path === '/venues') return json(res, 200, { venues: world.venueIds() });
  if (url.path === '/control') {
    if (req.method !== 'POST') return json(res, 405, { error: { code: 'BAD_REQUEST', message: 'POST a JSON body' } });
    try {
      const r = world.control(parseControl(body));
      return json(res, 200, r);
    } catch (e) {
      return json(res, 400, { error: { code: isBookfuseError(e) ? e.code : 'BAD_REQUEST', message: (e as Error).message } });
    }
  }
  if (url.path === '/truth/liquidations') return truthLiquidations(world, url.query, res);
  if (parts[0] === 'truth' && parts.length === 3) {
    const depth = Math.min(5000, Math.max(1, Number(url.query.get('depth') ?? 20) || 20));
    const t = world.truth(parts[1]!, parts[2]!, depth);
    return t ? json(res, 200, t) : json(res, 404, { error: { code: 'UNKNOWN_SYMBOL', message: `no simulated ${parts[2]} on ${parts[1]}` } });
  }
  const venue = parts[0];
  if (venue) {
    const r = world.rest(venue, req.method ?? 'GET', `/${parts.slice(1).join('/')}`, url.query, body);
    if (r) return json(res, r.status, r.body);
  }
  json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.path.slice(0, 200)}` } });
}

/** GET /truth/liquidations?venue=<id>&since=<ms>: every liquidation sent (both filters optional). */
function truthLiquidations(world: SimWorld, q: URLSearchParams, res: ServerResponse): void {
  const venue = q.get('venue') ?? undefined;
  const sinceRaw = q.get('since') ?? '0';
  if (!/^\d{1,16}$/.test(sinceRaw)) return json(res, 400, { error: { code: 'BAD_REQUEST', message: 'since must be a time in ms since the epoch (a non-negative integer)' } });
  try {
    return json(res, 200, { liquidations: world.sentLiquidations(venue, Number(sinceRaw)) });
  } catch (e) {
    return json(res, 400, { error: { code: 'BAD_REQUEST', message: (e as Error).message } });
  }
}

function parseControl(body: unknown): ControlRequest {
  const o = body as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') throw new Error('body must be a JSON object {"venue","action",...}');
  const out: ControlRequest = { venue: String(o['venue'] ?? ''), action: String(o['action'] ?? '') as ControlRequest['action'] };
  if (o['ms'] !== undefined) {
    if (typeof o['ms'] !== 'number' || o['ms'] < 0) throw new Error('ms must be a non-negative number');
    out.ms = o['ms'];
  }
  if (o['bps'] !== undefined) {
    if (typeof o['bps'] !== 'number' || !Number.isFinite(o['bps'])) throw new Error('bps must be a number');
    out.bps = o['bps'];
  }
  return out;
}

async function readBody(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  if (n === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const json = sendJson;
