/**
 * The end-to-end suite's figures from its rounds, its targets and its section of
 * docs/benchmarks.md: pure, so how rounds are combined and judged is testable without a run.
 *
 * The shared machine moves absolute timings 2–5× between minutes, and a floor measured once, apart
 * from the load, moved as much as the gap it judges. So the realistic load and the floor run in
 * rounds, back to back, and both sides of a target are medians over the same rounds.
 */
import type { FloorResult } from './e2e-floor.js';
import { median, round } from './lib/measure.js';

export interface LoadResult {
  load: string;
  samples: number;
  p50_ms: number;
  p99_ms: number;
  p999_ms: number;
  hops: Record<string, { p50_ms: number; p99_ms: number }>;
  cpu_cores: number;
  max_rss_mb: number;
  per_service: Record<string, { cpu_cores: number; rss_mb: number; max_rss_mb: number }>;
}

/** Which run came first in a round: bookfuse standard, bookfuse co-located (#17.4), the floor or the four-hop floor. */
export type First = 'realistic' | 'colocated' | 'floor' | 'floor4';

export interface E2eRound {
  first: First;
  p50_ms: number;
  p99_ms: number;
  samples: number;
  floor_p50_ms: number;
  floor_p99_ms: number;
  floor_samples: number;
}

export interface RealisticFigures extends LoadResult {
  floor_p50_ms: number;
  floor_p99_ms: number;
  rounds: E2eRound[];
}

/**
 * One observed run per topology after the rounds: the only runs with the collector and merger
 * stamps read off NATS (bench/e2e.ts runLoad says why the judged runs go without).
 */
export interface Segments {
  standard: LoadResult;
  colocated: LoadResult;
}

export interface RoundRun {
  first: First;
  load: LoadResult;
  floor: FloorResult;
}

const med = (xs: number[]): number => round(median(xs), 3);
const FIRST_NAMES: Record<First, string> = { realistic: 'bookfuse', colocated: 'co-located', floor: 'floor', floor4: 'four-hop floor' };

/**
 * Latency, hops and CPU are medians over the rounds, RSS the worst round, samples the total; the
 * floor likewise, from the same rounds.
 */
export function combineRounds(runs: RoundRun[]): { realistic: RealisticFigures; floor: FloorResult } {
  const loads = runs.map((r) => r.load);
  const floors = runs.map((r) => r.floor);
  const hops: LoadResult['hops'] = {};
  for (const hop of Object.keys(loads[0]?.hops ?? {})) {
    const of = loads.map((l) => l.hops[hop]).filter((h) => h !== undefined);
    hops[hop] = { p50_ms: med(of.map((h) => h.p50_ms)), p99_ms: med(of.map((h) => h.p99_ms)) };
  }
  const perService: LoadResult['per_service'] = {};
  for (const name of new Set(loads.flatMap((l) => Object.keys(l.per_service)))) {
    const of = loads.map((l) => l.per_service[name]).filter((s) => s !== undefined);
    perService[name] = { cpu_cores: med(of.map((s) => s.cpu_cores)), rss_mb: Math.max(...of.map((s) => s.rss_mb)), max_rss_mb: Math.max(...of.map((s) => s.max_rss_mb)) };
  }
  const floor: FloorResult = { p50_ms: med(floors.map((f) => f.p50_ms)), p99_ms: med(floors.map((f) => f.p99_ms)), samples: sum(floors.map((f) => f.samples)) };
  const realistic: RealisticFigures = {
    load: loads[0]?.load ?? 'realistic',
    samples: sum(loads.map((l) => l.samples)),
    p50_ms: med(loads.map((l) => l.p50_ms)),
    p99_ms: med(loads.map((l) => l.p99_ms)),
    p999_ms: med(loads.map((l) => l.p999_ms)),
    hops,
    cpu_cores: med(loads.map((l) => l.cpu_cores)),
    max_rss_mb: Math.max(...loads.map((l) => l.max_rss_mb)),
    per_service: perService,
    floor_p50_ms: floor.p50_ms,
    floor_p99_ms: floor.p99_ms,
    rounds: runs.map(({ first, load, floor: f }) => ({ first, p50_ms: load.p50_ms, p99_ms: load.p99_ms, samples: load.samples, floor_p50_ms: f.p50_ms, floor_p99_ms: f.p99_ms, floor_samples: f.samples })),
  };
  return { realistic, floor };
}

function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

export interface Verdicts {
  p50: boolean;
  p99: boolean;
  x10_p99: boolean;
  cpu: boolean;
  rss: boolean;
}

/** The targets: realistic p50 ≤ floor p50 + 0.5 ms and p99 ≤ floor p99 + 2 ms (medians of the same rounds), ×10 p99 ≤ 20 ms, < 0.5 core, < 150 MB RSS per service at either load. */
export function judge(realistic: RealisticFigures, x10: LoadResult): Verdicts {
  return {
    p50: realistic.p50_ms <= realistic.floor_p50_ms + 0.5,
    p99: realistic.p99_ms <= realistic.floor_p99_ms + 2,
    x10_p99: x10.p99_ms <= 20,
    cpu: realistic.cpu_cores < 0.5,
    rss: Math.max(realistic.max_rss_mb, x10.max_rss_mb) < 150,
  };
}

export interface E2eMarkdownFacts {
  clients: number;
  seconds: number;
  x10Seconds: number;
  loadWarmupS: number;
  floorWarmupS: number;
  realistic: RealisticFigures;
  x10: LoadResult;
  floor: FloorResult;
  /** `bookfuse colocated` at realistic load, in the same rounds, against the same floor */
  colocated?: RealisticFigures;
  segments?: Segments;
}

export function e2eMarkdown(f: E2eMarkdownFacts): string {
  const { realistic, x10, floor } = f;
  const n = realistic.rounds.length;
  const v = judge(realistic, x10);
  const pass = (ok: boolean) => (ok ? 'meets' : '**misses**');
  const rows = <T>(o: Record<string, T>, cells: (t: T) => unknown[]) =>
    Object.entries(o)
      .map(([k, t]) => `| ${[k, ...cells(t)].join(' | ')} |`)
      .join('\n');
  const services = (r: LoadResult) => rows(r.per_service, (s) => [s.cpu_cores, s.rss_mb, s.max_rss_mb]);
  const firsts = realistic.rounds.map((r, i) => (r.first === 'realistic' ? i + 1 : 0)).filter((i) => i > 0);
  return [
    '## End to end (`npm run bench:e2e`)',
    '',
    `Simulator → collector → NATS → merger → NATS → gateway → ${f.clients} WebSocket clients, each service its own process, on loopback.`,
    'Latency runs from the moment the simulator (hosted by the benchmark) sends a venue frame to the moment a client receives the consensus update it caused (an update that changes no level, such as the venue views re-sent each second, is not counted: it carries the `ts` of an earlier change, which it was not caused by); the other hops are read from the timestamps each service stamps (recv_us, pub_us, merge_us, gw_us in µs). The collector and merger stamps are read off NATS by an observer in the benchmark process, which also hosts the simulator: every book wakes it beside the service the book is for (docs/latency.md, fifth pass, measured what that costs). So the judged runs go without it, and one more run per topology after the rounds, with it, gives the hop tables; the heading of each table sets the end-to-end figures of that run beside the judged ones.',
    '',
    `Method: ${n} round${n > 1 ? 's' : ''}, each bookfuse at realistic load${f.colocated ? ', bookfuse co-located and its four-hop floor (below)' : ''} and the transport floor back to back, ${f.seconds} s measured each (after ${f.loadWarmupS} s warm-up for bookfuse, ${f.floorWarmupS} s for the floor). Which goes first rotates (bookfuse first in round${firsts.length > 1 ? 's' : ''} ${firsts.join(', ')}), so neither side always runs in the minute after the other. Every run starts its processes fresh and stops them before the next: the floor never shares the machine with bookfuse's services. Realistic and floor figures are medians over the rounds (the shared machine moves absolute timings 2–5× between minutes, as much as the gap judged); CPU is the median round, RSS the worst; every round is listed. ×10 is one run of ${f.x10Seconds} s after ${f.loadWarmupS} s warm-up (its target is absolute).`,
    '',
    '| load | samples | p50 ms | p99 ms | p99.9 ms | CPU cores (collector + merger + gateway) | max RSS MB |',
    '|---|---|---|---|---|---|---|',
    `| realistic (median of ${n}) | ${realistic.samples} | ${realistic.p50_ms} | ${realistic.p99_ms} | ${realistic.p999_ms} | ${realistic.cpu_cores} | ${realistic.max_rss_mb} |`,
    `| transport floor (median of ${n}) | ${floor.samples} | ${floor.p50_ms} | ${floor.p99_ms} | | | |`,
    `| x10 (one run) | ${x10.samples} | ${x10.p50_ms} | ${x10.p99_ms} | ${x10.p999_ms} | ${x10.cpu_cores} | ${x10.max_rss_mb} |`,
    '',
    'The transport floor: the same six process hops, frames of the same size at the realistic cadence, no work on the way.',
    '',
    '| round | first | realistic p50 / p99 ms | floor p50 / p99 ms | p50 above floor ms | p99 above floor ms | samples (floor) |',
    '|---|---|---|---|---|---|---|',
    ...realistic.rounds.map((r, i) => `| ${i + 1} | ${FIRST_NAMES[r.first]} | ${r.p50_ms} / ${r.p99_ms} | ${r.floor_p50_ms} / ${r.floor_p99_ms} | ${round(r.p50_ms - r.floor_p50_ms, 3)} | ${round(r.p99_ms - r.floor_p99_ms, 3)} | ${r.samples} (${r.floor_samples}) |`),
    '',
    `Targets, against the floor of the same rounds (medians): realistic p50 ≤ floor p50 + 0.5 ms (${pass(v.p50)}: ${realistic.p50_ms} vs ${round(realistic.floor_p50_ms + 0.5, 3)}), p99 ≤ floor p99 + 2 ms (${pass(v.p99)}: ${realistic.p99_ms} vs ${round(realistic.floor_p99_ms + 2, 3)}); ×10 p99 ≤ 20 ms (${pass(v.x10_p99)}: ${x10.p99_ms}); all services < 0.5 core at realistic load (${pass(v.cpu)}: ${realistic.cpu_cores}), each < 150 MB RSS at either load (${pass(v.rss)}: ${Math.max(realistic.max_rss_mb, x10.max_rss_mb)} MB at most).`,
    '',
    ...hopTable(f.segments?.standard, realistic, n),
    '',
    `| service (realistic: CPU median, RSS worst of ${n}) | CPU cores | RSS MB | max RSS MB |`,
    '|---|---|---|---|',
    services(realistic),
    '',
    '| service (×10) | CPU cores | RSS MB | max RSS MB |',
    '|---|---|---|---|',
    services(x10),
    ...(f.colocated ? colocatedSection(f.colocated, n, f.segments?.colocated) : []),
  ].join('\n');
}

/** `bookfuse colocated` beside the standard topology: the same rounds, against its own four-hop floor. */
function colocatedSection(c: RealisticFigures, n: number, observed: LoadResult | undefined): string[] {
  const pass = (ok: boolean) => (ok ? 'meets' : '**misses**');
  return [
    '',
    '### Co-located collector + merger (`bookfuse colocated`, #17.4)',
    '',
    `The same realistic load with the collector and the merger in one process (every subject still published; the merger takes the local venues in process), run in each of the ${n} rounds beside the standard topology. It is judged against its like-for-like floor, measured in the same rounds: four process hops (sender → relay → NATS → relay → clients), one relay in the place of the collector + merger. Compare its absolute figures with the standard topology's above for what a deployment gains.`,
    '',
    `Same targets against this floor (medians): p50 ≤ floor p50 + 0.5 ms (${pass(c.p50_ms <= c.floor_p50_ms + 0.5)}: ${c.p50_ms} vs ${round(c.floor_p50_ms + 0.5, 3)}), p99 ≤ floor p99 + 2 ms (${pass(c.p99_ms <= c.floor_p99_ms + 2)}: ${c.p99_ms} vs ${round(c.floor_p99_ms + 2, 3)}).`,
    '',
    '| round | co-located p50 / p99 ms | four-hop floor p50 / p99 ms | p50 above floor ms | p99 above floor ms |',
    '|---|---|---|---|---|',
    ...c.rounds.map((r, i) => `| ${i + 1} | ${r.p50_ms} / ${r.p99_ms} | ${r.floor_p50_ms} / ${r.floor_p99_ms} | ${round(r.p50_ms - r.floor_p50_ms, 3)} | ${round(r.p99_ms - r.floor_p99_ms, 3)} |`),
    `| median | ${c.p50_ms} / ${c.p99_ms} | ${c.floor_p50_ms} / ${c.floor_p99_ms} | ${round(c.p50_ms - c.floor_p50_ms, 3)} | ${round(c.p99_ms - c.floor_p99_ms, 3)} |`,
    '',
    ...hopTable(observed, c, n),
    '',
    `CPU ${c.cpu_cores} cores (${Object.entries(c.per_service).map(([k, s]) => `${k} ${s.cpu_cores}`).join(', ')}), max RSS ${c.max_rss_mb} MB.`,
  ];
}

/**
 * Each hop's p50 and p99: from the observed run when there is one (the only run with every
 * service's stamps; its own end-to-end figures beside, so the observer's cost shows), else the
 * hops the clients stamp, medians of the rounds.
 */
function hopTable(observed: LoadResult | undefined, rounds: LoadResult, n: number): string[] {
  const head = observed
    ? `| hop (one observed run after the rounds: end to end ${observed.p50_ms} / ${observed.p99_ms} ms with the observer, ${rounds.p50_ms} / ${rounds.p99_ms} without) | p50 ms | p99 ms |`
    : `| hop (median of ${n}) | p50 ms | p99 ms |`;
  return [head, '|---|---|---|', ...Object.entries((observed ?? rounds).hops).map(([k, h]) => `| ${k} | ${h.p50_ms} | ${h.p99_ms} |`)];
}
