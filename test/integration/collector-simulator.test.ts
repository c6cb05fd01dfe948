import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { connectBus, asBookMessage, decodeJson, subjects, closeBus } from '../../libs/bus/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import { loadCollectorConfig } from '../../services/collector/config.js';
import { Collector } from '../../services/collector/collector.js';
import { loadSimulatorConfig } from '../../services/simulator/config.js';
import { startSimulator } from '../../services/simulator/simulator.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { BookMirror } from '../helpers/book-mirror.js';
import { waitFor, sleep } from '../helpers/waits.js';

describe('collector against the binance-usdm simulator on real NATS', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let collector: Collector;
  const mirror = new BookMirror();

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectBus({ url: nats.url, name: 'test' });
    sim = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_VENUES: 'binance-usdm', SIM_BOOK_UPDATES_PER_S: '400', SIM_SEED: '7' }));
    const base = sim.server.url;
    nc.subscribe(subjects.book('binance-usdm', 'BTC-USDT'), { callback: (_e, m) => mirror.apply(asBookMessage(decodeJson(m.data))) });
    const config = loadCollectorConfig({
      NATS_URL: nats.url,
      COLLECTOR_VENUES: 'binance-usdm',
      COLLECTOR_DEPTH: '50',
      COLLECTOR_SIMULATOR_URL: base,
      COLLECTOR_PORT: '0',
    });
    collector = new Collector(config, { nc, log: createLogger('collector', 'silent'), registry: createRegistry('collector') });
    await collector.start();
  });

  afterAll(async () => {
    await collector?.stop();
    await closeBus(nc);
    sim?.world.stop();
    await sim?.server.close();
    await nats?.dispose();
  });

  async function truth(depth: number) {
    const r = await fetch(`${sim.server.url}/truth/binance-usdm/BTC-USDT?depth=${depth}`);
    const t = (await r.json()) as { bids: [string, string][]; asks: [string, string][] };
    return { bids: t.bids, asks: t.asks };
  }

  it('publishes a book that equals the simulator truth at the published depth', async () => {
    await waitFor(() => mirror.messages > 80, { timeoutMs: 20_000, what: "80 book messages" });
    // freeze the venue, let the last frames arrive, then compare exactly
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'silence', ms: 10_000 }) });
    await sleep(300);
    expect(mirror.top(50)).toEqual(await truth(50));
    expect(mirror.gaps).toBe(0);
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'resume' }) });
  });

  it('a skipped sequence id resyncs through a REST snapshot and converges to the truth again', async () => {
    const before = mirror.messages;
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'skip_seq' }) });
    await waitFor(() => mirror.messages > before + 100, { timeoutMs: 20_000, what: 'more book messages after the gap' });
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'silence', ms: 10_000 }) });
    await sleep(300);
    expect(mirror.top(50)).toEqual(await truth(50));
    const status = collector.runners[0]!.status();
    expect(status.symbols['BTC-USDT']!.resyncs).toBeGreaterThanOrEqual(1);
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'resume' }) });
  });
});
