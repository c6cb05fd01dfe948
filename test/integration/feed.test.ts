/**
 * The venue feed against a real (simulated) venue socket: a silent socket is detected and
 * replaced, a dropped one comes back after a jittered backoff, subscriptions are re-sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../libs/obs/index.js';
import { Feed } from '../../libs/venues/index.js';
import { loadSimulatorConfig } from '../../services/simulator/config.js';
import { startSimulator } from '../../services/simulator/simulator.js';
import { waitFor } from '../helpers/waits.js';

describe('venue feed', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let wsBase = '';

  beforeAll(async () => {
    sim = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_VENUES: 'binance-usdm', SIM_BASES: 'BTC' }));
    wsBase = `${sim.server.url.replace('http', 'ws')}/binance-usdm`;
  });
  afterAll(async () => {
    sim.world.stop();
    await sim.server.close();
  });

  function feed(silenceMs: number, random = () => 0.5) {
    const events: { at: number; what: string }[] = [];
    const f = new Feed({
      url: `${wsBase}/public/stream?streams=btcusdt@depth@100ms`,
      subscribe: [JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1 })],
      heartbeat: { kind: 'server-ping' },
      silenceMs,
      random,
      log: createLogger('feed-test', 'silent'),
      onOpen: () => events.push({ at: Date.now(), what: 'open' }),
      onFrame: (text) => events.push({ at: Date.now(), what: text.includes('"result"') ? 'ack' : 'frame' }),
      onClose: (reason) => events.push({ at: Date.now(), what: `close:${reason}` }),
    });
    return { f, events };
  }

  it('treats a subscribed-but-silent socket as dead and reconnects', async () => {
    const { f, events } = feed(600);
    f.start();
    await waitFor(() => events.some((e) => e.what === 'frame'), { what: 'a depth frame' });
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'silence', ms: 1500 }) });
    await waitFor(() => events.some((e) => e.what === 'close:SILENT_FEED'), { timeoutMs: 3000, what: 'SILENT_FEED' });
    await waitFor(() => events.filter((e) => e.what === 'open').length >= 2, { timeoutMs: 4000, what: 'a second connection' });
    // the subscription is sent again on the new socket (its ack comes back)
    await waitFor(() => events.filter((e) => e.what === 'ack').length >= 2, { timeoutMs: 2000, what: 'a second subscribe ack' });
    f.stop();
    await waitFor(() => events.at(-1)!.what === 'close:STOPPED', { timeoutMs: 2000, what: 'close:STOPPED after stop()' });
  });

  it('after a drop waits a jittered backoff (1 s ± 500 ms) before reconnecting', async () => {
    const { f, events } = feed(10_000, () => 0.9); // +400 ms of jitter
    f.start();
    await waitFor(() => events.some((e) => e.what === 'frame'), { what: 'a depth frame' });
    await fetch(`${sim.server.url}/control`, { method: 'POST', body: JSON.stringify({ venue: 'binance-usdm', action: 'drop' }) });
    await waitFor(() => events.filter((e) => e.what === 'open').length >= 2, { timeoutMs: 4000, what: 'a reconnect' });
    const closed = events.find((e) => e.what === 'close:CONNECTION_LOST')!;
    const reopened = events.filter((e) => e.what === 'open')[1]!;
    expect(reopened.at - closed.at).toBeGreaterThanOrEqual(1300);
    expect(reopened.at - closed.at).toBeLessThan(2200);
    f.stop();
  });
});
