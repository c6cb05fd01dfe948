/**
 * Gateway fan-out: consensus deltas published on NATS by a stand-in merger, fanned out by a real
 * gateway to 10, 100 and 500 WebSocket clients held by a separate process (so client parsing does
 * not eat the gateway's core). Reports delivered updates/s and merger publish → client receipt
 * latency (p50/p99), plus how often clients were conflated (fell behind and got a SNAPSHOT).
 *
 * `node dist/bench/gateway.js [--quick]` runs it standalone; `npm run bench gateway` via the runner.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { closeBus, connectBus, startNatsServer } from '../libs/bus/index.js';
import { createLogger } from '../libs/obs/index.js';
import { loadGatewayConfig } from '../services/gateway/config.js';
import { createGateway } from '../services/gateway/gateway.js';
import { ConsensusPublisher } from '../test/helpers/consensus-publisher.js';
import type { SuiteOptions, SuiteReport } from './lib/suite.js';

export interface Measurement {
  metric: string;
  value: number;
  unit: string;
}

const CLIENT_COUNTS = [10, 100, 500];
const UPDATES_PER_S = 200;
const DEPTH = 25;

interface WorkerReport {
  received: number;
  snapshots: number;
  latencies: number[];
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function ask<T>(child: ChildProcess, msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg as never);
  });
}

export async function runGatewayBench(opts: SuiteOptions = {}): Promise<SuiteReport & { measurements: Measurement[] }> {
  const log = opts.log ?? (() => undefined);
  const measureMs = opts.quick ? 1500 : 5000;
  const nats = await startNatsServer();
  const nc = await connectBus({ url: nats.url, name: 'bench-merger' });
  const gwNc = await connectBus({ url: nats.url, name: 'bench-gateway' });
  const pub = new ConsensusPublisher(nc, 'BTC-USD', 50, 3);
  pub.seedBook(40);
  pub.serveSnapshots();
  await nc.flush();
  const cfg = loadGatewayConfig({ NATS_URL: nats.url, GATEWAY_PORT: '0', GATEWAY_SYMBOLS: 'BTC-USD', GATEWAY_MAX_CONNECTIONS_PER_KEY: '10000', GATEWAY_MAX_CONNECTIONS_PER_KEY_PER_ADDRESS: '10000', LOG_LEVEL: 'silent' });
  const gw = createGateway(cfg, { nc: gwNc, log: createLogger('bench-gateway', 'silent') });
  await gw.start();
  const child = fork(fileURLToPath(import.meta.url), ['--clients-worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const measurements: Measurement[] = [];
  try {
    while (!gw.hub.feeds.get('BTC-USD')!.held.synced) await new Promise((r) => setTimeout(r, 20));
    for (const n of opts.quick ? [10, 100] : CLIENT_COUNTS) {
      await ask(child, { cmd: 'connect', url: `${gw.url.replace('http', 'ws')}/ws?token=demo&symbols=BTC-USD&depth=${DEPTH}`, n });
      await ask(child, { cmd: 'reset' });
      const start = performance.now();
      let published = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < UPDATES_PER_S / 100; i++) {
          pub.randomStep(3);
          pub.publishDelta();
          published++;
        }
      }, 10);
      await new Promise((r) => setTimeout(r, measureMs));
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 300)); // let in-flight updates land
      const secs = (performance.now() - start) / 1000;
      const r = await ask<WorkerReport>(child, { cmd: 'report' });
      log(`gateway: ${n} clients, ${published} updates published, ${r.received} delivered, ${r.snapshots} conflation snapshots`);
      measurements.push(
        { metric: `clients_${n}.delivered_updates_per_s`, value: Math.round(r.received / secs), unit: 'updates/s' },
        { metric: `clients_${n}.published_updates_per_s`, value: Math.round(published / secs), unit: 'updates/s' },
        { metric: `clients_${n}.latency_p50_ms`, value: pct(r.latencies, 50), unit: 'ms' },
        { metric: `clients_${n}.latency_p99_ms`, value: pct(r.latencies, 99), unit: 'ms' },
        { metric: `clients_${n}.conflation_snapshots`, value: r.snapshots, unit: 'count' },
      );
    }
  } finally {
    child.kill();
    await gw.stop();
    await closeBus(gwNc);
    await closeBus(nc);
    await nats.dispose();
  }
  const json = Object.fromEntries(measurements.map((m) => [m.metric, m.value]));
  const table = measurements.map((m) => `| ${m.metric} | ${m.value} | ${m.unit} |`).join('\n');
  return {
    suite: 'gateway',
    measurements,
    json,
    rows: measurements.map((m) => [m.metric, `${m.value} ${m.unit}`]),
    markdown:
      `Consensus deltas at ${UPDATES_PER_S}/s (depth ${DEPTH}, ~3 levels changed each) published on NATS, fanned out by one gateway ` +
      `to N clients in a separate process on loopback; ${measureMs / 1000} s per case. Latency = merger publish (merge_ts) → client receipt, ms clock.\n\n` +
      `| metric | value | unit |\n|---|---|---|\n${table}\n`,
    command: 'npm run bench gateway',
  };
}

/** The client side, in its own process: N sockets counting BOOK messages and their latency. */
function clientsWorker(): void {
  const sockets: WebSocket[] = [];
  let received = 0;
  let snapshots = 0;
  let latencies: number[] = [];
  const MERGE_TS = /"merge_ts":(\d+)/;
  process.on('message', async (m: { cmd: string; url?: string; n?: number }) => {
    if (m.cmd === 'connect') {
      for (const s of sockets.splice(0)) s.terminate();
      await Promise.all(
        Array.from({ length: m.n! }, () => new Promise<void>((resolve) => {
          const ws = new WebSocket(m.url!, { perMessageDeflate: false });
          sockets.push(ws);
          ws.on('message', (d) => {
            const text = d.toString();
            if (text.startsWith('{"type":"SNAPSHOT"')) {
              snapshots++;
              resolve();
            } else if (text.startsWith('{"type":"BOOK"')) {
              received++;
              if (received % 7 === 0) latencies.push(Date.now() - Number(MERGE_TS.exec(text)?.[1]));
            } else if (text.startsWith('{"type":"PING"')) ws.send('{"type":"PONG"}');
          });
          ws.on('error', () => resolve());
        })),
      );
      process.send!({ ok: true });
    } else if (m.cmd === 'reset') {
      received = 0;
      snapshots = 0;
      latencies = [];
      process.send!({ ok: true });
    } else if (m.cmd === 'report') {
      process.send!({ received, snapshots, latencies });
    }
  });
}

if (process.argv.includes('--clients-worker')) clientsWorker();
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runGatewayBench({ quick: process.argv.includes('--quick'), log: (l) => process.stderr.write(`${l}\n`) });
  for (const m of r.measurements) process.stdout.write(`${m.metric.padEnd(40)} ${String(m.value).padStart(10)} ${m.unit}\n`);
}
