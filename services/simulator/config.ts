/** Simulator configuration (env), validated whole. */
import { badConfig, parse, readEnv, commonSchema, type CommonConfig, type Schema } from '../../libs/config/index.js';
import { venueIds, venueModule } from '../../libs/venues/index.js';

export interface SimulatorConfig extends Pick<CommonConfig, 'logLevel'> {
  host: string;
  port: number;
  venues: string[];
  bases: string[];
  seed: number;
  bookUpdatesPerS: number;
  tradesPerS: number;
  liquidationsPerS: number;
  levels: number;
  pingIntervalMs: number;
  /** venue → capture file served instead of a synthetic market */
  captures: Record<string, string>;
}

const schema: Schema<Omit<SimulatorConfig, 'captures'> & { capturesRaw: string[] }> = {
  logLevel: commonSchema.logLevel,
  host: { env: 'SIM_HOST', parse: parse.string, default: '127.0.0.1', doc: 'bind address' },
  port: { env: 'SIM_PORT', parse: parse.port, default: 9090, doc: 'port for venues, /control and /truth (0 = any)' },
  venues: { env: 'SIM_VENUES', parse: parse.list, default: [], doc: 'venues to simulate (default: every venue with a simulator)' },
  bases: { env: 'SIM_BASES', parse: parse.list, default: ['BTC', 'ETH'], doc: 'base assets listed on every simulated venue' },
  seed: { env: 'SIM_SEED', parse: parse.int(0, 2 ** 31), default: 42, doc: 'PRNG seed: the same seed gives the same market' },
  bookUpdatesPerS: { env: 'SIM_BOOK_UPDATES_PER_S', parse: parse.number(0, 1e6), default: 50, doc: 'level changes per second per instrument' },
  tradesPerS: { env: 'SIM_TRADES_PER_S', parse: parse.number(0, 1e6), default: 5, doc: 'trades per second per instrument' },
  liquidationsPerS: { env: 'SIM_LIQUIDATIONS_PER_S', parse: parse.number(0, 1e6), default: 0.3, doc: 'liquidations per second per instrument (venues that publish them)' },
  levels: { env: 'SIM_LEVELS', parse: parse.int(5, 5000), default: 200, doc: 'levels per side in each synthetic book' },
  pingIntervalMs: { env: 'SIM_PING_INTERVAL_MS', parse: parse.int(100, 600_000), default: 20_000, doc: 'ws ping frames for venues whose servers ping' },
  capturesRaw: { env: 'SIM_CAPTURES', parse: parse.list, default: [], doc: 'venue=path.ndjson pairs: serve recordings instead of synthetic markets' },
};

export function loadSimulatorConfig(env: Record<string, string | undefined>): Readonly<SimulatorConfig> {
  const { capturesRaw, ...base } = readEnv(schema, env);
  const problems: string[] = [];
  const simulated = venueIds().filter((v) => venueModule(v).simulator);
  const venues = base.venues.length ? base.venues : simulated;
  for (const v of venues) if (!simulated.includes(v)) problems.push(`SIM_VENUES: no simulator for ${v} (have: ${simulated.join(', ')})`);
  const captures: Record<string, string> = {};
  for (const pair of capturesRaw) {
    const [venue, path] = pair.split('=');
    if (!venue || !path || !venues.includes(venue)) problems.push(`SIM_CAPTURES: "${pair}" must be venue=path with a simulated venue`);
    else captures[venue] = path;
  }
  if (problems.length) throw badConfig(problems);
  return Object.freeze({ ...base, venues, captures });
}
