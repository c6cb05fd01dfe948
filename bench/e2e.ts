/**
 * End-to-end suite: simulator → collector → NATS → merger → NATS → gateway → WebSocket clients on
 * loopback, every bookfuse service its own process (as deployed), measured from outside:
 *   - latency from the simulator's send of a venue frame (the simulator runs in this process, so
 *     the send is timed at sub-ms resolution) to the client's receipt of the consensus update it
 *     caused, and per hop to collector publish (`pub_us`), merger publish (`merge_us`) and gateway
 *     send (`gw_us`); an update is joined to its trigger by its base asset and the venue event
 *     time `ts` it carries (the earliest send of that asset in that ms: if anything, latency is
 *     overstated). The asset is part of the key because a venue steps all its instruments in one
 *     timer tick, so its BTC and ETH frames share a `ts`: keyed by `ts` alone, every ETH update
 *     was timed from the BTC frame sent before it. Only updates that change a level count: one
 *     that re-sends venue views alone carries the `ts` of a change it was not caused by
 *     (bench/e2e-sample.ts);
 *   - CPU (cores) and RSS per service from /proc.
 * The collector and merger stamps are read off NATS by an observer in this process, which costs
 * the path it watches: judged runs go without it, one extra run per topology has it (runLoad).
 * Two loads: realistic (each venue's own push cadence, 50 level changes and 5 trades per second per
 * instrument, BTC and ETH on five venues) and ten times the changes and trades. The realistic load
 * runs in rounds alternating with the transport floor (bench/e2e-floor.ts), judged against it
 * round for round (bench/e2e-report.ts); ×10, judged in absolute terms, runs once.
 *
 *   node dist/bench/run.js e2e [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { subjects } from '../libs/bus/index.js';
import { fileURLToPath } from 'node:url';
import { connectBus, closeBus, decodeJson } from '../libs/bus/index.js';
import { startNats, freePort, waitForPort } from '../test/helpers/nats.js';
import { loadSimulatorConfig } from '../services/simulator/config.js';
import { startSimulator } from '../services/simulator/simulator.js';
import { sleep } from '../test/helpers/waits.js';
import { nodeArgsFor } from '../services/cli/node-flags.js';
import { CLIENTS, preciseMs, startClients } from './e2e-children.js';
import { changesALevel, type LevelChanges } from './e2e-sample.js';
import { stopChild } from './lib/children.js';
import { FLOOR_WARMUP_MS, runFloor, type FloorResult } from './e2e-floor.js';
import { combineRounds, e2eMarkdown, type First, type LoadResult, type RoundRun, type Segments } from './e2e-report.js';
import { collectGarbage, percentile, rotation, round } from './lib/measure.js';
import { sampleProc, type ProcSample } from './lib/proc-stats.js';
import type { SuiteOptions, SuiteReport } from './lib/suite.js';

const CLI = fileURLToPath(new URL('../services/cli/main.js', import.meta.url));
const KEY = 'bench';
/** a service's stamp in ms: its µs twin where the message has one, else the whole-ms field */
const stampMs = (ms: number, us: number | undefined): number => (us === undefined ? ms : us / 1000);
const LOAD_WARMUP_MS = 8000;
/**
 * The join key's asset: venue books (BTC-USDT, BTC-USDC) and the consensus book they feed (BTC-USD)
 * share the base of their canonical symbol.
 */
const baseOf = (symbol: string): string => symbol.slice(0, symbol.indexOf('-'));
/** standard: every service its own process; colocated: `bookfuse colocated` (collector + merger in one, #17.4) */
export type Topology = 'standard' | 'colocated';

/**
 * One run of bookfuse. `observe`: also read every venue and consensus book off NATS here, for the
 * collector and merger stamps the segments need. That observer is not free: this process hosts
 * the simulator, and each book it is sent wakes it beside the service the book is for, on a
 * two-core machine (0.26 ms on the p50 in 8 alternated pairs, 7 of them higher). So the judged
 * runs go without it, and the segments come from a run of their own.
 */
async function runLoad(load: 'realistic' | 'x10', seconds: number, log: (s: string) => void, topology: Topology = 'standard', observe = false): Promise<LoadResult> {
  const nats = await startNats();
  const [simPort, gwPort, colPort, merPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const factor = load === 'x10' ? 10 : 1;
  const base = { ...process.env, NATS_URL: nats.url, LOG_LEVEL: 'warn' };
  const sim = await startSimulator(
    loadSimulatorConfig({ SIM_PORT: String(simPort), SIM_BOOK_UPDATES_PER_S: String(50 * factor), SIM_TRADES_PER_S: String(5 * factor), SIM_LIQUIDATIONS_PER_S: String(0.1 * factor) }),
  );
  // `${base asset}|${venue event time (ms)}` → when the simulator first sent a book frame of it
  const sentAt = new Map<string, number>();
  // The stamp is taken as the frame is handed to the socket, not when the venue simulator is
  // given the event: what a simulated venue does before it sends (Bybit diffs its book, OKX sums
  // its checksum, Hyperliquid builds a whole snapshot) is the venue's time, not bookfuse's.
  let sending: string | undefined;
  for (const v of sim.world.venueIds()) {
    const vs = sim.world.simulator(v)!;
    const base = new Map(vs.instruments.map((i) => [i.venueSymbol, baseOf(i.symbol)]));
    const publish = vs.publish.bind(vs);
    vs.publish = (e) => {
      sending = e.type === 'book' ? `${base.get(e.venueSymbol)}|${e.ts}` : undefined;
      publish(e);
      sending = undefined;
    };
    const open = vs.openSession.bind(vs);
    vs.openSession = (path, query, client) =>
      open(path, query, {
        send: (text) => {
          if (sending !== undefined && !sentAt.has(sending)) sentAt.set(sending, preciseMs());
          client.send(text);
        },
        close: (code, reason) => client.close(code, reason),
      });
  }
  const mergerEnv = { MERGER_PORT: String(merPort) };
  const collectorEnv = { COLLECTOR_PORT: String(colPort), COLLECTOR_SIMULATOR_URL: `http://127.0.0.1:${simPort}` };
  const gateway: [string, NodeJS.ProcessEnv] = ['gateway', { ...base, GATEWAY_PORT: String(gwPort), GATEWAY_API_KEYS: KEY }];
  const plan: [string, NodeJS.ProcessEnv][] =
    topology === 'colocated'
      ? [gateway, ['colocated', { ...base, ...mergerEnv, ...collectorEnv }]]
      : [gateway, ['merger', { ...base, ...mergerEnv }], ['collector', { ...base, ...collectorEnv }]];
  const procs = new Map<string, ChildProcess>();
  for (const [name, env] of plan) {
    const p = spawn(process.execPath, [...nodeArgsFor(name), CLI, name], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    procs.set(name, p);
    if (name === 'gateway') await waitForPort(gwPort);
  }

  const nc = await connectBus({ url: nats.url, name: 'bench-e2e' });
  // cumulative from the simulator's send, then each service-to-service segment on its own (a
  // cumulative p99 says where the tail shows first, a segment's p99 how much that hop adds)
  const hops: Record<string, number[]> = {
    'sim send→collector receipt': [],
    'sim send→collector publish': [],
    'sim send→merger publish': [],
    'sim send→gateway send': [],
    'sim send→client': [],
    'collector publish→merger publish': [],
    'merger publish→gateway send': [],
    'gateway send→client': [],
  };
  /** `${base}|${ts}` of the venue frame → when the collector published it, when the merger published its effect */
  const pubAt = new Map<string, number>();
  const mergeAt = new Map<string, number>();
  const since = (symbol: string, ts: number, t: number): number | null => {
    const s0 = sentAt.get(`${baseOf(symbol)}|${ts}`);
    return s0 === undefined ? null : t - s0;
  };
  const push = (hop: string, v: number | null) => {
    if (v !== null) hops[hop]!.push(v);
  };
  let measuring = false;
  // The venue and consensus books seen on NATS are kept raw and read after the measurement: this
  // process hosts the simulator, and parsing every book here while the services run would take
  // a core from them on a small machine (an observer's cost, not bookfuse's). Copies: a message's
  // data is a view of the whole socket read it came in.
  const seenBooks: Uint8Array[] = [];
  const seenConsensus: Uint8Array[] = [];
  const keep = (into: Uint8Array[]) => (_e: unknown, m: { data: Uint8Array }) => {
    if (measuring) into.push(m.data.slice());
  };
  if (observe) {
    nc.subscribe(subjects.allBooks(), { callback: keep(seenBooks) });
    nc.subscribe(subjects.allConsensusBooks(), { callback: keep(seenConsensus) });
  }

  const clients = await startClients(`ws://127.0.0.1:${gwPort}/ws?token=${KEY}&symbols=BTC-USD,ETH-USD&depth=25`);

  log(`e2e ${load}: warming up`);
  await sleep(LOAD_WARMUP_MS);
  const before = new Map<string, ProcSample | null>([...procs].map(([n, p]) => [n, sampleProc(p.pid!)]));
  const t0 = Date.now();
  measuring = true;
  clients.measure();
  log(`e2e ${load}: measuring ${seconds} s`);
  await sleep(seconds * 1000);
  measuring = false;
  const received = await clients.report();
  for (const data of seenBooks) {
    const b = decodeJson(data) as { symbol: string; ts: number; pub_ts: number; pub_us?: number; recv_ts: number; recv_us?: number };
    push('sim send→collector receipt', since(b.symbol, b.ts, stampMs(b.recv_ts, b.recv_us)));
    const pub = stampMs(b.pub_ts, b.pub_us);
    push('sim send→collector publish', since(b.symbol, b.ts, pub));
    pubAt.set(`${baseOf(b.symbol)}|${b.ts}`, pub);
  }
  for (const data of seenConsensus) {
    const c = decodeJson(data) as LevelChanges & { symbol: string; ts: number; merge_ts: number; merge_us?: number };
    if (!changesALevel(c)) continue;
    const merged = stampMs(c.merge_ts, c.merge_us);
    push('sim send→merger publish', since(c.symbol, c.ts, merged));
    const key = `${baseOf(c.symbol)}|${c.ts}`;
    // joined once per asset and ts, to the first consensus update that carries them (as `sentAt`
    // keeps the first send)
    if (mergeAt.has(key)) continue;
    mergeAt.set(key, merged);
    const pub = pubAt.get(key);
    if (pub !== undefined) push('collector publish→merger publish', merged - pub);
  }
  for (const [ts, at, gw, symbol] of received) {
    push('sim send→client', since(symbol, ts, at));
    if (gw < 0) continue;
    push('sim send→gateway send', since(symbol, ts, gw));
    push('gateway send→client', at - gw);
    const merged = mergeAt.get(`${baseOf(symbol)}|${ts}`);
    if (merged !== undefined) push('merger publish→gateway send', gw - merged);
  }
  const elapsedS = (Date.now() - t0) / 1000;
  const perService: LoadResult['per_service'] = {};
  let cpu = 0;
  let maxRss = 0;
  for (const [name, p] of procs) {
    const a = before.get(name);
    const b = sampleProc(p.pid!);
    if (!a || !b) continue;
    const cores = (b.cpuS - a.cpuS) / elapsedS;
    perService[name] = { cpu_cores: round(cores, 3), rss_mb: round(b.rssMb, 1), max_rss_mb: round(b.hwmMb, 1) };
    cpu += cores;
    maxRss = Math.max(maxRss, b.hwmMb);
  }
  await closeBus(nc);
  for (const [name, p] of [...procs].reverse()) {
    // a service that died during the run has no 'exit' left to wait for: say so, the figures are void
    if (!(await stopChild(p))) log(`e2e ${load}: ${name} exited during the run (${p.exitCode ?? p.signalCode}); its logs go to stdout, which the bench ignores`);
  }
  sim.world.stop();
  await sim.server.close();
  await nats.dispose();

  const lat = hops['sim send→client']!;
  const hopStats: LoadResult['hops'] = {};
  for (const [k, v] of Object.entries(hops)) if (v.length > 0) hopStats[k] = { p50_ms: round(percentile(v, 0.5), 3), p99_ms: round(percentile(v, 0.99), 3) };
  return {
    load,
    samples: lat.length,
    p50_ms: round(percentile(lat, 0.5), 3),
    p99_ms: round(percentile(lat, 0.99), 3),
    p999_ms: round(percentile(lat, 0.999), 3),
    hops: hopStats,
    cpu_cores: round(cpu, 3),
    max_rss_mb: round(maxRss, 1),
    per_service: perService,
  };
}

/** one floor sender per venue the simulator runs */
const FLOOR_VENUES = 6;

/**
 * `rounds` rounds of bookfuse at realistic load and the transport floor, back to back, the first
 * of the pair alternating so that neither always runs in the minute after the other (the one run
 * second also lands after the first's teardown). A collection before each run keeps the previous
 * run's garbage, in this process that hosts the simulator and the floor's sender, off the next.
 */
async function runRounds(rounds: number, seconds: number, log: (s: string) => void): Promise<{ standard: RoundRun[]; colocated: RoundRun[] }> {
  const standard: RoundRun[] = [];
  const colocated: RoundRun[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = rotation<First>(['realistic', 'colocated', 'floor', 'floor4'], r);
    let load: LoadResult | undefined;
    let co: LoadResult | undefined;
    let floor: FloorResult | undefined;
    let floor4: FloorResult | undefined;
    for (const side of order) {
      log(`e2e round ${r + 1}/${rounds}: ${side}`);
      collectGarbage();
      if (side === 'realistic') load = await runLoad('realistic', seconds, log);
      else if (side === 'colocated') co = await runLoad('realistic', seconds, log, 'colocated');
      else if (side === 'floor') floor = await runFloor(seconds, FLOOR_VENUES, log);
      else floor4 = await runFloor(seconds, FLOOR_VENUES, log, 1);
    }
    standard.push({ first: order[0]!, load: load!, floor: floor! });
    // the co-located topology against its like-for-like floor: one NATS hop, four process hops
    colocated.push({ first: order[0]!, load: co!, floor: floor4! });
    log(`e2e round ${r + 1}/${rounds}: realistic p50/p99 ${load!.p50_ms}/${load!.p99_ms} ms, floor ${floor!.p50_ms}/${floor!.p99_ms} ms; co-located ${co!.p50_ms}/${co!.p99_ms} ms, four-hop floor ${floor4!.p50_ms}/${floor4!.p99_ms} ms`);
  }
  return { standard, colocated };
}

export interface E2eBenchOptions extends SuiteOptions {
  /** realistic/floor rounds (default 3, quick 2); figures are medians over them */
  rounds?: number;
  /** measured seconds per run in a round (default 10, quick 5) */
  seconds?: number;
}

export async function runE2eBench(opts: E2eBenchOptions = {}): Promise<SuiteReport> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const seconds = opts.seconds ?? (opts.quick ? 5 : 10);
  const x10Seconds = opts.quick ? 8 : 30;
  const runs = await runRounds(opts.rounds ?? (opts.quick ? 2 : 3), seconds, log);
  const { realistic, floor } = combineRounds(runs.standard);
  const colocated = combineRounds(runs.colocated).realistic;
  collectGarbage();
  const x10 = await runLoad('x10', x10Seconds, log);
  // each topology once more with the observer, for the collector and merger segments
  const observed = async (topology: Topology): Promise<LoadResult> => {
    log(`e2e segments: ${topology}, observed`);
    collectGarbage();
    return runLoad('realistic', seconds, log, topology, true);
  };
  const segments: Segments = { standard: await observed('standard'), colocated: await observed('colocated') };
  const markdown = e2eMarkdown({ clients: CLIENTS, seconds, x10Seconds, loadWarmupS: LOAD_WARMUP_MS / 1000, floorWarmupS: FLOOR_WARMUP_MS / 1000, realistic, x10, floor, colocated, segments });
  return {
    suite: 'e2e',
    // floor_* beside the realistic figures so a reader of the JSON can judge the ratio targets
    json: { realistic, x10, floor, colocated, segments },
    rows: [
      ['realistic p50 / p99 ms', `${realistic.p50_ms} / ${realistic.p99_ms}`],
      ['realistic CPU cores / max RSS MB', `${realistic.cpu_cores} / ${realistic.max_rss_mb}`],
      ['x10 p50 / p99 ms', `${x10.p50_ms} / ${x10.p99_ms}`],
      ['realistic p99.9 ms', `${realistic.p999_ms}`],
      ['transport floor p50 / p99 ms', `${floor.p50_ms} / ${floor.p99_ms}`],
      ['p50 / p99 per round (floor)', realistic.rounds.map((r) => `${r.p50_ms}/${r.p99_ms} (${r.floor_p50_ms}/${r.floor_p99_ms})`).join(', ')],
      ['co-located p50 / p99 ms (four-hop floor)', `${colocated.p50_ms} / ${colocated.p99_ms} (${colocated.floor_p50_ms} / ${colocated.floor_p99_ms})`],
      ['x10 CPU cores / max RSS MB', `${x10.cpu_cores} / ${x10.max_rss_mb}`],
    ],
    markdown,
    command: 'npm run bench:e2e',
  };
}
