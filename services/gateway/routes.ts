/**
 * HTTP routes: REST books and venue views, health, readiness, metrics, the OpenAPI document and
 * the widget page. /v1/* takes the same API keys as /ws (unless GATEWAY_REST_REQUIRES_KEY=false).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HeldBook } from './held-book.js';
import { isTargetRefusal, normalizeTarget } from '../../libs/ws/index.js';
import { authenticate, presentedKey } from './auth.js';
import { clientModule, publicAsset } from './assets.js';
import type { GatewayConfig } from './config.js';
import type { Hub } from './hub.js';
import type { GatewayMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { venueIds } from '../../libs/venues/index.js';
import { isRefusal } from './client-protocol.js';
import { parseVenueSet, restBookLevels } from './venue-subset.js';
import { alertsHandler } from './alerts-route.js';
import type { AlertLog } from './alerts-log.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the route needs an API key (GATEWAY_REST_REQUIRES_KEY) */
    apiKey?: boolean;
  }
}

/** Route options of every route that needs an API key: `app.get(path, KEYED, handler)`. */
export const KEYED = { config: { apiKey: true } } as const;

export interface RouteDeps {
  cfg: GatewayConfig;
  hub: Hub;
  metrics: GatewayMetrics;
  natsUp: () => boolean;
  /** local time the gateway started listening to the merger (silence before the first message counts from here) */
  startedAt: () => number;
  alerts: AlertLog;
}

export function registerRoutes(app: FastifyInstance, d: RouteDeps): void {
  const { cfg, hub, metrics } = d;
  const count = (route: string, status: number) => metrics.rest.inc({ route, status: String(status) });

  // Errors answer in the REST shape {code, message}: a handler that throws costs its request only
  app.setErrorHandler(async (err: { statusCode?: number; message: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    count(req.routeOptions.url ?? 'unknown', status);
    return reply.code(status).send(status === 500 ? { code: 'INTERNAL', message: 'request failed' } : { code: 'BAD_REQUEST', message: err.message.slice(0, 200) });
  });

  // Auth is decided by the route the router matched (its `apiKey` flag), and, as a second net, by
  // the normalized path — never by the raw string, which `/%761/…` or `http://x/v1/…` disguise.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const target = normalizeTarget(req.url);
    if (isTargetRefusal(target)) {
      count('unknown', target.status);
      return reply.code(target.status).send({ code: target.code, message: target.message });
    }
    const keyed = req.routeOptions.config?.apiKey === true || target.path.startsWith('/v1/') || target.path === '/v1';
    if (!keyed || !cfg.restRequiresKey) return;
    if (!authenticate(presentedKey(req.headers, target.query), cfg.apiKeyHashes)) {
      count(req.routeOptions.url ?? 'unknown', 401);
      return reply.code(401).send({ code: 'AUTH_FAILED', message: 'missing or unknown API key' });
    }
  });

  app.get<{ Params: { symbol: string }; Querystring: { depth?: string; venues?: string } }>('/v1/books/:symbol', KEYED, async (req, reply) => {
    const feed = hub.feeds.get(req.params.symbol);
    if (!feed) {
      count('/v1/books/:symbol', 404);
      return reply.code(404).send({ code: 'UNKNOWN_SYMBOL', message: `no consensus symbol ${req.params.symbol.slice(0, 32)}` });
    }
    const raw = req.query.depth;
    if (raw !== undefined && !/^[1-9]\d{0,5}$/.test(raw)) {
      count('/v1/books/:symbol', 400);
      return reply.code(400).send({ code: 'BAD_REQUEST', message: 'depth must be a positive integer' });
    }
    const venues = parseVenueSet(req.query.venues, venueIds());
    if (isRefusal(venues)) {
      count('/v1/books/:symbol', 400);
      return reply.code(400).send(venues);
    }
    const held = feed.held;
    if (!held.synced) {
      count('/v1/books/:symbol', 503);
      return reply.code(503).send({ code: 'NOT_READY', message: 'no consensus book known to be right yet' });
    }
    const depth = Math.min(raw ? Number(raw) : cfg.defaultDepth, cfg.maxDepth);
    const now = Date.now();
    count('/v1/books/:symbol', 200);
    return {
      symbol: held.symbol,
      epoch: held.epoch,
      seq: held.seq,
      depth,
      ts: held.ts,
      merge_ts: held.mergeTs,
      upstream_age_ms: held.upstreamAgeMs(now),
      ...restBookLevels(held, depth, venues),
      venues: held.agedVenues(now, cfg.venueStaleAfterMs),
    };
  });

  app.get('/v1/alerts', KEYED, alertsHandler({ cfg, alerts: d.alerts, count }));

  app.get('/v1/venues', KEYED, async () => {
    const now = Date.now();
    const symbols: Record<string, unknown> = {};
    for (const [s, f] of hub.feeds) {
      symbols[s] = { synced: f.held.synced, epoch: f.held.epoch, seq: f.held.seq, upstream_age_ms: f.held.upstreamAgeMs(now), venues: f.held.agedVenues(now, cfg.venueStaleAfterMs) };
    }
    count('/v1/venues', 200);
    return { ts: now, symbols };
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const r = readiness([...hub.feeds.values()].map((f) => f.held), d.natsUp(), Date.now(), d.startedAt(), cfg.upstreamSilenceMs);
    // the alert log must be read before /v1/alerts and ALERT ids can be served
    const out = d.alerts.ready ? { ...r, alert_log: true } : { ...r, ready: false, alert_log: false, reason: [r.reason, 'alert log not read yet'].filter(Boolean).join('; ') };
    return reply.code(out.ready ? 200 : 503).send(out);
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  const openapi = openApiDocument(cfg.symbols);
  app.get('/openapi.json', async () => openapi);

  app.get('/widget-config.json', async () => ({ symbols: cfg.symbols, depth: Math.min(20, cfg.maxDepth), firehose_url: cfg.firehoseUrl }));

  const page = async (name: string, reply: FastifyReply) => {
    const a = await publicAsset(name);
    if (!a) return reply.code(404).send({ code: 'NOT_FOUND', message: name });
    return reply.type(a.type).send(a.body);
  };
  app.get('/', async (_req, reply) => page('index.html', reply));
  app.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => page(req.params.file, reply));
  app.get<{ Params: { file: string } }>('/client/:file', async (req, reply) => {
    const a = await clientModule(req.params.file);
    if (!a) return reply.code(404).send({ code: 'NOT_FOUND', message: req.params.file });
    return reply.type(a.type).send(a.body);
  });
}

/**
 * Ready = NATS up, a right book for every symbol, and the merger heard for each within
 * `silenceMs` (it republishes venue views every second, so silence means it is frozen or gone).
 */
export function readiness(books: readonly HeldBook[], nats: boolean, now: number, startedAt: number, silenceMs: number) {
  const missing = books.filter((b) => !b.synced).map((b) => b.symbol);
  const silent: Record<string, number> = {};
  for (const b of books) {
    const quiet = now - (b.heardAt || startedAt);
    if (quiet > silenceMs) silent[b.symbol] = Math.round(quiet);
  }
  const reasons: string[] = [];
  if (!nats) reasons.push('NATS disconnected');
  if (missing.length) reasons.push(`no right book yet for ${missing.join(', ')}`);
  const quiet = Object.keys(silent);
  if (quiet.length) reasons.push(`merger silent for more than ${silenceMs} ms on ${quiet.join(', ')}`);
  const ready = reasons.length === 0;
  return { ready, nats, missing_books: missing, silent_symbols: silent, ...(ready ? {} : { reason: reasons.join('; ') }) };
}
