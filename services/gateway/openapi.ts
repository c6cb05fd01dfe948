/**
 * The OpenAPI 3.1 description of the gateway's HTTP API, served at GET /openapi.json: every route
 * with an operationId and a response schema for every status it can give. Schemas are JSON Schema
 * 2020-12 (OpenAPI 3.1); times are integer ms since the epoch. test/contract/openapi.test.ts
 * validates this document with swagger-parser and real responses against it.
 */
import { ERROR_CODES, type ErrorCodeName } from '../../libs/client/index.js';

const decimal = { type: 'string', pattern: '^\\d+(\\.\\d+)?$', description: 'exact decimal' };
const timeMs = { type: 'integer', minimum: 0, description: 'ms since the epoch' };
const level = {
  type: 'array',
  description: '[price, total, {venue: size}], decimal strings',
  prefixItems: [decimal, decimal, { type: 'object', additionalProperties: decimal }],
  minItems: 3,
  maxItems: 3,
  items: false,
};
/** the REST codes of the one code table (libs/client/codes.ts) that answer with `status` */
const restCodes = (status: number) => (Object.keys(ERROR_CODES) as ErrorCodeName[]).filter((c) => (ERROR_CODES[c] as { http?: number }).http === status && (ERROR_CODES[c].sent as readonly string[]).includes('rest'));
const errorBody = (codes: string[]) => ({
  type: 'object',
  additionalProperties: false,
  required: ['code', 'message'],
  properties: { code: { type: 'string', enum: codes, description: 'libs/client/codes.ts' }, message: { type: 'string' } },
});
const venueView = {
  type: 'object',
  additionalProperties: false,
  required: ['state', 'mid', 'age_ms', 'reported_age_ms', 'stale', 'divergent'],
  properties: {
    state: { type: 'string', enum: ['syncing', 'live', 'resyncing', 'down', 'stale'] },
    mid: { oneOf: [decimal, { type: 'null' }] },
    age_ms: { type: 'integer', minimum: 0, description: 'age of the venue book now: the age the merger reported plus the time since' },
    reported_age_ms: { type: 'integer', minimum: 0, description: 'age of the venue book the merger reported with its last update' },
    stale: { type: 'boolean' },
    divergent: { type: 'boolean' },
    bps: { type: 'number', description: 'distance of the venue mid from the consensus mid, basis points' },
    member: { type: 'boolean', description: 'false while the venue book stays out of the totals' },
  },
};
const json = (schema: unknown) => ({ 'application/json': { schema } });
const err = (status: number, description: string) => ({ description: `${restCodes(status).join(', ')}: ${description}`, content: json(errorBody(restCodes(status))) });
/** any route whose handler throws answers 500 INTERNAL: only that request is lost */
const internal = { 500: err(500, 'the handler failed') };
const keyParams = [{ name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'API key (or Authorization: Bearer KEY, or X-API-KEY: KEY)' }];
const noKey: unknown[] = [];
const upgrade = { description: 'Switching Protocols: the WebSocket is open; refusals send one ERROR and close (docs/protocol.md)' };
const page = (type: string) => ({ 200: { description: 'the file', content: { [type]: { schema: { type: 'string' } } } } });
const notFound = { 404: { description: 'NOT_FOUND: no such file', content: json(errorBody(['NOT_FOUND'])) } };

export function openApiDocument(symbols: readonly string[]) {
  const symbol = { type: 'string', enum: [...symbols] };
  return {
    openapi: '3.1.0',
    info: {
      title: 'bookfuse gateway',
      version: '1',
      description: 'Consensus order books over REST and WebSocket; the WebSocket messages are in docs/protocol.md and docs/asyncapi.yaml.',
    },
    servers: [
      { url: '/', description: 'the gateway serving this document' },
      { url: 'http://127.0.0.1:8080', description: 'default GATEWAY_HOST:GATEWAY_PORT (npm run demo)' },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-KEY' },
        apiKeyQuery: { type: 'apiKey', in: 'query', name: 'token' },
      },
      schemas: {
        Error: errorBody(Object.keys(ERROR_CODES).filter((c) => (ERROR_CODES[c as ErrorCodeName].sent as readonly string[]).includes('rest'))),
        ConsensusLevel: level,
        VenueView: venueView,
        Book: {
          type: 'object',
          additionalProperties: false,
          required: ['symbol', 'epoch', 'seq', 'depth', 'ts', 'merge_ts', 'crossed', 'bids', 'asks', 'venues', 'venue_set'],
          properties: {
            symbol,
            venue_set: { type: ['array', 'null'], items: { type: 'string' }, description: 'the venues asked with ?venues= (sorted): bids/asks are the consensus over only those; null = every venue' },
            epoch: { type: 'integer', minimum: 0, description: "the merger's epoch (its start time)" },
            seq: { type: 'integer', minimum: 0, description: 'merger seq of the last update applied' },
            depth: { type: 'integer', minimum: 1 },
            ts: timeMs,
            merge_ts: timeMs,
            upstream_age_ms: { type: 'integer', minimum: 0, description: 'ms since the gateway last heard from the merger for this symbol' },
            crossed: { type: 'boolean' },
            bids: { type: 'array', items: { $ref: '#/components/schemas/ConsensusLevel' } },
            asks: { type: 'array', items: { $ref: '#/components/schemas/ConsensusLevel' } },
            venues: { type: 'object', additionalProperties: { $ref: '#/components/schemas/VenueView' } },
          },
        },
        Venues: {
          type: 'object',
          additionalProperties: false,
          required: ['ts', 'symbols'],
          properties: {
            ts: timeMs,
            symbols: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                required: ['synced', 'epoch', 'seq', 'venues'],
                properties: {
                  synced: { type: 'boolean', description: 'the gateway holds a book it knows to be right' },
                  epoch: { type: 'integer', minimum: 0 },
                  seq: { type: 'integer', minimum: 0 },
                  upstream_age_ms: { type: 'integer', minimum: 0, description: 'ms since the gateway last heard from the merger for this symbol' },
                  venues: { type: 'object', additionalProperties: { $ref: '#/components/schemas/VenueView' } },
                },
              },
            },
          },
        },
        Alert: {
          type: 'object',
          required: ['id', 'v', 'symbol', 'kind', 'venue', 'priority', 'detail', 'ts'],
          properties: {
            id: { type: 'integer', minimum: 1, description: 'alert log sequence: the same on every gateway, increasing' },
            v: { const: 1 },
            symbol: { type: 'string' },
            kind: { type: 'string', enum: ['STALE', 'RECOVERED', 'DIVERGENCE', 'CONVERGED', 'RESYNC', 'LARGE_LIQUIDATION'] },
            venue: { type: 'string' },
            priority: { type: 'string', enum: ['P0', 'P1', 'P2'] },
            detail: { type: 'object' },
            ts: timeMs,
          },
        },
        Alerts: {
          type: 'object',
          additionalProperties: false,
          required: ['alerts', 'next_after'],
          properties: {
            alerts: { type: 'array', items: { $ref: '#/components/schemas/Alert' } },
            next_after: { type: 'integer', minimum: 0, description: 'pass as the next after' },
          },
        },
        Health: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { const: 'ok' } } },
        Readiness: {
          type: 'object',
          additionalProperties: false,
          required: ['ready', 'nats', 'missing_books', 'silent_symbols'],
          properties: {
            ready: { type: 'boolean' },
            nats: { type: 'boolean', description: 'NATS connected' },
            missing_books: { type: 'array', items: symbol, description: 'symbols without a book known to be right' },
            silent_symbols: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 }, description: 'symbol → ms the merger has been silent, past GATEWAY_UPSTREAM_SILENCE_MS' },
            reason: { type: 'string', description: 'why not ready (only when ready is false)' },
            alert_log: { type: 'boolean', description: 'the alert log has been read (GET /v1/alerts and ALERT ids can be served)' },
          },
        },
        WidgetConfig: {
          type: 'object',
          additionalProperties: false,
          required: ['symbols', 'depth', 'firehose_url'],
          properties: { symbols: { type: 'array', items: symbol }, depth: { type: 'integer', minimum: 1 }, firehose_url: { type: 'string' } },
        },
      },
    },
    security: [{ bearer: [] }, { apiKeyHeader: [] }, { apiKeyQuery: [] }],
    paths: {
      '/v1/books/{symbol}': {
        get: {
          operationId: 'getBook',
          summary: 'Current consensus book with per-venue sizes and venue views',
          parameters: [
            { name: 'symbol', in: 'path', required: true, schema: symbol },
            { name: 'depth', in: 'query', schema: { type: 'integer', minimum: 1 }, description: 'levels per side (capped at GATEWAY_MAX_DEPTH)' },
            { name: 'venues', in: 'query', schema: { type: 'string' }, description: 'comma list of venue ids: the consensus over only those venues (docs/protocol.md "Venue selection")' },
            ...keyParams,
          ],
          responses: {
            200: { description: 'the book', content: json({ $ref: '#/components/schemas/Book' }) },
            400: err(400, 'depth is not a positive integer, or venues names an unknown venue'),
            401: err(401, 'missing or unknown API key'),
            404: err(404, 'the gateway does not serve this symbol'),
            503: err(503, 'no book known to be right yet (start-up or resync)'),
            ...internal,
          },
        },
      },
      '/v1/alerts': {
        get: {
          operationId: 'listAlerts',
          summary: 'The alerts after an id, oldest first (gap recovery; docs/protocol.md)',
          parameters: [
            { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'the last alert id seen; omitted = from the oldest kept' },
            { name: 'symbol', in: 'query', schema: symbol, description: "only this symbol's alerts" },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            ...keyParams,
          ],
          responses: {
            200: { description: 'the alerts and where to continue', content: json({ $ref: '#/components/schemas/Alerts' }) },
            400: err(400, 'after or limit malformed'),
            401: err(401, 'missing or unknown API key'),
            404: err(404, 'the gateway does not serve this symbol'),
            410: err(410, 'alerts after this id are no longer kept (past the retention); fetch without after'),
            503: err(503, 'the gateway has not read the alert log yet'),
          },
        },
      },
      '/v1/venues': {
        get: {
          operationId: 'listVenues',
          summary: 'Per symbol and venue: state, age now and as reported, staleness, divergence',
          parameters: keyParams,
          responses: {
            200: { description: 'venue views by symbol', content: json({ $ref: '#/components/schemas/Venues' }) },
            401: err(401, 'missing or unknown API key'),
            ...internal,
          },
        },
      },
      '/healthz': {
        get: { operationId: 'getHealth', security: noKey, summary: 'the process answers', responses: { 200: { description: 'ok', content: json({ $ref: '#/components/schemas/Health' }) } } },
      },
      '/readyz': {
        get: {
          operationId: 'getReadiness',
          security: noKey,
          summary: 'NATS connected and a consensus book held for every symbol',
          responses: {
            200: { description: 'ready', content: json({ $ref: '#/components/schemas/Readiness' }) },
            503: { description: 'not ready, with the reasons', content: json({ $ref: '#/components/schemas/Readiness' }) },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          security: noKey,
          summary: 'Prometheus metrics (docs/gateway.md)',
          responses: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: { operationId: 'getOpenApi', security: noKey, summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object', required: ['openapi', 'paths'] }) } } },
      },
      '/widget-config.json': {
        get: { operationId: 'getWidgetConfig', security: noKey, summary: 'what the widget page shows', responses: { 200: { description: 'widget settings', content: json({ $ref: '#/components/schemas/WidgetConfig' }) } } },
      },
      '/': {
        get: { operationId: 'getWidgetPage', security: noKey, summary: 'the widget page', responses: { ...page('text/html'), ...notFound } },
      },
      '/static/{file}': {
        get: {
          operationId: 'getStaticAsset',
          security: noKey,
          summary: "the widget page's script and style",
          parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: { description: 'the file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } }, ...notFound },
        },
      },
      '/client/{file}': {
        get: {
          operationId: 'getClientModule',
          security: noKey,
          summary: 'the client library (libs/client) as browser ES modules',
          parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9-]*\\.js$' } }],
          responses: { ...page('text/javascript'), ...notFound },
        },
      },
      '/ws': {
        get: {
          operationId: 'openConsensusWebSocket',
          summary: 'WebSocket upgrade: stream or snapshot mode (docs/protocol.md, docs/asyncapi.yaml)',
          parameters: [
            { name: 'symbols', in: 'query', schema: { type: 'string' }, description: 'comma list of consensus symbols' },
            { name: 'depth', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'mode', in: 'query', schema: { type: 'string', enum: ['stream', 'snapshot'] } },
            { name: 'interval_ms', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'detail', in: 'query', schema: { type: 'string', enum: ['totals', 'venues'] } },
            { name: 'venues', in: 'query', schema: { type: 'string' }, description: 'comma list of venue ids: the books merge only these' },
            { name: 'events', in: 'query', schema: { type: 'string' }, description: 'comma list of BOOK, TRADE, ALERT (default all)' },
            ...keyParams,
          ],
          responses: { 101: upgrade },
        },
      },
      '/ws/windows': {
        get: {
          operationId: 'openWindowsWebSocket',
          summary: 'WebSocket upgrade: window open prices (docs/protocol.md "Window prices", docs/asyncapi.yaml)',
          parameters: keyParams,
          responses: { 101: upgrade },
        },
      },
      '/ws/{key}/{symbol}': {
        get: {
          operationId: 'openSymbolWebSocket',
          security: noKey,
          summary: 'WebSocket upgrade, one symbol in snapshot mode: SNAPSHOT and TRADE only',
          parameters: [
            { name: 'key', in: 'path', required: true, schema: { type: 'string' }, description: 'API key' },
            { name: 'symbol', in: 'path', required: true, schema: { type: 'string' }, description: 'consensus symbol' },
            { name: 'depth', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'interval_ms', in: 'query', schema: { type: 'integer', minimum: 1 } },
          ],
          responses: { 101: upgrade },
        },
      },
    },
  };
}
