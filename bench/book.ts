/**
 * Book suite: the same seeded stream of L2 deltas (decimal strings) applied to bookfuse's exact
 * L2Book, tardis-dev's OrderBook and ccxt's OrderBook, in alternating rounds within one process.
 * Reports the median deltas/s, the cost of reading the top 50 levels per side, the ratios, and
 * whether the three books agree on the final top 50.
 */
import { createContender, topBuffers, type BookContender, type ContenderName, type TopBuffers } from './book-contenders.js';
import { generateL2Stream, type L2Stream, type L2StreamOptions } from './lib/l2-stream.js';
import { collectGarbage, median, nowMs, rotation, sig3, spread } from './lib/measure.js';
import type { SuiteOptions, SuiteReport } from './lib/suite.js';
import { bookMarkdown, type Agreement, type BookBenchResult, type ContenderFigures } from './book-report.js';

export const CONTENDERS: readonly ContenderName[] = ['bookfuse', 'tardis', 'ccxt'];
export const TOP_DEPTH = 50;

export interface BookBenchOptions extends SuiteOptions {
  stream?: Partial<L2StreamOptions>;
  rounds?: number;
  /** top-N reads timed per round and contender */
  readReps?: number;
}

export async function runBookBench(opts: BookBenchOptions = {}): Promise<SuiteReport & { result: BookBenchResult }> {
  const log = opts.log ?? (() => {});
  const streamOpts: Partial<L2StreamOptions> = { ...(opts.quick ? { deltas: 100_000 } : {}), ...opts.stream };
  const rounds = opts.rounds ?? (opts.quick ? 3 : 7);
  const readReps = opts.readReps ?? (opts.quick ? 2_000 : 20_000);
  const t0 = nowMs();
  const stream = generateL2Stream(streamOpts);
  log(`book: generated ${stream.stats.deltas.toLocaleString('en-US')} deltas in ${stream.stats.frames.toLocaleString('en-US')} frames (${Math.round(nowMs() - t0)} ms)`);

  const contenders = CONTENDERS.map(createContender);
  const buf = topBuffers(TOP_DEPTH);
  warmUp(contenders, stream, buf);
  const samples = new Map<ContenderName, { rate: number[]; read: number[] }>(CONTENDERS.map((n) => [n, { rate: [], read: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const c of rotation(contenders, r)) {
      const rate = timeApply(c, stream);
      const read = timeReads(c, buf, readReps);
      samples.get(c.name)!.rate.push(rate);
      samples.get(c.name)!.read.push(read);
      log(`book: round ${r + 1}/${rounds} ${c.name.padEnd(8)} ${sig3(rate)} deltas/s, top-${TOP_DEPTH} read ${sig3(read)} µs`);
    }
  }
  const figures = {} as Record<ContenderName, ContenderFigures>;
  for (const [name, s] of samples) {
    figures[name] = { deltas_per_s: median(s.rate), deltas_per_s_rounds: s.rate, top50_read_us: median(s.read), top50_read_us_rounds: s.read };
  }
  const result: BookBenchResult = {
    stream: { ...stream.stats, seed: stream.options.seed, near_ticks: stream.options.nearTicks, snapshot_bid_levels: stream.snapshot.bids.length, snapshot_ask_levels: stream.snapshot.asks.length },
    rounds,
    figures,
    ratio_vs_tardis: figures.bookfuse.deltas_per_s / figures.tardis.deltas_per_s,
    ratio_vs_ccxt: figures.bookfuse.deltas_per_s / figures.ccxt.deltas_per_s,
    agreement: compareTops(contenders, TOP_DEPTH),
    targets: { vs_tardis_2x: false, vs_ccxt_10x: false, top50_read_under_1us: false },
  };
  result.targets = {
    vs_tardis_2x: result.ratio_vs_tardis >= 2,
    vs_ccxt_10x: result.ratio_vs_ccxt >= 10,
    top50_read_under_1us: figures.bookfuse.top50_read_us < 1,
  };
  return {
    suite: 'book',
    result,
    json: {
      bookfuse_deltas_per_s: figures.bookfuse.deltas_per_s,
      tardis_deltas_per_s: figures.tardis.deltas_per_s,
      ccxt_deltas_per_s: figures.ccxt.deltas_per_s,
      bookfuse_top50_read_us: figures.bookfuse.top50_read_us,
      tardis_top50_read_us: figures.tardis.top50_read_us,
      ccxt_top50_read_us: figures.ccxt.top50_read_us,
      ratio_vs_tardis: result.ratio_vs_tardis,
      ratio_vs_ccxt: result.ratio_vs_ccxt,
      tops_agree: result.agreement.agree,
      targets: result.targets,
      rounds,
      deltas: stream.stats.deltas,
      seed: stream.options.seed,
    },
    rows: [
      ...CONTENDERS.map((n): [string, string] => [`${n} deltas/s`, `${sig3(figures[n].deltas_per_s)}  (±${Math.round(50 * spread(figures[n].deltas_per_s_rounds))} %)`]),
      ...CONTENDERS.map((n): [string, string] => [`${n} top-${TOP_DEPTH} read µs`, sig3(figures[n].top50_read_us)]),
      ['bookfuse / tardis', `${sig3(result.ratio_vs_tardis)}×  (target ≥ 2×: ${result.targets.vs_tardis_2x ? 'met' : 'NOT met'})`],
      ['bookfuse / ccxt', `${sig3(result.ratio_vs_ccxt)}×  (target ≥ 10×: ${result.targets.vs_ccxt_10x ? 'met' : 'NOT met'})`],
      [`final top ${TOP_DEPTH} agree`, result.agreement.agree ? `yes (${result.agreement.levels_compared} levels)` : `NO: ${result.agreement.mismatches.slice(0, 3).join('; ')}`],
    ],
    markdown: bookMarkdown(result, TOP_DEPTH),
    command: 'npm run bench:book',
  };
}

/** A short untimed pass so every contender is compiled before its first timed round. */
function warmUp(contenders: BookContender[], stream: L2Stream, buf: TopBuffers): void {
  const frames = stream.frames.slice(0, Math.ceil(stream.frames.length / 10));
  for (const c of contenders) {
    c.load(stream.snapshot);
    c.applyAll(frames);
    for (let i = 0; i < 1000; i++) c.readTop(TOP_DEPTH, buf);
  }
}

/** Deltas per second over the whole stream, from a freshly loaded snapshot. */
function timeApply(c: BookContender, stream: L2Stream): number {
  c.load(stream.snapshot);
  collectGarbage();
  const t0 = nowMs();
  c.applyAll(stream.frames);
  const ms = nowMs() - t0;
  return stream.stats.deltas / (ms / 1000);
}

/** Batches per timed read sample: the median batch shrugs off a preemption on a shared machine. */
const READ_BATCHES = 25;
let sink = 0;

/** Microseconds per read of the top `TOP_DEPTH` levels of both sides into preallocated arrays. */
function timeReads(c: BookContender, buf: TopBuffers, reps: number): number {
  const perBatch = Math.max(1, Math.ceil(reps / READ_BATCHES));
  const batches: number[] = [];
  for (let b = 0; b < READ_BATCHES; b++) {
    const t0 = nowMs();
    for (let i = 0; i < perBatch; i++) sink += c.readTop(TOP_DEPTH, buf) + buf.bidPrices[i % TOP_DEPTH]!;
    batches.push(((nowMs() - t0) * 1000) / perBatch);
  }
  if (sink === -1) console.error('unreachable'); // keeps the reads observable to the optimiser
  return median(batches);
}

/** Numeric comparison of the final top levels: every contender against bookfuse. */
export function compareTops(contenders: BookContender[], depth: number): Agreement {
  const ref = contenders.find((c) => c.name === 'bookfuse')!.top(depth);
  const mismatches: string[] = [];
  let compared = 0;
  for (const c of contenders) {
    if (c.name === 'bookfuse') continue;
    const other = c.top(depth);
    for (const side of ['bids', 'asks'] as const) {
      const a = ref[side];
      const b = other[side];
      if (a.length !== b.length) mismatches.push(`${c.name} ${side}: ${b.length} levels, bookfuse ${a.length}`);
      for (let k = 0; k < Math.min(a.length, b.length); k++) {
        compared++;
        if (a[k]![0] !== b[k]![0] || a[k]![1] !== b[k]![1]) mismatches.push(`${c.name} ${side}[${k}]: ${b[k]!.join('@')} vs bookfuse ${a[k]!.join('@')}`);
      }
    }
  }
  return { agree: mismatches.length === 0 && compared > 0, levels_compared: compared, mismatches };
}
