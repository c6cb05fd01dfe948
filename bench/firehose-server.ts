/**
 * The server side of the firehose benchmark, in its own process so its CPU and RSS are its own:
 *   firehose  the real service (createFirehose, default limits, the bench API key)
 *   baseline  bare `ws`: the same log read the same way, each frame built once, one corked write
 *             per client per batch (the "bare ws broadcast with batched writes" of issue 6)
 *
 * IPC in: {mode, natsUrl} then 'stop'. IPC out: {port} when listening, then {rssMaxMb,
 * slowDropped (by reason), cpuCores, handoverP99Ms, clientLagP99Ms} (CPU time over wall time since
 * listening; the firehose's own publish → socket hand-over p99, as the upper bound of its
 * histogram bucket).
 */
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { closeBus, connectBus, DEFAULT_LIQ_RETENTION_MS } from '../libs/bus/index.js';
import { createLogger, createRegistry } from '../libs/obs/index.js';
import { loadFirehoseConfig } from '../services/firehose/config.js';
import { createFirehose } from '../services/firehose/firehose.js';
import { decodeEntry, liqStreamInfo, logConsumer, PULL_BATCH } from '../services/firehose/liq-log.js';

export const BENCH_KEY = 'bench-key';

export interface ServerJob {
  mode: 'firehose' | 'baseline';
  natsUrl: string;
}

interface Running {
  port: number;
  /** clients closed as slow consumers, by the bound that closed them (the metric's `reason`) */
  slowDropped(): Promise<Record<string, number>>;
  /** p99 of bookfuse_firehose_publish_to_write_seconds as a bucket bound, in ms (firehose only) */
  handoverP99Ms(): Promise<number | null>;
  /** p99 of bookfuse_firehose_client_lag_seconds (the lag probes' round trips) as a bucket bound, in ms */
  clientLagP99Ms(): Promise<number | null>;
  stop(): Promise<void>;
}

async function startFirehose(natsUrl: string): Promise<Running> {
  // FIREHOSE_* settings from the environment apply (e.g. to try other queue caps); the rest is fixed
  const tuning = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('FIREHOSE_')));
  const config = loadFirehoseConfig({ ...tuning, NATS_URL: natsUrl, FIREHOSE_PORT: '0', FIREHOSE_API_KEYS: BENCH_KEY, FIREHOSE_IDLE_TIMEOUT_MS: '600000', LOG_LEVEL: 'warn' });
  const nc = await connectBus({ url: natsUrl, name: 'bench-firehose' });
  const registry = createRegistry('firehose');
  const firehose = createFirehose(config, { nc, log: createLogger('firehose', 'warn'), registry });
  await firehose.start();
  return {
    port: firehose.port,
    slowDropped: async () => {
      const m = await registry.getSingleMetric('bookfuse_firehose_slow_consumers_dropped_total')?.get();
      const by: Record<string, number> = {};
      for (const v of m?.values ?? []) by[String(v.labels['reason'])] = (by[String(v.labels['reason'])] ?? 0) + v.value;
      return by;
    },
    handoverP99Ms: () => histogramP99Ms(registry, 'bookfuse_firehose_publish_to_write_seconds'),
    clientLagP99Ms: () => histogramP99Ms(registry, 'bookfuse_firehose_client_lag_seconds'),
    stop: async () => {
      await firehose.stop();
      await closeBus(nc);
    },
  };
}

/**
 * The bar issue 6 sets: a bare `ws` broadcast of pre-serialized frames with per-connection
 * batched writes. It reads the same JetStream log the same way (the firehose's `logConsumer`,
 * each entry decoded and framed once), and for every batch that arrived together writes the
 * frames to each client's socket in one corked write. No queue, no caps, no slow-client handling: only the
 * fan-out cost remains, so the ratio isolates what the firehose's safety costs.
 */
async function startBaseline(natsUrl: string): Promise<Running> {
  const nc = await connectBus({ url: natsUrl, name: 'bench-baseline' });
  const info = await liqStreamInfo(nc, DEFAULT_LIQ_RETENTION_MS);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const sockets = new Set<Socket>();
  wss.on('connection', (ws) => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    sockets.add(socket);
    ws.on('close', () => sockets.delete(socket));
  });
  let pending: Buffer[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const frames = pending;
    pending = [];
    for (const socket of sockets) {
      if (socket.destroyed) continue;
      socket.cork();
      for (const f of frames) socket.write(f);
      socket.uncork();
    }
  };
  const consumer = await logConsumer(nc, info.state.last_seq + 1, info.config.num_replicas);
  const messages = await consumer.consume({ max_messages: PULL_BATCH });
  void (async () => {
    for await (const m of messages) {
      const item = decodeEntry(m);
      if (!item) continue;
      pending.push(item.frame);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }
  })();
  return {
    port: (wss.address() as { port: number }).port,
    slowDropped: async () => ({}),
    handoverP99Ms: async () => null,
    clientLagP99Ms: async () => null,
    stop: async () => {
      messages.stop();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await closeBus(nc);
    },
  };
}

/** p99 of a prom-client histogram, as the upper bound of the bucket it falls in */
async function histogramP99Ms(registry: ReturnType<typeof createRegistry>, name: string): Promise<number | null> {
  const m = await registry.getSingleMetric(name)?.get();
  const buckets = (m?.values ?? []).filter((v) => (v as { metricName?: string }).metricName?.endsWith('_bucket'));
  const total = buckets.find((v) => v.labels['le'] === '+Inf')?.value ?? 0;
  if (!total) return null;
  const hit = buckets.find((v) => v.value >= 0.99 * total);
  return hit ? Number(hit.labels['le']) * 1000 : null;
}

process.once('message', (job: ServerJob) => {
  void (async () => {
    const server = job.mode === 'firehose' ? await startFirehose(job.natsUrl) : await startBaseline(job.natsUrl);
    let rssMax = process.memoryUsage.rss();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 100);
    process.once('message', () => {
      void (async () => {
        clearInterval(sampler);
        const slowDropped = await server.slowDropped();
        const handoverP99Ms = await server.handoverP99Ms();
        const clientLagP99Ms = await server.clientLagP99Ms();
        const rssMaxMb = rssMax / 2 ** 20;
        const cpu = process.cpuUsage(cpu0);
        const cpuCores = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
        await server.stop();
        process.send!({ rssMaxMb, slowDropped, cpuCores, handoverP99Ms, clientLagP99Ms }, () => process.exit(0));
      })();
    });
    process.send!({ port: server.port });
  })().catch((e: unknown) => {
    process.stderr.write(`bench server: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
});
