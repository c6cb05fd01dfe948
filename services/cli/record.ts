/**
 * `bookfuse record --venue <id> --symbols A,B --out file.ndjson [--seconds N]`: raw frames from a
 * live venue (or a simulator: set <VENUE>_WS_URL / <VENUE>_REST_URL) in the capture format, with
 * the REST snapshots written where their responses arrive, so `bookfuse replay` syncs from them.
 */
import { createWriteStream } from 'node:fs';
import { nowMs, captureLine } from '../../libs/core/index.js';
import { createLogger } from '../../libs/obs/index.js';
import { VenueEngine, type EngineOutput, Feed, RestClient, fetchMetadataBodies, createAdapter } from '../../libs/venues/index.js';
import { loadCollectorConfig } from '../collector/config.js';
import { flagString, parseArgs, UsageError } from './args.js';

export async function record(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseArgs(argv);
  const venue = flagString(args, 'venue');
  const symbols = (flagString(args, 'symbols') ?? '').split(',').filter(Boolean);
  const outPath = flagString(args, 'out');
  if (!venue || symbols.length === 0 || !outPath) throw new UsageError('usage: bookfuse record --venue <id> --symbols A,B --out file.ndjson [--seconds N]');
  const seconds = flagString(args, 'seconds') ? Number(flagString(args, 'seconds')) : undefined;
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError('--seconds must be positive');

  const cfg = loadCollectorConfig({ ...env, COLLECTOR_VENUES: venue }).perVenue[venue]!;
  const adapter = createAdapter(venue, cfg.options);
  const log = createLogger('record', env['LOG_LEVEL'] ?? 'info');
  const restBase = cfg.restUrl ?? adapter.defaults.restBaseUrl;
  const rest = new RestClient({ baseUrl: restBase, weightPerMinute: adapter.defaults.restWeightPerMinute });
  const out = createWriteStream(outPath, { flags: 'w' });
  const write = (line: string) => out.write(line + '\n');

  const bodies = await fetchMetadataBodies(adapter, (r) => rest.request(r), (body, r) => write(captureLine('rest', nowMs(), body, `${restBase}${r.path}`)));
  const instruments = adapter.parseInstruments(bodies).filter((i) => symbols.includes(i.venueSymbol));
  const missing = symbols.filter((s) => !instruments.some((i) => i.venueSymbol === s));
  if (missing.length) throw new UsageError(`${venue} does not list ${missing.join(', ')}`);
  const engine = new VenueEngine(adapter, instruments, { depth: 100 });
  const counts = { ws: 0, rest: 0 };

  const onOutputs = (outs: EngineOutput[]) => {
    for (const o of outs) {
      if (o.type !== 'fetch-snapshot' || !adapter.snapshotRequest) continue;
      const req = adapter.snapshotRequest(o.venueSymbol, 1000);
      rest
        .request(req)
        .then((body) => {
          const t = nowMs();
          write(captureLine('rest', t, body, `${restBase}${req.path}`));
          counts.rest++;
          onOutputs(engine.onSnapshot(o.venueSymbol, body, t));
        })
        .catch((e: unknown) => log.warn({ err: (e as Error).message }, 'snapshot failed'));
    }
  };
  const wsBase = cfg.wsUrl ?? adapter.defaults.wsBaseUrl;
  const feeds = adapter.connections(instruments, { depth: 100 }).map(
    (spec) =>
      new Feed({
        url: /^wss?:\/\//.test(spec.path) ? spec.path : `${wsBase}${spec.path}`,
        subscribe: spec.subscribe,
        heartbeat: spec.heartbeat,
        silenceMs: cfg.silenceMs ?? adapter.defaults.silenceMs,
        log,
        onOpen: () => spec.books && onOutputs(engine.onConnect(spec.symbols)),
        onFrame: (text, t) => {
          write(wsLine(t, text));
          counts.ws++;
          onOutputs(engine.onFrame(text, t));
        },
        onClose: () => spec.books && onOutputs(engine.onDisconnect(spec.symbols)),
      }),
  );
  for (const f of feeds) f.start();
  process.stderr.write(`recording ${venue} ${symbols.join(',')} → ${outPath}${seconds ? ` for ${seconds} s` : ' (Ctrl-C to stop)'}\n`);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (seconds) setTimeout(done, seconds * 1000).unref();
  });
  for (const f of feeds) f.stop();
  await new Promise<void>((r) => out.end(() => r()));
  process.stderr.write(`wrote ${counts.ws} ws frames and ${counts.rest} REST snapshots\n`);
  return 0;
}

/**
 * The frame goes in byte for byte (as PROVENANCE.md requires of captures) when it is JSON; a
 * non-JSON text frame (OKX's "pong") is stored as a JSON string.
 */
function wsLine(t: number, text: string): string {
  try {
    JSON.parse(text);
    return `{"t":${t},"src":"ws","msg":${text}}`;
  } catch {
    return captureLine('ws', t, text);
  }
}
