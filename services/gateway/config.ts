/**
 * Gateway configuration: every variable documented here (docs/gateway.md repeats the table), read
 * once, validated whole, frozen. API keys are hashed at load and the plain keys are not kept.
 */
import { commonSchema, parse, readEnv, schemaDocs, type CommonConfig, type Schema } from '../../libs/config/index.js';
import { keyDigests, parseKeyLimits, type KeyLimits } from '../../libs/ws/index.js';
import { keyIdOf } from './auth.js';
import { BookfuseError } from '../../libs/core/index.js';
import { DEFAULT_WINDOW_PRICE_TIMEOUT_MS, DEFAULT_WINDOW_TYPES, windowTypeNames } from '../../libs/consensus/index.js';

export interface GatewayEnvConfig extends CommonConfig {
  host: string;
  port: number;
  symbols: string[];
  apiKeys: string[];
  allowedOrigins: string[];
  maxConnections: number;
  maxConnectionsPerKey: number;
  maxConnectionsPerKeyPerAddress: number;
  /** JSON text, checked at read time (kept as text so its documented default reads `{}`) */
  apiKeyLimits: string;
  maxSymbolsPerConnection: number;
  defaultDepth: number;
  maxDepth: number;
  maxFrameBytes: number;
  hardMaxFrameBytes: number;
  ratePerS: number;
  rateBurst: number;
  maxStrikes: number;
  heartbeatMs: number;
  pongTimeoutMs: number;
  maxMissedPongs: number;
  queueMaxMessages: number;
  queueMaxBytes: number;
  socketHighWaterBytes: number;
  slowCloseMs: number;
  minSnapshotIntervalMs: number;
  snapshotTimeoutMs: number;
  snapshotRetryMs: number;
  upstreamBufferMax: number;
  restRequiresKey: boolean;
  firehoseUrl: string;
  upstreamSilenceMs: number;
  venueStaleAfterMs: number;
  alertHistoryMax: number;
  /** interval names (WINDOW_TYPES), checked */
  windowTypes: string[];
  windowPriceTimeoutMs: number;
}

export interface GatewayConfig extends Omit<GatewayEnvConfig, 'apiKeys' | 'apiKeyLimits'> {
  /** SHA-256 of each API key; the keys themselves are not kept */
  apiKeyHashes: Buffer[];
  /** per key id (auth.ts keyIdOf), the keys given their own limits in GATEWAY_API_KEY_LIMITS */
  keyLimits: ReadonlyMap<string, KeyLimits>;
}

const int = parse.int;
const SYMBOL = /^[A-Z0-9]+-[A-Z0-9]+$/;

const schema: Schema<GatewayEnvConfig> = {
  ...commonSchema,
  host: { env: 'GATEWAY_HOST', parse: parse.string, default: '127.0.0.1', doc: 'interface the HTTP/WebSocket server binds' },
  port: { env: 'GATEWAY_PORT', parse: parse.port, default: 8080, doc: 'HTTP/WebSocket port (0 = any free port)' },
  symbols: {
    env: 'GATEWAY_SYMBOLS',
    parse: (raw) => {
      const l = parse.list(raw);
      const bad = l.filter((s) => !SYMBOL.test(s));
      if (bad.length || !l.length) throw new Error(`must be a comma list of BASE-QUOTE symbols (bad: ${bad.join(', ') || 'empty'})`);
      return l;
    },
    default: ['BTC-USD', 'ETH-USD'],
    doc: 'consensus symbols served; any other symbol is UNKNOWN_SYMBOL',
  },
  apiKeys: {
    env: 'GATEWAY_API_KEYS',
    parse: (raw) => {
      const l = parse.list(raw);
      if (!l.length) throw new Error('needs at least one key');
      return l;
    },
    default: ['demo'],
    doc: 'comma list of accepted API keys (stored hashed, never logged)',
  },
  allowedOrigins: { env: 'GATEWAY_ALLOWED_ORIGINS', parse: parse.list, default: [], doc: 'browser Origins allowed to open /ws (empty = any); requests without Origin are not browsers and pass' },
  maxConnections: { env: 'GATEWAY_MAX_CONNECTIONS', parse: int(1, 1_000_000), default: 10_000, doc: 'WebSocket connections per process' },
  maxConnectionsPerKey: { env: 'GATEWAY_MAX_CONNECTIONS_PER_KEY', parse: int(1, 1_000_000), default: 1_000, doc: 'WebSocket connections per API key' },
  maxConnectionsPerKeyPerAddress: {
    env: 'GATEWAY_MAX_CONNECTIONS_PER_KEY_PER_ADDRESS',
    parse: int(1, 1_000_000),
    default: 100,
    doc: 'WebSocket connections per API key from one client address, so one host cannot lock a shared key out (behind a proxy, raise it to the per-key limit)',
  },
  apiKeyLimits: {
    env: 'GATEWAY_API_KEY_LIMITS',
    parse: (raw) => (parseKeyLimits(raw), raw),
    default: '{}',
    secret: true,
    doc: 'JSON of per-key limits, keyed as in GATEWAY_API_KEYS: {"<key>":{"max_connections":N,"max_connections_per_address":M}}; unset fields use the two limits above',
  },
  maxSymbolsPerConnection: { env: 'GATEWAY_MAX_SYMBOLS', parse: int(1, 1000), default: 20, doc: 'symbols one connection may subscribe' },
  defaultDepth: { env: 'GATEWAY_DEFAULT_DEPTH', parse: int(1, 1000), default: 25, doc: 'levels per side when the client does not ask' },
  maxDepth: { env: 'GATEWAY_MAX_DEPTH', parse: int(1, 1000), default: 100, doc: 'largest depth a client may ask (also capped by the merger depth)' },
  maxFrameBytes: { env: 'GATEWAY_MAX_FRAME_BYTES', parse: int(64, 1 << 20), default: 4096, doc: 'client frames above this get ERROR BAD_REQUEST (a strike)' },
  hardMaxFrameBytes: { env: 'GATEWAY_HARD_MAX_FRAME_BYTES', parse: int(64, 16 << 20), default: 65_536, doc: 'client frames above this close at once with 1009 (ws maxPayload)' },
  ratePerS: { env: 'GATEWAY_RATE_PER_S', parse: parse.number(0.1, 100_000), default: 10, doc: 'client messages per second refilled into the token bucket' },
  rateBurst: { env: 'GATEWAY_RATE_BURST', parse: int(1, 100_000), default: 20, doc: 'token bucket size for client messages' },
  maxStrikes: { env: 'GATEWAY_MAX_STRIKES', parse: int(1, 10_000), default: 10, doc: 'bad or rate-limited client messages tolerated per minute before the connection is closed' },
  heartbeatMs: { env: 'GATEWAY_HEARTBEAT_MS', parse: int(100, 3_600_000), default: 30_000, doc: 'interval of server PING messages' },
  pongTimeoutMs: { env: 'GATEWAY_PONG_TIMEOUT_MS', parse: int(50, 600_000), default: 10_000, doc: 'a PONG is due this long after a PING' },
  maxMissedPongs: { env: 'GATEWAY_MAX_MISSED_PONGS', parse: int(1, 100), default: 3, doc: 'missed PONGs in a row that close the connection (4001)' },
  queueMaxMessages: { env: 'GATEWAY_QUEUE_MAX_MESSAGES', parse: int(8, 1_000_000), default: 2_000, doc: 'frames a connection may have waiting; over it book data is conflated' },
  queueMaxBytes: { env: 'GATEWAY_QUEUE_MAX_BYTES', parse: int(4096, 1 << 30), default: 1 << 20, doc: 'bytes a connection may have waiting; over it book data is conflated' },
  socketHighWaterBytes: { env: 'GATEWAY_SOCKET_HIGH_WATER_BYTES', parse: int(1024, 1 << 30), default: 128 * 1024, doc: 'bytes handed to a socket before the connection counts as behind' },
  slowCloseMs: { env: 'GATEWAY_SLOW_CLOSE_MS', parse: int(100, 3_600_000), default: 10_000, doc: 'a connection blocked (not draining) this long is closed with SLOW_CONSUMER' },
  minSnapshotIntervalMs: { env: 'GATEWAY_MIN_SNAPSHOT_INTERVAL_MS', parse: int(10, 60_000), default: 50, doc: 'smallest interval_ms accepted in mode=snapshot' },
  snapshotTimeoutMs: { env: 'GATEWAY_SNAPSHOT_TIMEOUT_MS', parse: int(50, 60_000), default: 2_000, doc: 'wait for a merger snapshot reply' },
  snapshotRetryMs: { env: 'GATEWAY_SNAPSHOT_RETRY_MS', parse: int(50, 60_000), default: 1_000, doc: 'pause before asking the merger for a snapshot again' },
  upstreamBufferMax: { env: 'GATEWAY_UPSTREAM_BUFFER_MAX', parse: int(1, 1_000_000), default: 10_000, doc: 'merger deltas buffered per symbol while a snapshot request is out (overflow: ask again)' },
  upstreamSilenceMs: {
    env: 'GATEWAY_UPSTREAM_SILENCE_MS',
    parse: int(100, 3_600_000),
    default: 3_000,
    doc: '/readyz answers 503 when the merger has been silent this long for a served symbol (it republishes venue views every second)',
  },
  venueStaleAfterMs: {
    env: 'GATEWAY_VENUE_STALE_AFTER_MS',
    parse: int(100, 3_600_000),
    default: 5_000,
    doc: 'a venue view older than this (the age the merger reported plus the time since) is shown stale in REST and SNAPSHOTs (the merger\'s STALE_AFTER_MS)',
  },
  restRequiresKey: { env: 'GATEWAY_REST_REQUIRES_KEY', parse: parse.bool, default: true, doc: 'GET /v1/* needs an API key like /ws' },
  firehoseUrl: {
    env: 'GATEWAY_FIREHOSE_URL',
    parse: parse.url('ws', 'wss'),
    default: 'ws://127.0.0.1:8081/ws/v1/liquidation/feed',
    doc: 'liquidation firehose the widget page connects to (the page adds ?token=)',
  },
  windowTypes: { env: 'WINDOW_TYPES', parse: windowTypeNames, default: windowTypeNames(DEFAULT_WINDOW_TYPES), doc: 'window intervals /ws/windows offers (`<n>s|m|h|d`; the merger publishes the same list)' },
  windowPriceTimeoutMs: {
    env: 'WINDOW_PRICE_TIMEOUT_MS',
    parse: int(100, 3_600_000),
    default: DEFAULT_WINDOW_PRICE_TIMEOUT_MS,
    doc: 'after this long past a boundary with no price, a /ws/windows subscribe gets window_open_error for the current window',
  },
  alertHistoryMax: { env: 'GATEWAY_ALERT_HISTORY_MAX', parse: int(100, 10_000_000), default: 100_000, doc: 'alerts kept for GET /v1/alerts (besides the alert log\'s own age limit)' },
};

export function loadGatewayConfig(env: Record<string, string | undefined>): Readonly<GatewayConfig> {
  const { apiKeys, apiKeyLimits: limitsJson, ...rest } = readEnv(schema, env);
  const apiKeyLimits = parseKeyLimits(limitsJson);
  const unknown = Object.keys(apiKeyLimits).filter((k) => !apiKeys.includes(k));
  if (unknown.length) {
    throw new BookfuseError('BAD_CONFIG', `invalid configuration:\n  GATEWAY_API_KEY_LIMITS names ${unknown.length} key(s) not in GATEWAY_API_KEYS (keys are written exactly as there)`);
  }
  const defaults = { maxConnections: rest.maxConnectionsPerKey, maxConnectionsPerAddress: rest.maxConnectionsPerKeyPerAddress };
  const keyLimits = new Map(Object.entries(apiKeyLimits).map(([k, l]) => [keyIdOf(keyDigests([k])[0]!), { ...defaults, ...l }]));
  if (rest.defaultDepth > rest.maxDepth) {
    throw new BookfuseError('BAD_CONFIG', `invalid configuration:\n  GATEWAY_DEFAULT_DEPTH=${rest.defaultDepth} exceeds GATEWAY_MAX_DEPTH=${rest.maxDepth}`);
  }
  if (rest.maxFrameBytes > rest.hardMaxFrameBytes) {
    throw new BookfuseError('BAD_CONFIG', `invalid configuration:\n  GATEWAY_MAX_FRAME_BYTES exceeds GATEWAY_HARD_MAX_FRAME_BYTES`);
  }
  return Object.freeze({ ...rest, symbols: Object.freeze([...rest.symbols]) as string[], apiKeyHashes: keyDigests(apiKeys), keyLimits });
}

/** The documented variables, for docs/gateway.md and `--help`. */
export function gatewayEnvDocs(): { env: string; default: string; doc: string }[] {
  return schemaDocs(schema);
}
