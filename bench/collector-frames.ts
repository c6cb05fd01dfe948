/**
 * The collector's per-frame work, without sockets: real recordings replayed through VenueRunner's
 * own frame handler (engine, stamps, metrics, encode) into a publish sink that only counts. Meant
 * to run under `valgrind --tool=callgrind` or `--cpu-prof`, where wall-clock figures on a shared
 * machine move too much to compare two builds; instruction counts do not.
 *
 *   node dist/bench/collector-frames.js [--passes N] [--warmup N] [--lines N] [--digest] [--pause-ms N] [venue…]
 *
 * Instructions of the timed passes alone: run under
 *   valgrind --tool=callgrind node --single-threaded --predictable --hash-seed=1 --random-seed=1 \
 *     dist/bench/collector-frames.js --passes 3 --warmup 2 --pause-ms 4000
 * and call `callgrind_control -d <pid>` when it prints WARM and again at DONE: the second dump
 * (callgrind.out.<pid>.2, its `summary:` line) ÷ frames is the figure (same build: ±0.01%).
 * --digest hashes every published payload with its publish stamps removed, so two builds can be
 * shown to publish the same bytes.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { NatsConnection } from 'nats';
import { prom, createLogger } from '../libs/obs/index.js';
import { msOfUs, type CaptureLine } from '../libs/core/index.js';
import { createAdapter, createReplayEngine, venueIds, type VenueAdapter, type ConnectionSpec, type EngineOutput, type VenueEngine } from '../libs/venues/index.js';
import { VenueRunner } from '../services/collector/venue-runner.js';
import { createCollectorMetrics } from '../services/collector/metrics.js';
import type { LiqPublisher } from '../services/collector/liq-publisher.js';
import { capturesFor, loadLines, PUBLISHED_DEPTH } from './venues.js';
import { defaultFixturesDir } from './lib/paths.js';
import { nowMs } from './lib/measure.js';

/**
 * The recordings replayed, by file name (their folder names the venue): one per venue the
 * benchmarks' simulator runs, the biggest where there is a choice. A folder shared by two venues
 * (OKX swap and spot) is replayed once, by the first.
 */
const RECORDINGS = [
  'btcusdt-20240808-depth0ms-trade-bookticker.capture.ndjson',
  'btcusdt-20240808-depth100ms-trade-bookticker.capture.ndjson',
  'xrpusdt-linear-orderbook500-20241201.ndjson',
  'books-trades-tickers-20220513.capture.ndjson',
  'btc-20250126-l2book-trades.capture.ndjson',
];

/**
 * Frames the collector would not receive: streams the recordings carry but the collector never
 * subscribes to (book tickers, OKX tickers) parse to `ignored`, and acks to `control`.
 */
function subscribed(adapter: VenueAdapter<unknown>, line: CaptureLine): boolean {
  if (line.src !== 'ws') return true;
  try {
    const kind = adapter.parse(line.raw, line.t).kind;
    return kind !== 'ignored' && kind !== 'control';
  } catch {
    return true;
  }
}

/** What the driver reaches inside VenueRunner: the frame handler the socket calls, nothing else. */
interface RunnerInside {
  engine: VenueEngine | undefined;
  onFrame(engine: VenueEngine, spec: ConnectionSpec, text: string, recvTs: number, recvUs: number): void;
  handle(outputs: EngineOutput[], spec: ConnectionSpec): void;
  fetchSnapshot(venueSymbol: string): void;
}

export interface FramesResult {
  frames: number;
  published: number;
  bytes: number;
  ms: number;
  digest?: string;
}

class CountingSink {
  published = 0;
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly dec = new TextDecoder();
  constructor(private readonly digest: boolean) {}
  publish(subject: string, data: Uint8Array): void {
    this.published++;
    this.bytes += data.length;
    if (this.digest) this.hash.update(`${subject} ${this.dec.decode(data).replace(/"pub_(ts|us)":\d+,?/g, '')}\n`);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

export function runCollectorFrames(venues: string[], opts: { passes: number; warmup: number; lines?: number; digest?: boolean; pauseMs?: number }): FramesResult {
  const dir = defaultFixturesDir();
  const seen = new Set<string>();
  const inputs: { venue: string; lines: CaptureLine[] }[] = [];
  for (const venue of venues) {
    const path = capturesFor(dir, venue).find((p) => RECORDINGS.some((name) => p.endsWith(name)));
    if (!path || seen.has(path)) continue;
    seen.add(path);
    const adapter = createAdapter(venue);
    const lines = loadLines(path).filter((l) => subscribed(adapter, l));
    inputs.push({ venue, lines: opts.lines ? lines.slice(0, opts.lines) : lines });
  }
  const metrics = createCollectorMetrics(new prom.Registry());
  const log = createLogger('bench', 'silent');
  const sink = new CountingSink(opts.digest ?? false);
  const liqs = { publish: () => {} } as unknown as LiqPublisher;
  const spec: ConnectionSpec = { id: 'bench', path: '', subscribe: [], symbols: [], books: true, heartbeat: { kind: 'server-ping' } };
  const pass = () => {
    let frames = 0;
    for (const { venue, lines } of inputs) {
      const adapter = createAdapter(venue);
      const runner = new VenueRunner(adapter, { venue, options: {} }, { bases: [], quotes: [], depth: PUBLISHED_DEPTH, line: 'A' }, { nc: sink as unknown as NatsConnection, log, metrics, liqs });
      const inside = runner as unknown as RunnerInside;
      const engine = createReplayEngine(adapter, { depth: PUBLISHED_DEPTH });
      inside.engine = engine;
      inside.fetchSnapshot = () => {}; // the recording carries the REST snapshots
      for (const line of lines) feed(inside, engine, spec, line);
      frames += lines.length;
    }
    return frames;
  };
  for (let i = 0; i < opts.warmup; i++) pass();
  mark('WARM', opts.pauseMs);
  const digestFrom = sink.published;
  const t0 = nowMs();
  let frames = 0;
  for (let i = 0; i < opts.passes; i++) frames += pass();
  const ms = nowMs() - t0;
  mark('DONE', opts.pauseMs);
  return { frames, published: sink.published - digestFrom, bytes: sink.bytes, ms, ...(opts.digest ? { digest: sink.hex() } : {}) };
}

/**
 * Under callgrind: say where the timed part starts and ends, then sleep (no instructions) so
 * `callgrind_control --dump` can cut the counts there; the dump between the marks is the timed part alone.
 */
function mark(what: string, pauseMs = 0): void {
  if (pauseMs <= 0) return;
  process.stderr.write(`${what}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
}

function feed(inside: RunnerInside, engine: VenueEngine, spec: ConnectionSpec, line: CaptureLine): void {
  const recvUs = Math.round(line.t * 1000);
  if (line.src === 'ws') {
    inside.onFrame(engine, spec, line.raw, msOfUs(recvUs), recvUs);
    return;
  }
  const sym = line.url ? engine.adapter.snapshotSymbolFromUrl?.(line.url) : null;
  if (sym) inside.handle(engine.onSnapshot(sym, line.body, msOfUs(recvUs)), spec);
}

function main(argv: string[]): void {
  const opts = { passes: 1, warmup: 0, lines: 0, digest: false, pauseMs: 0 };
  const venues: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--passes') opts.passes = Number(argv[++i]);
    else if (a === '--warmup') opts.warmup = Number(argv[++i]);
    else if (a === '--lines') opts.lines = Number(argv[++i]);
    else if (a === '--digest') opts.digest = true;
    else if (a === '--pause-ms') opts.pauseMs = Number(argv[++i]);
    else venues.push(a);
  }
  const r = runCollectorFrames(venues.length ? venues : venueIds(), opts);
  process.stdout.write(`${JSON.stringify({ ...r, frames_per_s: r.ms > 0 ? Math.round((r.frames / r.ms) * 1000) : null })}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
