/**
 * Venue suite: the real recorded frames of shared/fixtures/venues replayed through the venue
 * engine (parse + sync + book + publishable diffs), for every adapter registered at the time.
 * A capture is read into memory first, so the timed part is the engine alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type BookSync, type SyncResult, type VenueAdapter, createAdapter, venueIds, venueModule, createReplayEngine, feedLine, type EngineStats } from '../libs/venues/index.js';
import { parseCaptureLine, type CaptureLine } from '../libs/core/index.js';
import { median, nowMs, sig3 } from './lib/measure.js';
import { defaultFixturesDir } from './lib/paths.js';
import type { SuiteOptions, SuiteReport } from './lib/suite.js';

/** Levels per side the collector publishes by default (COLLECTOR_DEPTH), so diffs cost what they cost live. */
export const PUBLISHED_DEPTH = 100;

export interface VenuesBenchOptions extends SuiteOptions {
  fixturesDir?: string;
  rounds?: number;
}

export interface FileFigures {
  venue: string;
  file: string;
  frames: number;
  /** level changes applied per pass (snapshot levels included) */
  levels: number;
  frames_per_s: number;
  deltas_per_s: number;
  stats: EngineStats;
}

export async function runVenuesBench(opts: VenuesBenchOptions = {}): Promise<SuiteReport & { files: FileFigures[] }> {
  const log = opts.log ?? (() => {});
  const dir = opts.fixturesDir ?? defaultFixturesDir();
  const rounds = opts.rounds ?? (opts.quick ? 3 : 7);
  const files: FileFigures[] = [];
  const skipped: string[] = [];
  for (const venue of venueIds()) {
    const captures = capturesFor(dir, venue);
    if (captures.length === 0) skipped.push(`${venue}: no recording in ${dir}`);
    for (const path of captures) {
      const f = benchFile(venue, path, rounds);
      files.push(f);
      log(`venues: ${venue} ${f.file}: ${sig3(f.frames_per_s)} frames/s, ${sig3(f.deltas_per_s)} deltas/s`);
    }
  }
  return {
    suite: 'venues',
    files,
    json: {
      files: files.map(({ stats: _s, ...f }) => f),
      skipped,
      rounds,
      depth: PUBLISHED_DEPTH,
    },
    rows: [
      ...files.map((f): [string, string] => [`${f.venue} ${shortName(f.file)}`, `${sig3(f.frames_per_s)} frames/s, ${sig3(f.deltas_per_s)} deltas/s`]),
      ...skipped.map((s): [string, string] => ['skipped', s]),
    ],
    markdown: venuesMarkdown(files, skipped, rounds),
    command: 'npm run bench:venues',
  };
}

/** Recordings of a venue: the folder its module names (venues of one exchange may share one). */
export function capturesFor(dir: string, venue: string): string[] {
  if (!venueIds().includes(venue)) return [];
  const folder = join(dir, venueModule(venue).capturesFolder);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.ndjson') && !f.startsWith('single-messages'))
    .sort()
    .map((f) => join(folder, f));
}

/** Capture lines as the engine gets them; bare frame files (no capture wrapper) become ws lines. */
export function loadLines(path: string): CaptureLine[] {
  const text = readFileSync(path, 'utf8').split('\n');
  const wrapped = path.endsWith('.capture.ndjson');
  const out: CaptureLine[] = [];
  text.forEach((line, i) => {
    if (line.trim() === '') return;
    const c = wrapped ? parseCaptureLine(line, i + 1) : { t: i, src: 'ws' as const, raw: line };
    if (c) out.push(c);
  });
  return out;
}

/** Recordings are small: each timed round replays the file enough times to run this long. */
const MIN_ROUND_MS = 100;

function benchFile(venue: string, path: string, rounds: number): FileFigures {
  const lines = loadLines(path);
  const counted = countingPass(createAdapter(venue), lines);
  const passes = Math.max(1, Math.ceil(MIN_ROUND_MS / Math.max(0.01, replayOnce(venue, lines))));
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ms = 0;
    for (let k = 0; k < passes; k++) ms += replayOnce(venue, lines);
    times.push(ms / passes);
  }
  const s = median(times) / 1000;
  return { venue, file: basename(path), frames: lines.length, levels: counted.levels, frames_per_s: lines.length / s, deltas_per_s: counted.levels / s, stats: counted.stats };
}

/** Milliseconds to replay every line through a fresh engine. */
function replayOnce(venue: string, lines: CaptureLine[]): number {
  const engine = createReplayEngine(createAdapter(venue), { depth: PUBLISHED_DEPTH });
  const t0 = nowMs();
  for (let i = 0; i < lines.length; i++) feedLine(engine, lines[i]!);
  return nowMs() - t0;
}

/** One untimed pass that counts the level changes the syncs apply (and keeps the engine's stats). */
function countingPass(adapter: VenueAdapter<unknown>, lines: CaptureLine[]): { levels: number; stats: EngineStats } {
  let levels = 0;
  const count = (r: SyncResult) => {
    if (r.action === 'applied') levels += r.changes.bids.length + r.changes.asks.length;
    return r;
  };
  const createSync = adapter.createSync.bind(adapter);
  adapter.createSync = (instrument, o) => {
    const sync: BookSync<unknown> = createSync(instrument, o);
    const onFrame = sync.onFrame.bind(sync);
    const onSnapshot = sync.onSnapshot.bind(sync);
    sync.onFrame = (f, t) => count(onFrame(f, t));
    sync.onSnapshot = (b, t) => count(onSnapshot(b, t));
    return sync;
  };
  const engine = createReplayEngine(adapter, { depth: PUBLISHED_DEPTH });
  for (const line of lines) feedLine(engine, line);
  return { levels, stats: { ...engine.stats } };
}

function shortName(file: string): string {
  return file.replace(/\.capture\.ndjson$|\.ndjson$/, '');
}

function venuesMarkdown(files: FileFigures[], skipped: string[], rounds: number): string {
  const lines = [
    '## Venue engine on real recordings',
    '',
    `Every adapter in \`libs/venues/registry.ts\` replays its recordings from \`shared/fixtures/venues\` through the venue`,
    `engine (parse, sync, exact book, top-${PUBLISHED_DEPTH} diffs as the collector publishes them). Lines are read into memory first;`,
    `each of ${rounds} rounds replays a recording on fresh engines for at least ${MIN_ROUND_MS} ms; figures are the median round. "Deltas" are the level changes the sync applied`,
    '(snapshot levels included).',
    '',
    '| venue | recording | lines | frames/s | level changes | deltas/s | snapshots / deltas / resyncs / rejected |',
    '|---|---|---:|---:|---:|---:|---|',
    ...files.map(
      (f) =>
        `| ${f.venue} | \`${shortName(f.file)}\` | ${f.frames.toLocaleString('en-US')} | ${sig3(f.frames_per_s)} | ${f.levels.toLocaleString('en-US')} | ${sig3(f.deltas_per_s)} | ${f.stats.snapshots} / ${f.stats.deltas} / ${f.stats.resyncs} / ${f.stats.rejected} |`,
    ),
  ];
  if (skipped.length) lines.push('', ...skipped.map((s) => `- skipped ${s}`));
  return lines.join('\n');
}
