/**
 * Replay a capture through the engine: the same parser, sync and book code as live data.
 * Pure apart from reading the file; returns the books in canonical units and the stats.
 */
import type { CaptureLine, Instrument, Level } from '../core/index.js';
import { VenueEngine, type EngineOutput, type EngineStats } from './engine.js';
import type { VenueAdapter } from './adapter.js';
import { readCapture } from './capture.js';

export interface ReplayResult {
  venue: string;
  frames: number;
  books: Record<string, { bids: Level[]; asks: Level[] }>;
  stats: EngineStats;
  /** instruments seen but not exactly convertible (left out of books) */
  not_convertible: string[];
}

export interface ReplayOptions {
  depth: number;
  instruments?: Instrument[];
  /** called with every output, e.g. to compare tops against recorded tickers */
  onOutput?: (o: EngineOutput, line: CaptureLine) => void;
  onLine?: (line: CaptureLine, engine: VenueEngine) => void;
}

export function createReplayEngine(adapter: VenueAdapter<unknown>, opts: ReplayOptions): VenueEngine {
  return new VenueEngine(adapter, opts.instruments ?? [], { depth: opts.depth, allowFallbackInstruments: true });
}

/** Feed one capture line; REST lines go to the symbol their URL names. */
export function feedLine(engine: VenueEngine, line: CaptureLine): EngineOutput[] {
  if (line.src === 'ws') return engine.onFrame(line.raw, line.t);
  const sym = line.url ? engine.adapter.snapshotSymbolFromUrl?.(line.url) : null;
  if (!sym) return [];
  return engine.onSnapshot(sym, line.body, line.t);
}

export async function replayFile(adapter: VenueAdapter<unknown>, path: string, opts: ReplayOptions): Promise<ReplayResult> {
  const engine = createReplayEngine(adapter, opts);
  for await (const line of readCapture(path)) {
    opts.onLine?.(line, engine);
    const outs = feedLine(engine, line);
    if (opts.onOutput) for (const o of outs) opts.onOutput(o, line);
  }
  return replayResult(engine, opts.depth);
}

export function replayResult(engine: VenueEngine, depth: number): ReplayResult {
  const books: ReplayResult['books'] = {};
  const notConvertible: string[] = [];
  for (const [venueSymbol, entry] of engine.books) {
    if (!entry.instrument.conversion) {
      notConvertible.push(venueSymbol);
      continue;
    }
    if (entry.state !== 'live') continue;
    const snap = engine.snapshotOf(venueSymbol, 0);
    if (!snap) continue;
    books[entry.instrument.symbol] = { bids: snap.bids.slice(0, depth), asks: snap.asks.slice(0, depth) };
  }
  return { venue: engine.adapter.id, frames: engine.stats.frames, books, stats: { ...engine.stats }, not_convertible: notConvertible };
}
