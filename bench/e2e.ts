/**
 * End-to-end suite: simulator → collector → NATS → merger → NATS → gateway → WebSocket clients on
 * loopback, every service its own process (as deployed), measured from outside:
 *   - latency at each hop, from the venue event time `ts` (the simulator stamps it when it sends
 *     the frame; whole ms) to collector publish (`pub_ts`), merger publish (`merge_ts`), gateway
 *     send (`gw_ts`) and client receipt; and from collector receipt (`recv_ts`, sub-ms) to client
 *     receipt, which is bookfuse's own pipeline without the ms rounding of `ts`;
 *   - CPU (cores) and RSS per service from /proc.
 * Two loads: realistic (each venue's own push cadence, 50 level changes and 5 trades per second per
 * instrument, BTC and ETH on five venues) and ten times the changes and trades.
 *
 *   node dist/bench/run.js e2e [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { connectBus, closeBus, decodeJson } from '../libs/bus/index.js';
import { startNats, freePort, waitForPort } from '../test/helpers/nats.js';
import { sleep } from '../test/helpers/waits.js';
import { percentile } from './lib/measure.js';
import { sampleProc, type ProcSample } from './lib/proc-stats.js';
import type { SuiteOptions, SuiteReport } from './lib/suite.js';

const CLI = fileURLToPath(new URL('../services/cli/main.js', import.meta.url));
const KEY = 'bench';
const CLIENTS = 10;

interface LoadResult {
  load: string;
  samples: number;
  p50_ms: number;
  p99_ms: number;
  p999_ms: number;
  pipeline_p50_ms: number;
  pipeline_p99_ms: number;
  hops: Record<string, { p50_ms: number; p99_ms: number }>;
  cpu_cores: number;
  max_rss_mb: number;
  per_service: Record<string, { cpu_cores: number; rss_mb: number; max_rss_mb: number }>;
}

const nowMs = () => performance.timeOrigin + performance.now();

async function runLoad(load: 'realistic' | 'x10', seconds: number, log: (s: string) => void): Promise<LoadResult> {
  const nats = await startNats();
  const [simPort, gwPort, colPort, merPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const factor = load === 'x10' ? 10 : 1;
  const base = { ...process.env, NATS_URL: nats.url, LOG_LEVEL: 'warn' };
  const plan: [string, NodeJS.ProcessEnv][] = [
    ['simulator', { ...base, SIM_PORT: String(simPort), SIM_BOOK_UPDATES_PER_S: String(50 * factor), SIM_TRADES_PER_S: String(5 * factor), SIM_LIQUIDATIONS_PER_S: String(0.1 * factor) }],
    ['gateway', { ...base, GATEWAY_PORT: String(gwPort), GATEWAY_API_KEYS: KEY }],
    ['merger', { ...base, MERGER_PORT: String(merPort) }],
    ['collector', { ...base, COLLECTOR_PORT: String(colPort), COLLECTOR_SIMULATOR_URL: `http://127.0.0.1:${simPort}` }],
  ];
  const procs = new Map<string, ChildProcess>();
  for (const [name, env] of plan) {
    const p = spawn(process.execPath, [CLI, name], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    procs.set(name, p);
    if (name === 'simulator') await waitForPort(simPort);
    if (name === 'gateway') await waitForPort(gwPort);
  }

  // venue event time → the collector's (sub-ms) receipt of the first frame carrying it; a consensus
  // update's `ts` is its newest input's event time, so this joins a client message to its trigger
  const recvByTs = new Map<number, number>();
  const nc = await connectBus({ url: nats.url, name: 'bench-e2e' });
  const hops: Record<string, number[]> = { 'venue→collector publish': [], 'venue→merger publish': [], 'venue→gateway send': [], 'venue→client': [], 'collector receipt→client': [] };
  let measuring = false;
  nc.subscribe('bookfuse.v1.book.>', {
    callback: (_e, m) => {
      const b = decodeJson(m.data) as { ts: number; pub_ts: number; recv_ts: number };
      if (!recvByTs.has(b.ts)) recvByTs.set(b.ts, b.recv_ts);
      if (measuring) hops['venue→collector publish']!.push(b.pub_ts - b.ts);
    },
  });
  nc.subscribe('bookfuse.v1.consensus.book.*', {
    callback: (_e, m) => {
      const c = decodeJson(m.data) as { ts: number; merge_ts: number };
      if (measuring) hops['venue→merger publish']!.push(c.merge_ts - c.ts);
    },
  });

  const clients: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${gwPort}/ws?token=${KEY}&symbols=BTC-USD,ETH-USD&depth=25`, { perMessageDeflate: false });
    const first = i === 0; // one client's view is enough for the per-hop split
    ws.on('message', (d) => {
      const t = nowMs();
      const msg = JSON.parse(d.toString()) as { type: string; payload: { symbol: string; epoch: number; seq: number; ts: number; gw_ts: number } };
      if (msg.type === 'PING') ws.send('{"type":"PONG"}');
      if (msg.type !== 'BOOK' || !measuring) return;
      const p = msg.payload;
      hops['venue→client']!.push(t - p.ts);
      if (first) hops['venue→gateway send']!.push(p.gw_ts - p.ts);
      const recv = recvByTs.get(p.ts);
      if (recv !== undefined) hops['collector receipt→client']!.push(t - recv);
    });
    clients.push(ws);
  }

  log(`e2e ${load}: warming up`);
  await sleep(8000);
  const before = new Map<string, ProcSample | null>([...procs].map(([n, p]) => [n, sampleProc(p.pid!)]));
  const t0 = Date.now();
  measuring = true;
  log(`e2e ${load}: measuring ${seconds} s`);
  await sleep(seconds * 1000);
  measuring = false;
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
    if (name !== 'simulator') {
      cpu += cores;
      maxRss = Math.max(maxRss, b.hwmMb);
    }
  }
  for (const ws of clients) ws.close();
  await closeBus(nc);
  for (const p of [...procs.values()].reverse()) {
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  }
  await nats.dispose();

  const lat = hops['venue→client']!;
  const pipe = hops['collector receipt→client']!;
  const hopStats: LoadResult['hops'] = {};
  for (const [k, v] of Object.entries(hops)) hopStats[k] = { p50_ms: round(percentile(v, 0.5), 3), p99_ms: round(percentile(v, 0.99), 3) };
  return {
    load,
    samples: lat.length,
    p50_ms: round(percentile(lat, 0.5), 3),
    p99_ms: round(percentile(lat, 0.99), 3),
    p999_ms: round(percentile(lat, 0.999), 3),
    pipeline_p50_ms: round(percentile(pipe, 0.5), 3),
    pipeline_p99_ms: round(percentile(pipe, 0.99), 3),
    hops: hopStats,
    cpu_cores: round(cpu, 3),
    max_rss_mb: round(maxRss, 1),
    per_service: perService,
  };
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export async function runE2eBench(opts: SuiteOptions = {}): Promise<SuiteReport> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const seconds = opts.quick ? 8 : 30;
  const realistic = await runLoad('realistic', seconds, log);
  const x10 = await runLoad('x10', seconds, log);
  const svcRows = (r: LoadResult) =>
    Object.entries(r.per_service)
      .map(([n, s]) => `| ${n} | ${s.cpu_cores} | ${s.rss_mb} | ${s.max_rss_mb} |`)
      .join('\n');
  const hopRows = (r: LoadResult) =>
    Object.entries(r.hops)
      .map(([n, h]) => `| ${n} | ${h.p50_ms} | ${h.p99_ms} |`)
      .join('\n');
  const pass = (ok: boolean) => (ok ? 'meets' : '**misses**');
  const markdown = [
    '## End to end (`npm run bench:e2e`)',
    '',
    `Simulator → collector → NATS → merger → NATS → gateway → ${CLIENTS} WebSocket clients, each service its own process, on loopback; ${seconds} s measured after 8 s warm-up per load.`,
    'Latency origin is the venue event time the simulator stamps on each frame (whole milliseconds, so figures from it carry up to 1 ms of rounding); "collector receipt→client" uses sub-millisecond receive times and is bookfuse\'s own pipeline.',
    '',
    '| load | samples | p50 ms | p99 ms | p99.9 ms | pipeline p50 ms | pipeline p99 ms | CPU cores (all services but the simulator) | max RSS MB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...[realistic, x10].map((r) => `| ${r.load} | ${r.samples} | ${r.p50_ms} | ${r.p99_ms} | ${r.p999_ms} | ${r.pipeline_p50_ms} | ${r.pipeline_p99_ms} | ${r.cpu_cores} | ${r.max_rss_mb} |`),
    '',
    `Targets: realistic p50 ≤ 1 ms (${pass(realistic.p50_ms <= 1)}), p99 ≤ 5 ms (${pass(realistic.p99_ms <= 5)}); ×10 p99 ≤ 20 ms (${pass(x10.p99_ms <= 20)}); all services < 0.5 core (${pass(realistic.cpu_cores < 0.5)}), each < 150 MB RSS (${pass(realistic.max_rss_mb < 150)}).`,
    '',
    '| hop (realistic) | p50 ms | p99 ms |',
    '|---|---|---|',
    hopRows(realistic),
    '',
    '| service (realistic) | CPU cores | RSS MB | max RSS MB |',
    '|---|---|---|---|',
    svcRows(realistic),
    '',
    '| service (×10) | CPU cores | RSS MB | max RSS MB |',
    '|---|---|---|---|',
    svcRows(x10),
  ].join('\n');
  return {
    suite: 'e2e',
    json: { realistic, x10 },
    rows: [
      ['realistic p50 / p99 ms', `${realistic.p50_ms} / ${realistic.p99_ms}`],
      ['realistic pipeline p50 / p99 ms', `${realistic.pipeline_p50_ms} / ${realistic.pipeline_p99_ms}`],
      ['realistic CPU cores / max RSS MB', `${realistic.cpu_cores} / ${realistic.max_rss_mb}`],
      ['x10 p50 / p99 ms', `${x10.p50_ms} / ${x10.p99_ms}`],
      ['x10 CPU cores / max RSS MB', `${x10.cpu_cores} / ${x10.max_rss_mb}`],
    ],
    markdown,
    command: 'npm run bench:e2e',
  };
}
