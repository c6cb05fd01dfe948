/**
 * What the firehose integration tests share: a real NATS (test/helpers/nats.ts), a firehose
 * in-process on port 0, a publisher playing the merger, and a WebSocket client that records
 * everything it is sent and how it was closed.
 */
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { closeBus, connectBus, encode, subjects } from '../../libs/bus/index.js';
import type { LiquidationMessage } from '../../libs/core/index.js';
import { createLogger, createRegistry, type Registry } from '../../libs/obs/index.js';
import { loadFirehoseConfig } from '../../services/firehose/config.js';
import { createFirehose, type Firehose } from '../../services/firehose/firehose.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';
import { sampleLiquidation } from '../helpers/sample-liquidation.js';

export const API_KEY = 'test-key-1';

export interface Running {
  nats: TestNats;
  /** the merger's connection (publishes) */
  pub: NatsConnection;
  /** the firehose's connection */
  nc: NatsConnection;
  firehose: Firehose;
  registry: Registry;
  url(path: string): string;
  stop(): Promise<void>;
}

export async function startFirehose(env: Record<string, string> = {}, nats?: TestNats): Promise<Running> {
  const n = nats ?? (await startNats());
  const config = loadFirehoseConfig({ NATS_URL: n.url, FIREHOSE_PORT: '0', FIREHOSE_API_KEYS: API_KEY, LOG_LEVEL: 'silent', ...env });
  const pub = await connectBus({ url: n.url, name: 'test-merger' });
  const nc = await connectBus({ url: n.url, name: 'test-firehose' });
  const registry = createRegistry('firehose');
  const firehose = createFirehose(config, { nc, log: createLogger('firehose', 'silent'), registry });
  await firehose.start();
  return {
    nats: n,
    pub,
    nc,
    firehose,
    registry,
    url: (path) => `ws://127.0.0.1:${firehose.port}${path}`,
    stop: async () => {
      await firehose.stop();
      await closeBus(nc);
      await closeBus(pub);
      if (!nats) await n.dispose();
    },
  };
}

/** A firehose (on a NATS of its own) for the running test, stopped when the test finishes. */
export async function firehoseForTest(env: Record<string, string> = {}): Promise<Running> {
  const h = await startFirehose(env);
  onTestFinished(() => h.stop());
  return h;
}

/** The n-th synthetic liquidation: venue and symbol rotate so filters have something to pick. */
export function liq(n: number, tag = 'liq'): LiquidationMessage {
  return sampleLiquidation(n, `${tag}-${n}`, 1_763_800_000_000 + n);
}

/** Publish as the merger does: JetStream, Nats-Msg-Id = id; resolves once stored. */
export async function publishLiqs(pub: NatsConnection, msgs: LiquidationMessage[]): Promise<number[]> {
  const js = pub.jetstream();
  const acks = [];
  for (const m of msgs) acks.push(js.publish(subjects.consensusLiq(), encode(m), { msgID: m.id }));
  return (await Promise.all(acks)).map((a) => a.seq);
}

/** Fire-and-forget publish (core NATS into the stream), for load. */
export function publishFast(pub: NatsConnection, m: LiquidationMessage): void {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', m.id);
  pub.publish(subjects.consensusLiq(), encode(m), { headers: h });
}

export interface Client {
  ws: WebSocket;
  /** every text message, parsed */
  messages: Record<string, unknown>[];
  liqs(): { id: string; seq: number }[];
  closed: Promise<{ code: number; reason: string }>;
  send(text: string | Buffer): void;
  close(): void;
}

export async function connectClient(url: string, opts: { key?: string | undefined; header?: boolean } = {}): Promise<Client> {
  const key = opts.key === undefined && !('key' in opts) ? API_KEY : opts.key;
  const headers: Record<string, string> = {};
  let target = url;
  if (key !== undefined) {
    if (opts.header) headers['X-API-KEY'] = key;
    else target += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(key)}`;
  }
  const ws = new WebSocket(target, { headers, perMessageDeflate: false });
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    liqs: () => messages.filter((m) => typeof m['seq'] === 'number' && m['type'] === undefined) as unknown as { id: string; seq: number }[],
    closed,
    send: (t) => ws.send(t),
    close: () => ws.close(),
  };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const want = Object.entries(labels);
  return (m?.values ?? []).filter((v) => want.every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x)).reduce((s, v) => s + v.value, 0);
}

export async function waitForLiqs(c: Client, n: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => c.liqs().length >= n, { timeoutMs, what: `${n} liquidations (got ${c.liqs().length})` });
}
