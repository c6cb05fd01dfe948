/** The OpenAPI 3.1 description of the gateway's HTTP API, served at GET /openapi.json. */
const level = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }], description: '[price, total, {venue: size}], decimal strings' };
const error = { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } };
const venueView = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['syncing', 'live', 'resyncing', 'down', 'stale'] },
    mid: { type: ['string', 'null'] },
    age_ms: { type: 'integer', description: 'age of the venue book now: age at publish plus time since' },
    stale: { type: 'boolean' },
    divergent: { type: 'boolean' },
    bps: { type: 'number' },
    member: { type: 'boolean' },
  },
};
const keyParams = [
  { name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'API key (or Authorization: Bearer, or X-API-KEY)' },
];

export function openApiDocument(symbols: readonly string[]) {
  return {
    openapi: '3.1.0',
    info: { title: 'bookfuse gateway', version: '1', description: 'Consensus order books over REST; the WebSocket protocol is in docs/protocol.md and docs/asyncapi.yaml.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-KEY' },
        apiKeyQuery: { type: 'apiKey', in: 'query', name: 'token' },
      },
      schemas: {
        Error: error,
        ConsensusLevel: level,
        VenueView: venueView,
        Book: {
          type: 'object',
          required: ['symbol', 'epoch', 'seq', 'depth', 'bids', 'asks', 'venues'],
          properties: {
            symbol: { type: 'string', enum: [...symbols] },
            epoch: { type: 'integer' },
            seq: { type: 'integer', description: 'merger seq of the last update applied' },
            depth: { type: 'integer' },
            ts: { type: 'integer' },
            merge_ts: { type: 'integer' },
            crossed: { type: 'boolean' },
            bids: { type: 'array', items: { $ref: '#/components/schemas/ConsensusLevel' } },
            asks: { type: 'array', items: { $ref: '#/components/schemas/ConsensusLevel' } },
            venues: { type: 'object', additionalProperties: { $ref: '#/components/schemas/VenueView' } },
          },
        },
      },
    },
    security: [{ bearer: [] }, { apiKeyHeader: [] }, { apiKeyQuery: [] }],
    paths: {
      '/v1/books/{symbol}': {
        get: {
          summary: 'Current consensus book',
          parameters: [{ name: 'symbol', in: 'path', required: true, schema: { type: 'string', enum: [...symbols] } }, { name: 'depth', in: 'query', schema: { type: 'integer', minimum: 1 } }, ...keyParams],
          responses: {
            200: { description: 'the book', content: { 'application/json': { schema: { $ref: '#/components/schemas/Book' } } } },
            400: { description: 'BAD_REQUEST', content: { 'application/json': { schema: error } } },
            401: { description: 'AUTH_FAILED', content: { 'application/json': { schema: error } } },
            404: { description: 'UNKNOWN_SYMBOL', content: { 'application/json': { schema: error } } },
            503: { description: 'NOT_READY: no book known to be right yet (start-up or resync)', content: { 'application/json': { schema: error } } },
          },
        },
      },
      '/v1/venues': {
        get: {
          summary: 'Per venue and symbol: state, last message age, staleness, divergence (latest venue views)',
          parameters: keyParams,
          responses: { 200: { description: 'venue views by symbol' }, 401: { description: 'AUTH_FAILED' } },
        },
      },
      '/healthz': { get: { security: [], summary: 'process is up', responses: { 200: { description: 'ok' } } } },
      '/readyz': { get: { security: [], summary: 'NATS connected and a consensus book held for every symbol', responses: { 200: { description: 'ready' }, 503: { description: 'not ready, with the reasons' } } } },
      '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } } },
      '/ws': { get: { summary: 'WebSocket upgrade (see docs/protocol.md)', parameters: [{ name: 'symbols', in: 'query', schema: { type: 'string' } }, { name: 'depth', in: 'query', schema: { type: 'integer' } }, { name: 'mode', in: 'query', schema: { type: 'string', enum: ['stream', 'snapshot'] } }, { name: 'interval_ms', in: 'query', schema: { type: 'integer' } }, { name: 'detail', in: 'query', schema: { type: 'string', enum: ['totals', 'venues'] } }, ...keyParams], responses: { 101: { description: 'switching protocols' } } } },
    },
  };
}
