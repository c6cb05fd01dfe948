/**
 * The transport floor of the end-to-end suite: the same six process hops as bookfuse (sender →
 * relay → NATS → relay → NATS → relay → clients, bench/e2e-relay.ts) carrying frames of about the
 * same size at the same cadence (each simulated venue pushes its symbols every 100 ms, venues out
 * of phase), with no work done on the way. What bookfuse spends above it is bookfuse's.
 *
 * With `natsHops: 1` it is the floor of `bookfuse colocated` (sender → relay → NATS → relay →
 * clients): the collector + merger's place is one relay, as it is one process.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { startNats } from '../test/helpers/nats.js';
import { sleep } from '../test/helpers/waits.js';
import { preciseMs, startClients } from './e2e-children.js';
import { stopChild } from './lib/children.js';
import { percentile, round } from './lib/measure.js';

const RELAY_PROC = fileURLToPath(new URL('./e2e-relay.js', import.meta.url));
export const FLOOR_WARMUP_MS = 3000;

export interface FloorResult {
  p50_ms: number;
  p99_ms: number;
  samples: number;
}

export async function runFloor(seconds: number, venues: number, log: (s: string) => void, natsHops: 1 | 2 = 2): Promise<FloorResult> {
  const nats = await startNats();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const relay = (job: Record<string, unknown>) => {
    const p = fork(RELAY_PROC, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    p.send({ natsUrl: nats.url, ...job });
    return { p, ready: new Promise<unknown>((r) => p.once('message', r)) };
  };
  const c = relay({ mode: 'nats-to-ws', from: 'floor.b' });
  const { port } = (await c.ready) as { port: number };
  const middle = natsHops === 2 ? [relay({ mode: 'nats-to-nats', from: 'floor.a', to: 'floor.b' })] : [];
  for (const b of middle) await b.ready;
  const a = relay({ mode: 'ws-to-nats', to: natsHops === 2 ? 'floor.a' : 'floor.b', wsUrl: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` });
  await a.ready;
  const clients = await startClients(`ws://127.0.0.1:${port}/`);

  const sentAt = new Map<number, number>();
  let id = 0;
  const pad = 'x'.repeat(600); // about a consensus delta's size
  const timers: NodeJS.Timeout[] = [];
  for (let v = 0; v < venues; v++) {
    timers.push(
      setTimeout(() => {
        timers.push(
          setInterval(() => {
            for (let sym = 0; sym < 2; sym++) {
              const n = ++id;
              sentAt.set(n, preciseMs());
              const frame = `{"type":"BOOK","payload":{"ts":${n},"gw_ts":-1,"pad":"${pad}"}}`;
              for (const ws of wss.clients) ws.send(frame);
            }
          }, 100),
        );
      }, Math.floor((100 * v) / venues)),
    );
  }
  log(`e2e floor: warming up`);
  await sleep(FLOOR_WARMUP_MS);
  clients.measure();
  log(`e2e floor: measuring ${seconds} s`);
  await sleep(seconds * 1000);
  const received = await clients.report();
  for (const t of timers) clearTimeout(t);
  const lat: number[] = [];
  for (const [n, at] of received) {
    const sent = sentAt.get(n);
    if (sent !== undefined) lat.push(at - sent);
  }
  for (const r of [a, ...middle, c]) await stopChild(r.p);
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  await nats.dispose();
  return { p50_ms: round(percentile(lat, 0.5), 3), p99_ms: round(percentile(lat, 0.99), 3), samples: lat.length };
}
