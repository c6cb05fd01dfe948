/**
 * The whole chain in this process, each service started by its own `main(env)` as the CLI does:
 * simulator → collector → NATS → merger → gateway and firehose, every port free and on loopback.
 * The contract tests record real traffic from it and scrape every service's /metrics.
 */
import { startNats, type TestNats } from '../helpers/nats.js';
import { main as collectorMain } from '../../services/collector/main.js';
import { main as firehoseMain } from '../../services/firehose/main.js';
import { main as gatewayMain } from '../../services/gateway/main.js';
import { main as mergerMain } from '../../services/merger/main.js';
import { main as simulatorMain } from '../../services/simulator/main.js';
import { waitFor } from '../helpers/waits.js';

export const KEY = 'contract-key';

export interface Chain {
  nats: TestNats;
  /** http://host:port of each service: sim, collector, merger (ops servers), gateway, firehose */
  urls: { sim: string; collector: string; merger: string; gateway: string; firehose: string };
  control(venue: string, action: string, extra?: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  stop(): Promise<void>;
  listening: Record<string, string>;
}

const origin = (u: string): string => new URL(u).origin;

export async function startChain(env: Record<string, string> = {}): Promise<Chain> {
  const nats = await startNats();
  const running: Running[] = [];
  const common = { NATS_URL: nats.url, LOG_LEVEL: 'silent', ...env };
  const start = async (m: (e: NodeJS.ProcessEnv) => Promise<Running>, e: Record<string, string>): Promise<Running> => {
    const r = await m({ ...common, ...e });
    running.push(r);
    return r;
  };
  try {
    const sim = (await start(simulatorMain, { SIM_PORT: '0', SIM_SEED: '7', SIM_LIQUIDATIONS_PER_S: '3', SIM_TRADES_PER_S: '5' })) as Running & { server: { url: string } };
    const collector = await start(collectorMain, { COLLECTOR_PORT: '0', COLLECTOR_SIMULATOR_URL: sim.server.url });
    // 1 s windows: window prices (#16.5) happen within the recording
    const merger = await start(mergerMain, { MERGER_PORT: '0', STALE_AFTER_MS: '1500', DIVERGENCE_MIN_MS: '100', WINDOW_TYPES: '1s,5m' });
    const firehose = await start(firehoseMain, { FIREHOSE_PORT: '0', FIREHOSE_API_KEYS: KEY });
    const gateway = await start(gatewayMain, { GATEWAY_PORT: '0', GATEWAY_API_KEYS: KEY, GATEWAY_HEARTBEAT_MS: '300', WINDOW_TYPES: '1s,5m' });
    const urls = {
      sim: sim.server.url,
      collector: origin(collector.listening['collector']!),
      merger: origin(merger.listening['merger']!),
      gateway: origin(gateway.listening['http']!),
      firehose: origin(firehose.listening['firehose']!),
    };
    const control = async (venue: string, action: string, extra: Record<string, unknown> = {}) => {
      const r = await fetch(`${urls.sim}/control`, { method: 'POST', body: JSON.stringify({ venue, action, ...extra }) });
      if (!r.ok) throw new Error(`control ${venue} ${action}: HTTP ${r.status}`);
    };
    const stop = async () => {
      for (const r of running.reverse()) await r.stop();
      await nats.dispose();
    };
    // ready = every service says so (the gateway: a consensus book for every symbol)
    await waitFor(async () => (await Promise.all([urls.collector, urls.merger, urls.gateway].map(async (u) => (await fetch(`${u}/readyz`)).ok))).every(Boolean), { timeoutMs: 30_000, what: 'the chain to be ready' });
    return { nats, urls, control, stop };
  } catch (e) {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    await nats.dispose();
    throw e;
  }
}
