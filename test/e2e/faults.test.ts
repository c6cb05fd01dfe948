/**
 * Fault switches of the simulator drive the consensus rules end to end, and each alert reaches a
 * widget on the gateway's WebSocket: silence → STALE within the threshold + 1 s, resume →
 * RECOVERED, shift_price → DIVERGENCE, resume → CONVERGED, drop → the venue comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type TestNats } from '../helpers/nats.js';
import { JsonSocket } from '../helpers/ws-json.js';
import { main as simulatorMain } from '../../services/simulator/main.js';
import { main as collectorMain } from '../../services/collector/main.js';
import { main as mergerMain } from '../../services/merger/main.js';
import { main as gatewayMain } from '../../services/gateway/main.js';

type Running = { stop(): Promise<void>; listening: Record<string, string> };
interface Msg {
  type: string;
  payload: { kind?: string; venue?: string; symbol?: string; ts?: number; venues?: Record<string, { stale: boolean; state: string }> };
}

const KEY = 'faults';
const STALE_MS = 2000;
const VENUES = ['binance-usdm', 'binance-spot', 'bybit-linear'];

describe('fault switches → consensus alerts on the gateway WebSocket', () => {
  let nats: TestNats;
  const parts: Running[] = [];
  let simUrl = '';
  let ws: JsonSocket;

  const control = (body: Record<string, unknown>) => fetch(`${simUrl}/control`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
  const alert = (kind: string, venue: string, after: number, timeoutMs: number) =>
    ws.next<Msg>((m) => m.type === 'ALERT' && m.payload.kind === kind && m.payload.venue === venue && ws.messages.indexOf(m) >= after, timeoutMs, `${kind} for ${venue}`);

  beforeAll(async () => {
    nats = await startNats();
    const base = { NATS_URL: nats.url, LOG_LEVEL: 'warn' };
    const sim = await simulatorMain({ ...base, SIM_PORT: '0', SIM_VENUES: VENUES.join(','), SIM_BASES: 'BTC', SIM_SEED: '5' });
    parts.push(sim);
    simUrl = sim.listening['control']!.replace(/\/control$/, '');
    const gateway = await gatewayMain({ ...base, GATEWAY_PORT: '0', GATEWAY_API_KEYS: KEY, GATEWAY_SYMBOLS: 'BTC-USD' });
    parts.push(gateway);
    parts.push(
      await mergerMain({
        ...base,
        MERGER_PORT: '0',
        CONSENSUS_GROUPS: `BTC-USD@0.1/25=${VENUES.join(',')}`,
        STALE_AFTER_MS: String(STALE_MS),
        DIVERGENCE_MIN_MS: '200',
      }),
    );
    parts.push(await collectorMain({ ...base, COLLECTOR_PORT: '0', COLLECTOR_VENUES: VENUES.join(','), COLLECTOR_BASES: 'BTC', COLLECTOR_SIMULATOR_URL: simUrl, BYBIT_LINEAR_SILENCE_MS: '30000' }));
    ws = new JsonSocket(`${gateway.listening['ws']}?token=${KEY}&symbols=BTC-USD&depth=10`);
    await ws.open();
    // all three venues live in the consensus before any fault
    await ws.next<Msg>((m) => m.type === 'SNAPSHOT' || m.type === 'BOOK', 20_000, 'a book');
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await nats?.dispose();
  });

  it('silence → STALE within the threshold + 1 s; resume → RECOVERED', async () => {
    const mark = ws.messages.length;
    const t0 = Date.now();
    await control({ venue: 'bybit-linear', action: 'silence', ms: 60_000 });
    const stale = await alert('STALE', 'bybit-linear', mark, STALE_MS + 4000);
    expect(Date.now() - t0).toBeLessThanOrEqual(STALE_MS + 1000 + 500); // + the 100 ms push cadence and test slack
    expect(stale.payload.symbol).toBe('BTC-USD');
    const mark2 = ws.messages.length;
    await control({ venue: 'bybit-linear', action: 'resume' });
    await alert('RECOVERED', 'bybit-linear', mark2, 5000);
  });

  it('shift_price → DIVERGENCE; resume → CONVERGED', async () => {
    const mark = ws.messages.length;
    await control({ venue: 'binance-spot', action: 'shift_price', bps: 80 });
    await alert('DIVERGENCE', 'binance-spot', mark, 5000);
    const mark2 = ws.messages.length;
    await control({ venue: 'binance-spot', action: 'resume' });
    await alert('CONVERGED', 'binance-spot', mark2, 5000);
  });

  it('drop → the venue reconnects with backoff and its book recovers', async () => {
    const mark = ws.messages.length;
    await control({ venue: 'binance-usdm', action: 'drop' });
    // the collector publishes `down` at once: stale without waiting for the threshold
    await alert('STALE', 'binance-usdm', mark, STALE_MS + 2000);
    await alert('RECOVERED', 'binance-usdm', mark, 10_000);
  });
});
