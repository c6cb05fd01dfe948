/**
 * The liquidation streams on real NATS: LIQ_REPLICAS applied and reconciled where NATS allows
 * (a three-node cluster scales a stream in place; a single server keeps one replica and says
 * why), and the collector's bounded buffer: while NATS is away liquidations wait, the oldest are
 * dropped and counted when it is full, and the rest reach the stream in order once NATS is back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { closeBus, connectBus, ensureLiqStream, ensureVenueLiqStream, LIQ_STREAM, startNatsCluster, VENUE_LIQ_STREAM, waitForJetStream } from '../../libs/bus/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import type { LiquidationMessage } from '../../libs/core/index.js';
import { LiqPublisher } from '../../services/collector/liq-publisher.js';
import { createCollectorMetrics } from '../../services/collector/metrics.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';

const liq = (i: number): LiquidationMessage => ({ v: 1, venue: 'bybit-linear', symbol: 'BTC-USDT', id: `BTCUSDT-${1000 + i}-sell-100-${i}`, side: 'sell', liquidated: 'long', price: '100', qty: String(i), notional_usd: '0', coverage: 'batched', ts: 1000 + i, recv_ts: 1000 + i });

describe('liquidation streams', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  });

  it('a single server keeps one replica when asked for three, and says why; retention is reconciled', async () => {
    const nats = await startNats();
    cleanup.push(() => nats.dispose());
    const nc = await connectBus({ url: nats.url, name: 'streams-test' });
    cleanup.push(() => closeBus(nc));
    const r = await ensureVenueLiqStream(nc, { replicas: 3 });
    expect(r.replicas).toBe(1);
    expect(r.problem).toMatch(/1 replica/);
    await ensureLiqStream(nc, { maxAgeMs: 60_000 });
    await ensureLiqStream(nc, { maxAgeMs: 120_000 });
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(LIQ_STREAM)).config.max_age).toBe(120_000 * 1_000_000);
    expect((await jsm.streams.info(VENUE_LIQ_STREAM)).config.num_replicas).toBe(1);
  });

  it('on a three-node cluster LIQ_REPLICAS=3 scales an existing one-replica stream to three', async () => {
    const cluster = await startNatsCluster();
    cleanup.push(() => cluster.dispose());
    await waitForJetStream(cluster.url);
    const nc = await connectBus({ url: cluster.url, name: 'streams-cluster-test' });
    cleanup.push(() => closeBus(nc));
    // a young cluster may still be placing its first stream: the services retry, so does the test
    const first = await waitFor(() => ensureVenueLiqStream(nc, { replicas: 1 }), { timeoutMs: 20_000, what: 'the stream created on the cluster' });
    expect(first.replicas).toBe(1);
    const r = await ensureVenueLiqStream(nc, { replicas: 3 });
    expect(r).toMatchObject({ replicas: 3 });
    expect(r.problem).toBeUndefined();
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(VENUE_LIQ_STREAM)).config.num_replicas).toBe(3);
  }, 60_000);

  it('the collector holds liquidations while NATS is away, drops the oldest over its bound, and delivers the rest in order', async () => {
    const nats: TestNats = await startNats();
    cleanup.push(() => nats.dispose());
    const nc: NatsConnection = await connectBus({ url: nats.url, name: 'publisher-test' });
    cleanup.push(() => closeBus(nc));
    await ensureVenueLiqStream(nc);
    const registry = createRegistry('collector');
    const metrics = createCollectorMetrics(registry);
    const pub = new LiqPublisher(nc, { capacity: 100, replicas: 1, ackTimeoutMs: 300 }, createLogger('collector', 'silent'), metrics);
    cleanup.push(async () => pub.stop());
    pub.publish(liq(0));
    await waitFor(() => pub.buffered === 0, { what: 'the first liquidation acknowledged' });

    await nats.stop();
    for (let i = 1; i <= 150; i++) pub.publish(liq(i));
    expect(pub.buffered).toBe(100);
    const dropped = await registry.getSingleMetricAsString('bookfuse_collector_liq_dropped_total');
    expect(dropped).toMatch(/bookfuse_collector_liq_dropped_total\{venue="bybit-linear"[^}]*\} 50/);
    await new Promise((r) => setTimeout(r, 800));
    await nats.start();
    await waitFor(() => pub.buffered === 0, { timeoutMs: 15_000, what: 'the buffer drained after NATS came back' });
    expect(await registry.getSingleMetricAsString('bookfuse_collector_liq_publish_retries_total')).toMatch(/reason="(timeout|no_stream|error)"/);

    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(VENUE_LIQ_STREAM);
    const ids: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) ids.push((await jsm.streams.getMessage(VENUE_LIQ_STREAM, { seq })).json<LiquidationMessage>().id);
    // liq 0 before the outage; 1..50 dropped (the oldest), 51..150 in order, each once
    expect(ids).toEqual([0, ...Array.from({ length: 100 }, (_, i) => 51 + i)].map((i) => liq(i).id));
  }, 60_000);
});
