/**
 * Firehose configuration: every variable it reads, with its default and meaning (docs/firehose.md
 * repeats this table). Pure: tests build a config from a literal environment.
 */
import { DEFAULT_LIQ_RETENTION_MS, liqReplicasField } from '../../libs/bus/index.js';
import { PULL_BATCH } from './liq-log.js';
import { commonSchema, parse, readEnv, type CommonConfig, type Schema } from '../../libs/config/index.js';

export interface FirehoseConfig extends CommonConfig {
  host: string;
  port: number;
  /** API keys (or `sha256:<hex>` digests of them); empty = no key required */
  apiKeys: string[];
  idleTimeoutMs: number;
  writeIntervalMs: number;
  writeShare: number;
  queueMaxMessages: number;
  queueMaxBytes: number;
  socketHighWaterBytes: number;
  maxLagMs: number;
  closeGraceMs: number;
  maxConnections: number;
  maxConcurrentReplays: number;
  /** retention used only when the firehose has to create the stream itself */
  liqRetentionMs: number;
  /** LIQ_REPLICAS: replicas of the log when the firehose creates it */
  liqReplicas: number;
}

/**
 * The log is read in pulls of up to PULL_BATCH entries and a tick's arrivals reach a client as
 * one batch, so a cap below one pull would drop clients that keep up perfectly well.
 */
const MIN_QUEUE_MESSAGES = PULL_BATCH;
const MIN_QUEUE_BYTES = 1024 * 1024;

export const firehoseSchema: Schema<FirehoseConfig> = {
  ...commonSchema,
  host: { env: 'FIREHOSE_HOST', parse: parse.string, default: '127.0.0.1', doc: 'address the HTTP/WebSocket server binds' },
  port: { env: 'FIREHOSE_PORT', parse: parse.port, default: 8081, doc: 'HTTP/WebSocket port (0 = any free port)' },
  apiKeys: {
    env: 'FIREHOSE_API_KEYS',
    parse: apiKeyList,
    secret: true,
    default: [],
    doc: 'comma-separated API keys, or sha256:<64 hex> digests of them; empty = open access (a warning is logged)',
  },
  idleTimeoutMs: {
    env: 'FIREHOSE_IDLE_TIMEOUT_MS',
    parse: parse.int(1_000, 86_400_000),
    default: 60_000,
    doc: 'a connection with no non-empty client frame (or WebSocket ping) for this long is closed with 4003',
  },
  writeIntervalMs: {
    env: 'FIREHOSE_WRITE_INTERVAL_MS',
    parse: parse.int(1, 1_000),
    default: 10,
    doc: 'the longest paced rotation: under load (the writes do not fit in the write share) each client gets one write per rotation, holding every event since its last; the rotation starts at this interval, eases toward what the write share allows while no reader falls behind and doubles back toward it when one does; a client whose socket has a backlog always gets one write per this interval; while the writes fit, every event goes out at once',
  },
  writeShare: {
    env: 'FIREHOSE_WRITE_SHARE',
    parse: parse.number(0.05, 1),
    default: 0.5,
    doc: 'most of the time the live fan-out may spend writing to sockets: while writing every turn\'s events to every client fits in it, events go out at once; past it the rotation paces the writes, stretched beyond the interval when the clients do not fit in it, so reading the log keeps the rest',
  },
  queueMaxMessages: {
    env: 'FIREHOSE_QUEUE_MAX_MESSAGES',
    parse: parse.int(MIN_QUEUE_MESSAGES, 10_000_000),
    default: 20_000,
    doc: `per-connection cap on messages waiting to be written; over it the client is closed with 4000 slow consumer (at least ${MIN_QUEUE_MESSAGES}: one tick's batch must fit)`,
  },
  queueMaxBytes: {
    env: 'FIREHOSE_QUEUE_MAX_BYTES',
    parse: parse.int(MIN_QUEUE_BYTES, 1_073_741_824),
    default: 8 * 1024 * 1024,
    doc: 'per-connection cap on bytes waiting to be written; over it the client is closed with 4000 slow consumer (at least 1 MiB)',
  },
  socketHighWaterBytes: {
    env: 'FIREHOSE_SOCKET_HIGH_WATER_BYTES',
    parse: parse.int(1_024, 64 * 1024 * 1024),
    default: 256 * 1024,
    doc: 'bytes handed to a socket before further frames wait in the queue (bounds memory per stalled client)',
  },
  maxLagMs: {
    env: 'FIREHOSE_MAX_LAG_MS',
    parse: parse.int(100, 600_000),
    default: 3_000,
    doc: 'each client gets a WebSocket ping queued behind its data (with its first data, every 30 s, and every second while frames wait behind its full socket); one that has not answered within this long is that far behind, or not reading, and is closed with 4000 slow consumer',
  },
  closeGraceMs: {
    env: 'FIREHOSE_CLOSE_GRACE_MS',
    parse: parse.int(0, 600_000),
    default: 10_000,
    doc: 'after the server closes a connection (slow consumer, idle, shutdown), how long a client that is not reading keeps its socket before it is cut: it reads the close code if it resumes in time',
  },
  maxConnections: {
    env: 'FIREHOSE_MAX_CONNECTIONS',
    parse: parse.int(1, 1_000_000),
    default: 10_000,
    doc: 'connections beyond this are closed with 4102 too many connections',
  },
  maxConcurrentReplays: {
    env: 'FIREHOSE_MAX_CONCURRENT_REPLAYS',
    parse: parse.int(1, 10_000),
    default: 64,
    doc: '?after= replays running at once; more are refused with ERROR RATE_LIMITED and close 4004',
  },
  liqRetentionMs: {
    env: 'FIREHOSE_LIQ_RETENTION_MS',
    parse: parse.int(60_000, 365 * 86_400_000),
    default: DEFAULT_LIQ_RETENTION_MS,
    doc: 'retention of the liquidation stream when the firehose starts before the merger and creates it; an existing stream is used as it is',
  },
  liqReplicas: liqReplicasField,
};

function apiKeyList(raw: string): string[] {
  const keys = parse.list(raw);
  if (keys.some((k) => k.startsWith('sha256:') && !/^sha256:[0-9a-fA-F]{64}$/.test(k))) throw new Error('a sha256: entry must hold 64 hex digits');
  return keys;
}

export function loadFirehoseConfig(env: Record<string, string | undefined>): Readonly<FirehoseConfig> {
  return readEnv(firehoseSchema, env);
}
