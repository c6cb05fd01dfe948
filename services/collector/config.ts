/**
 * Collector configuration: read once from the environment, validated whole, frozen.
 * Per-venue settings use the venue id upper-cased with `_` for `-` (BINANCE_USDM_WS_URL …).
 */
import { badConfig, commonSchema, parse, readEnvInto, type CommonConfig, type Schema } from '../../libs/config/index.js';
import { liqReplicasField } from '../../libs/bus/index.js';
import { venueIds } from '../../libs/venues/index.js';

export interface VenueRunConfig {
  venue: string;
  wsUrl?: string;
  restUrl?: string;
  /** explicit venue symbols; otherwise chosen from bases × quotes */
  symbols?: string[];
  options: Record<string, unknown>;
  silenceMs?: number;
}

export interface CollectorConfig extends CommonConfig {
  venues: string[];
  bases: string[];
  quotes: string[];
  depth: number;
  host: string;
  metricsPort: number;
  statusIntervalMs: number;
  metadataRefreshMs: number;
  /** every venue from one simulator: ws(s)://…/<venue> and http(s)://…/<venue> */
  simulatorUrl: string;
  /** which of the redundant collector lines this one is: stamped on every message */
  line: 'A' | 'B';
  /** liquidations held while JetStream has not acknowledged them */
  liqBuffer: number;
  liqAckTimeoutMs: number;
  liqReplicas: number;
  perVenue: Record<string, VenueRunConfig>;
}

type Base = Omit<CollectorConfig, 'perVenue'>;

const schema: Schema<Base> = {
  ...commonSchema,
  venues: { env: 'COLLECTOR_VENUES', parse: parse.list, default: [], doc: 'venue ids to collect (default: every registered venue)' },
  bases: { env: 'COLLECTOR_BASES', parse: parse.list, default: ['BTC', 'ETH'], doc: 'base assets to collect on every venue' },
  quotes: { env: 'COLLECTOR_QUOTES', parse: parse.list, default: ['USDT', 'USDC'], doc: 'quote preference per base: the first a venue lists wins' },
  depth: { env: 'COLLECTOR_DEPTH', parse: parse.int(1, 5000), default: 100, doc: 'levels per side published per venue book' },
  host: { env: 'COLLECTOR_HOST', parse: parse.string, default: '127.0.0.1', doc: 'bind address of /metrics, /healthz, /readyz' },
  metricsPort: { env: 'COLLECTOR_PORT', parse: parse.port, default: 9101, doc: 'port of /metrics, /healthz, /readyz (0 = any)' },
  statusIntervalMs: { env: 'COLLECTOR_STATUS_INTERVAL_MS', parse: parse.int(100, 60_000), default: 1000, doc: 'status heartbeat period' },
  metadataRefreshMs: { env: 'COLLECTOR_METADATA_REFRESH_MS', parse: parse.int(60_000), default: 3_600_000, doc: 'instrument metadata refresh period' },
  line: { env: 'COLLECTOR_LINE', parse: parse.oneOf<'A' | 'B'>('A', 'B'), default: 'A', doc: 'this collector\'s line when two collect the same venues (A and B): stamped on every message; it answers snapshot requests for its line or for none' },
  liqBuffer: { env: 'COLLECTOR_LIQ_BUFFER', parse: parse.int(100, 10_000_000), default: 100_000, doc: 'liquidations held while JetStream has not acknowledged them (NATS away); when full the oldest is dropped and counted' },
  liqAckTimeoutMs: { env: 'COLLECTOR_LIQ_ACK_TIMEOUT_MS', parse: parse.int(100, 60_000), default: 2000, doc: 'how long a liquidation publish waits for the stream ack before it is retried' },
  liqReplicas: liqReplicasField,
  simulatorUrl: { env: 'COLLECTOR_SIMULATOR_URL', parse: (r) => parse.url('http', 'https')(r), default: '', doc: 'take every venue from this simulator (http://host:9090) unless <VENUE>_WS_URL/<VENUE>_REST_URL say otherwise' },
};

export function venueEnvPrefix(venue: string): string {
  return venue.toUpperCase().replace(/-/g, '_');
}

export function loadCollectorConfig(env: Record<string, string | undefined>): Readonly<CollectorConfig> {
  const problems: string[] = [];
  const base = readEnvInto(schema, env, problems);
  const known = venueIds();
  // checked even when other fields failed, so one run reports every problem
  const asked = base?.venues ?? parse.list(env['COLLECTOR_VENUES'] ?? '');
  const venues = asked.length ? asked : known;
  for (const v of venues) if (!known.includes(v)) problems.push(`COLLECTOR_VENUES: unknown venue ${v} (known: ${known.join(', ')})`);
  const perVenue: Record<string, VenueRunConfig> = {};
  for (const v of venues) {
    const p = venueEnvPrefix(v);
    const c: VenueRunConfig = { venue: v, options: {} };
    const sim = base?.simulatorUrl;
    const ws = env[`${p}_WS_URL`] || (sim ? `${sim.replace(/^http/, 'ws')}/${v}` : undefined);
    const rest = env[`${p}_REST_URL`] || (sim ? `${sim}/${v}` : undefined);
    try {
      if (ws) c.wsUrl = parse.url('ws', 'wss')(ws);
    } catch (e) {
      problems.push(`${p}_WS_URL=${ws}: ${(e as Error).message}`);
    }
    try {
      if (rest) c.restUrl = parse.url('http', 'https')(rest);
    } catch (e) {
      problems.push(`${p}_REST_URL=${rest}: ${(e as Error).message}`);
    }
    const syms = env[`${p}_SYMBOLS`];
    if (syms) c.symbols = parse.list(syms);
    const opts = env[`${p}_OPTIONS`];
    if (opts) {
      try {
        const o = JSON.parse(opts) as unknown;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('must be a JSON object');
        c.options = o as Record<string, unknown>;
      } catch (e) {
        problems.push(`${p}_OPTIONS: ${(e as Error).message}`);
      }
    }
    const silence = env[`${p}_SILENCE_MS`];
    if (silence) {
      try {
        c.silenceMs = parse.int(500, 600_000)(silence);
      } catch (e) {
        problems.push(`${p}_SILENCE_MS=${silence}: ${(e as Error).message}`);
      }
    }
    perVenue[v] = c;
  }
  if (problems.length || !base) throw badConfig(problems);
  return Object.freeze({ ...base, venues, perVenue });
}
