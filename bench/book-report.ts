/** The book suite's section of docs/benchmarks.md, built only from figures measured in the run. */
import type { ContenderName } from './book-contenders.js';
import type { L2Stream } from './lib/l2-stream.js';
import { sig3 } from './lib/measure.js';

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

export interface ContenderFigures {
  deltas_per_s: number;
  deltas_per_s_rounds: number[];
  top50_read_us: number;
  top50_read_us_rounds: number[];
}

export interface Agreement {
  agree: boolean;
  levels_compared: number;
  mismatches: string[];
}

export interface BookBenchResult {
  stream: L2Stream['stats'] & { seed: number; near_ticks: number; snapshot_bid_levels: number; snapshot_ask_levels: number };
  rounds: number;
  figures: Record<ContenderName, ContenderFigures>;
  ratio_vs_tardis: number;
  ratio_vs_ccxt: number;
  agreement: Agreement;
  targets: { vs_tardis_2x: boolean; vs_ccxt_10x: boolean; top50_read_under_1us: boolean };
}

export function bookMarkdown(r: BookBenchResult, depth: number): string {
  const s = r.stream;
  const f = r.figures;
  const row = (name: keyof typeof f, label: string) => {
    const x = f[name];
    const lo = Math.min(...x.deltas_per_s_rounds);
    const hi = Math.max(...x.deltas_per_s_rounds);
    const ratio = name === 'bookfuse' ? '—' : `${sig3(f.bookfuse.deltas_per_s / x.deltas_per_s)}×`;
    return `| ${label} | ${sig3(x.deltas_per_s)} | ${sig3(lo)} – ${sig3(hi)} | ${sig3(x.top50_read_us)} | ${ratio} |`;
  };
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  return [
    '## Order book: bookfuse vs tardis-dev vs ccxt',
    '',
    `Seeded stream (seed ${s.seed}): ${s.deltas.toLocaleString('en-US')} L2 deltas in ${s.frames.toLocaleString('en-US')} frames`,
    `after a snapshot of ${s.snapshot_bid_levels} bids / ${s.snapshot_ask_levels} asks; ${pct(s.near, s.deltas)} within ${s.near_ticks} ticks of a mid that moved`,
    `${s.midMovedTicks.toLocaleString('en-US')} times, ${pct(s.deletes, s.deltas)} deletes (${s.walkDeletes.toLocaleString('en-US')} of them levels the mid walked through);`,
    `${s.finalBidLevels} bids / ${s.finalAskLevels} asks at the end. Prices and sizes are decimal strings ("60000.10", "1.250").`,
    `Each of ${r.rounds} rounds loads the snapshot into a fresh book per library and times the whole stream; the order of the`,
    'libraries rotates every round. Figures are medians over the rounds.',
    '',
    `| book | deltas/s (median) | range over rounds | top-${depth} read, both sides (µs) | bookfuse is |`,
    '|---|---:|---:|---:|---:|',
    row('bookfuse', 'bookfuse `L2Book` (exact integers, tick ladder near the touch)'),
    row('tardis', 'tardis-dev `OrderBook` (red-black tree of doubles)'),
    row('ccxt', 'ccxt `OrderBook` (sorted arrays of doubles)'),
    '',
    `- bookfuse / tardis-dev: ${sig3(r.ratio_vs_tardis)}× (target ≥ 2×: ${verdict(r.targets.vs_tardis_2x)});` +
      ` bookfuse / ccxt: ${sig3(r.ratio_vs_ccxt)}× (target ≥ 10×: ${verdict(r.targets.vs_ccxt_10x)});` +
      ` bookfuse top-${depth} read ${sig3(f.bookfuse.top50_read_us)} µs (target < 1 µs: ${verdict(r.targets.top50_read_under_1us)}).`,
    `- Final top ${depth} per side, compared numerically against bookfuse: ` +
      (r.agreement.agree ? `all ${r.agreement.levels_compared} levels agree.` : `**disagree**: ${r.agreement.mismatches.slice(0, 5).join('; ')}`),
    '- Costs charged: bookfuse parses the strings into exact integers; tardis-dev gets a normalized `book_change` per frame',
    '  built as its mappers build it (`Number()` per price and amount); ccxt gets `parseFloat` per value (cheaper than the',
    '  `safeFloat` its exchange handlers use). A top read copies prices and sizes into preallocated arrays; per round it is',
    '  the median of 25 timed batches of reads.',
  ].join('\n');
}
