/**
 * `npm run bench:firehose [-- --json] [--quick] [--no-write] [--rounds N] [--case text]` (issue 6): the liquidation firehose
 * under load, against a bare `ws` broadcast of the same frames to the same clients.
 *
 * Every process is separate and loopback-only: a nats-server with JetStream on a free port
 * (libs/bus/nats-server.ts), the server under test (bench/firehose-server.ts: firehose, then the
 * baseline), the clients (bench/firehose-clients.ts) and the load generator
 * (bench/firehose-loadgen.ts). Each case runs for a bounded time: a warm-up second, then the
 * measured window; then the clients wait for the tail while frames still arrive (5 s without one
 * ends it, 60 s at most) and count what never came: loss, not lateness.
 *
 * Figures: delivered frames/s to healthy clients in the window; publish → client receipt latency
 * (p50/p99/max) for events published in the window; healthy loss = 1 − min received / published;
 * stalled clients the firehose dropped; the server's max RSS; the baseline's frames/s and the ratio.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { NatsConnection } from 'nats';
import { pathToFileURL } from 'node:url';
import { closeBus, connectBus, ensureLiqStream, LIQ_STREAM, startNatsServer } from '../libs/bus/index.js';
import { DEFAULT_CASES, targets, type FirehoseCase, type FirehoseCaseSpec } from './firehose-cases.js';
import type { ClientsCommand, ClientsResult } from './firehose-clients.js';
import type { LoadgenJob, LoadgenResult } from './firehose-loadgen.js';
import { BENCH_KEY, type ServerJob } from './firehose-server.js';
import { exited } from './lib/children.js';
import { round } from './lib/measure.js';
import { DEFAULT_DOC } from './lib/paths.js';
import { cpuPressureUs } from './lib/proc-stats.js';
import { socketWriteCostUs } from './lib/write-cost.js';
import type { SuiteOptions, SuiteReport } from './lib/suite.js';
import { updateDocFile } from './report.js';

export interface FirehoseBenchOptions extends SuiteOptions {
  /** measured seconds per run (default 10, quick 3) */
  seconds?: number;
  /** alternating firehose/baseline rounds per case (default 3, quick 1); figures are medians */
  rounds?: number;
  cases?: FirehoseCaseSpec[];
}



const WARMUP_MS = 1_000;
/** one event, a 10 ms batch at 2k/s, a 10 ms batch at 20k/s */
const WRITE_COST_SIZES = [300, 6_000, 60_000];
const START_DELAY_MS = 300;
/** the clients wait for the tail until this long passes with no frame arriving (60 s at most) */
const DRAIN_MS = 5_000;
const FEED = `/ws/v1/liquidation/feed?token=${BENCH_KEY}`;

const wallMs = (): number => performance.timeOrigin + performance.now();

/** children still running; a failed case kills them so the bench never hangs on an orphan */
const children = new Set<ChildProcess>();

function child(file: string): ChildProcess {
  const c = fork(new URL(file, import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}

function reply<T>(c: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what} exited with ${code} before answering`));
    c.once('exit', onExit);
    c.once('message', (m) => {
      c.off('exit', onExit);
      resolve(m as T);
    });
  });
}

interface RunFigures {
  deliveredPerS: number;
  clients: ClientsResult;
  published: number;
  rssMb: number;
  /** slow consumers closed, by the bound that closed them */
  slowDropped: Record<string, number>;
  serverCpuCores: number;
  handoverP99Ms: number | null;
  clientLagP99Ms: number | null;
  cpuPressure: number | null;
}

async function runOnce(admin: NatsConnection, natsUrl: string, mode: ServerJob['mode'], spec: FirehoseCaseSpec, measureMs: number): Promise<RunFigures> {
  const server = child('./firehose-server.js');
  const listening = reply<{ port: number }>(server, `${mode} server`);
  server.send({ mode, natsUrl } satisfies ServerJob);
  const { port } = await listening;

  const stalled = Math.round(spec.clients * spec.slow_fraction);
  const clients = child('./firehose-clients.js');
  const connected = reply<{ connected: number }>(clients, 'clients');
  clients.send({ type: 'connect', port, path: FEED, clients: spec.clients, stalled } satisfies ClientsCommand);
  await connected;
  const jsm = await admin.jetstreamManager();
  const before = (await jsm.streams.info(LIQ_STREAM)).state.last_seq;
  const startAtMs = wallMs() + START_DELAY_MS;
  const from = startAtMs + WARMUP_MS;
  clients.send({ type: 'window', fromMs: from, toMs: from + measureMs } satisfies ClientsCommand);

  const loadgen = child('./firehose-loadgen.js');
  const generated = reply<LoadgenResult>(loadgen, 'load generator');
  loadgen.send({ natsUrl, rate: spec.rate, startAtMs, durationMs: WARMUP_MS + measureMs } satisfies LoadgenJob);
  const pressure0 = cpuPressureUs();
  const load0 = wallMs();
  await generated;
  const pressure1 = cpuPressureUs();
  const cpuPressure = pressure0 === null || pressure1 === null ? null : (pressure1 - pressure0) / 1000 / (wallMs() - load0);
  // what NATS accepted (the log's growth), not what the generator sent: a loss upstream of the
  // server under test is not its loss
  let last = -1;
  for (let seen = (await jsm.streams.info(LIQ_STREAM)).state.last_seq; seen !== last; seen = (await jsm.streams.info(LIQ_STREAM)).state.last_seq) {
    last = seen; // JetStream may still be storing the tail
    await new Promise((r) => setTimeout(r, 200));
  }
  const published = last - before;

  const result = reply<ClientsResult>(clients, 'clients');
  clients.send({ type: 'finish', published, drainMs: DRAIN_MS } satisfies ClientsCommand);
  const figures = await result;
  const stats = reply<{ rssMaxMb: number; slowDropped: Record<string, number>; cpuCores: number; handoverP99Ms: number | null; clientLagP99Ms: number | null }>(server, `${mode} server`);
  server.send('stop');
  const s = await stats;
  // a bare broadcast at 20k/s ends holding GBs of backlog: freeing it is not the next run's time
  await Promise.all([server, clients, loadgen].map(exited));
  return { deliveredPerS: figures.windowFrames / (measureMs / 1000), clients: figures, published, rssMb: s.rssMaxMb, slowDropped: s.slowDropped, serverCpuCores: s.cpuCores, handoverP99Ms: s.handoverP99Ms, clientLagP99Ms: s.clientLagP99Ms, cpuPressure };
}

function roundFigures(spec: FirehoseCaseSpec, fh: RunFigures, base: RunFigures): FirehoseCase {
  return {
    ...spec,
    delivered_per_s: Math.round(fh.deliveredPerS),
    p50_ms: fh.clients.latency.samples ? round(fh.clients.latency.p50Ms) : null,
    p99_ms: fh.clients.latency.samples ? round(fh.clients.latency.p99Ms) : null,
    max_ms: fh.clients.latency.samples ? round(fh.clients.latency.maxMs) : null,
    healthy_loss: round(1 - fh.clients.receivedMin / fh.published, 6),
    readers_dropped: fh.clients.healthyClosed,
    slow_dropped: Object.values(fh.slowDropped).reduce((s, n) => s + n, 0),
    slow_dropped_by: fh.slowDropped,
    rss_mb: round(fh.rssMb, 1),
    baseline_delivered_per_s: Math.round(base.deliveredPerS),
    // no sample: nothing published in the window reached a baseline client in time
    baseline_p50_ms: base.clients.latency.samples ? round(base.clients.latency.p50Ms) : null,
    baseline_p99_ms: base.clients.latency.samples ? round(base.clients.latency.p99Ms) : null,
    baseline_healthy_loss: round(1 - base.clients.receivedMin / base.published, 6),
    baseline_rss_mb: round(base.rssMb, 1),
    ratio: round(fh.deliveredPerS / base.deliveredPerS, 3),
    order_errors: fh.clients.orderErrors,
    server_cpu_cores: round(fh.serverCpuCores),
    clients_cpu_cores: round(fh.clients.cpuCores),
    server_handover_p99_ms: fh.handoverP99Ms,
    client_lag_p99_ms: fh.clientLagP99Ms,
    baseline_server_cpu_cores: round(base.serverCpuCores),
    cpu_pressure: fh.cpuPressure === null ? null : round(fh.cpuPressure, 3),
    baseline_cpu_pressure: base.cpuPressure === null ? null : round(base.cpuPressure, 3),
  };
}

/** Median of the rounds' values, the upper middle of an even count (a missing latency, i.e. nothing arrived in time, ranks last). */
function median(values: (number | null)[]): number | null {
  const sorted = [...values].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

/**
 * One case from its rounds: each figure is the median over the rounds (the machine is shared and
 * its noise comes in phases that one run can land in), loss, RSS and order errors the worst round,
 * and every round is kept so nothing is hidden.
 */
function combineRounds(spec: FirehoseCaseSpec, rounds: FirehoseCase[]): FirehoseCase {
  const med = (k: keyof FirehoseCase) => median(rounds.map((r) => r[k] as number | null));
  const worst = (k: keyof FirehoseCase) => Math.max(...rounds.map((r) => r[k] as number));
  const delivered = med('delivered_per_s')!;
  const baseDelivered = med('baseline_delivered_per_s')!;
  return {
    ...spec,
    delivered_per_s: delivered,
    p50_ms: med('p50_ms'),
    p99_ms: med('p99_ms'),
    max_ms: med('max_ms'),
    healthy_loss: worst('healthy_loss'),
    readers_dropped: worst('readers_dropped'),
    slow_dropped: med('slow_dropped')!,
    // which bound closed them, in the round that closed the most
    slow_dropped_by: rounds.reduce((w, r) => (r.slow_dropped > w.slow_dropped ? r : w)).slow_dropped_by,
    rss_mb: worst('rss_mb'),
    baseline_delivered_per_s: baseDelivered,
    baseline_p50_ms: med('baseline_p50_ms'),
    baseline_p99_ms: med('baseline_p99_ms'),
    baseline_healthy_loss: worst('baseline_healthy_loss'),
    baseline_rss_mb: worst('baseline_rss_mb'),
    ratio: round(delivered / baseDelivered, 3),
    order_errors: rounds.reduce((s, r) => s + r.order_errors, 0),
    server_cpu_cores: med('server_cpu_cores')!,
    clients_cpu_cores: med('clients_cpu_cores')!,
    server_handover_p99_ms: med('server_handover_p99_ms'),
    client_lag_p99_ms: med('client_lag_p99_ms'),
    baseline_server_cpu_cores: med('baseline_server_cpu_cores')!,
    cpu_pressure: med('cpu_pressure'),
    baseline_cpu_pressure: med('baseline_cpu_pressure'),
    rounds: rounds.map(({ name: _n, rate: _r, clients: _c, slow_fraction: _s, ...figures }) => figures),
  };
}

export async function runFirehoseBench(opts: FirehoseBenchOptions = {}): Promise<SuiteReport> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const measureMs = (opts.seconds ?? (opts.quick ? 3 : 10)) * 1000;
  const roundCount = opts.rounds ?? (opts.quick ? 1 : 3);
  const specs = opts.cases ?? DEFAULT_CASES;
  const loadAtStart = loadavg()[0] ?? 0;
  const writeCost = await socketWriteCostUs(WRITE_COST_SIZES);
  const nats = await startNatsServer();
  const nc = await connectBus({ url: nats.url, name: 'bench-firehose-admin' });
  const cases: FirehoseCase[] = [];
  try {
    const jsm = await ensureLiqStream(nc, { maxAgeMs: 3_600_000 });
    for (const spec of specs) {
      log(`firehose bench: ${spec.name} (${spec.rate}/s, ${spec.clients} clients, ${spec.slow_fraction * 100}% stalled, ${measureMs / 1000} s)`);
      const rounds: FirehoseCase[] = [];
      for (let r = 0; r < roundCount; r++) {
        await jsm.streams.purge(LIQ_STREAM);
        const fh = await runOnce(nc, nats.url, 'firehose', spec, measureMs);
        const base = await runOnce(nc, nats.url, 'baseline', spec, measureMs);
        rounds.push(roundFigures(spec, fh, base));
        log(`  round ${r + 1}: p99 ${rounds[r]!.p99_ms} ms (bare ws ${rounds[r]!.baseline_p99_ms}), loss ${rounds[r]!.healthy_loss}, cpu pressure ${rounds[r]!.cpu_pressure}`);
      }
      const c = combineRounds(spec, rounds);
      log(`  ${JSON.stringify(c)}`);
      cases.push(c);
    }
  } finally {
    killChildren();
    await closeBus(nc);
    await nats.dispose();
  }
  return {
    suite: 'firehose',
    json: { cases, socket_write_cost_us: writeCost },
    rows: cases.flatMap((c) => [
      [`${c.name} delivered/s`, `${c.delivered_per_s} (bare ws ${c.baseline_delivered_per_s}, ratio ${c.ratio})`],
      [`${c.name} p50/p99/max ms`, `${c.p50_ms} / ${c.p99_ms} / ${c.max_ms}`],
      [`${c.name} loss / dropped / rss`, `${c.healthy_loss} / ${c.slow_dropped} / ${c.rss_mb} MB`],
    ]),
    markdown: markdown(cases, measureMs, roundCount, loadAtStart, writeCost),
    command: 'npm run bench:firehose          # this section only',
  };
}

function markdown(cases: FirehoseCase[], measureMs: number, roundCount: number, loadAtStart: number, writeCost: Record<number, number>): string {
  const byName = new Map(cases.map((c) => [c.name, c]));
  const lines = [
    '## Liquidation firehose',
    '',
    `Each case: ${roundCount} round${roundCount > 1 ? 's' : ''}, each the firehose then the bare \`ws\` baseline, each run ${WARMUP_MS / 1000} s warm-up then ${measureMs / 1000} s measured. ` +
      (roundCount > 1 ? 'Figures are medians over the rounds (the machine is shared and its noise comes in phases a single run can land in); loss and RSS are the worst round; the p99 of every round is listed. ' : '') +
      'Load generator, server, clients and nats-server are separate processes on loopback ' +
      `(${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(2)} when the run started: other work on the machine shows in the latencies). ` +
      'Latency is NATS publish → client receipt. Loss is for healthy clients (1 − fewest received / published among the reading clients the server kept), counted once frames stop arriving (5 s without one, 60 s at most): late frames are not lost ones. Readers dropped are reading clients the server closed as slow consumers; where zero loss is a target they must be 0 too. The baseline is a bare `ws` broadcast of the same frames to the same clients: the same JetStream log read the same way, each frame built once, one corked write per client per batch, no queue, caps or slow-client handling. CPU is CPU time / wall time of the server and of the clients process. CPU pressure is the share of the load\'s time in which some runnable task on the machine waited for a CPU (Linux PSI): where it is high, latency is queueing for the two cores, not work.',
    '',
    '| case | ev/s | clients | stalled | delivered/s | p50 ms | p99 ms | max ms | healthy loss | readers dropped | slow dropped | RSS MB | server CPU | clients CPU | CPU pressure | bare ws delivered/s | bare ws p50 ms | bare ws p99 ms | bare ws loss | bare ws CPU | bare ws CPU pressure | ratio | p99 per round (bare ws) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...cases.map(
      (c) =>
        `| ${c.name} | ${c.rate} | ${c.clients} | ${Math.round(c.slow_fraction * c.clients)} | ${c.delivered_per_s} | ${c.p50_ms} | ${c.p99_ms} | ${c.max_ms} | ${c.healthy_loss} | ${c.readers_dropped} | ${c.slow_dropped} | ${c.rss_mb} | ${c.server_cpu_cores} | ${c.clients_cpu_cores} | ${c.cpu_pressure ?? 'n/a'} | ${c.baseline_delivered_per_s} | ${c.baseline_p50_ms ?? 'none in time'} | ${c.baseline_p99_ms ?? 'none in time'} | ${c.baseline_healthy_loss} | ${c.baseline_server_cpu_cores} | ${c.baseline_cpu_pressure ?? 'n/a'} | ${c.ratio} | ${(c.rounds ?? []).map((r) => `${r.p99_ms} (${r.baseline_p99_ms ?? '-'})`).join(', ')} |`,
    ),
    '',
    `One socket write on this machine (loopback, before the cases): ${Object.entries(writeCost)
      .map(([size, us]) => `${us} µs for ${size} B`)
      .join(', ')}. A write costs about the same for one event or a batch, which is why, once writing every event to every client no longer fits, the firehose writes each client once per rotation (as short as the write share and its readers allow) rather than once per event.`,
    '',
    'Targets, each a ratio to the bare `ws` baseline measured in the same rounds (the shared machine moves absolute timings 2–5× between minutes):',
    '',
    ...targets(byName).map((t) => `- ${t}`),
  ];
  return lines.join('\n');
}

async function cli(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  // --case <text>: only the cases whose name contains it (for tuning one case at a time)
  const only = argv.includes('--case') ? argv[argv.indexOf('--case') + 1] : undefined;
  const cases = only ? DEFAULT_CASES.filter((c) => c.name.includes(only)) : undefined;
  const roundsArg = argv.includes('--rounds') ? argv[argv.indexOf('--rounds') + 1] : undefined;
  const rounds = roundsArg === undefined ? undefined : Number(roundsArg);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) throw new Error(`--rounds must be an integer from 1 to 20, got ${roundsArg}`);
  const report = await runFirehoseBench({ quick: argv.includes('--quick'), ...(cases ? { cases } : {}), ...(rounds ? { rounds } : {}) });
  if (!argv.includes('--no-write')) await updateDocFile(DEFAULT_DOC(), [{ name: 'firehose', body: `${report.markdown}\n\nMeasured ${new Date().toISOString()}.` }]);
  if (json) process.stdout.write(`${JSON.stringify({ cases: report.json['cases'] })}\n`);
  else process.stdout.write(`${report.markdown}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench:firehose: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
