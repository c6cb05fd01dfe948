/**
 * The real collector against the real simulator on real NATS, for one venue: what reached NATS
 * (a BookMirror per canonical symbol, plus trades and liquidations) can be compared with the
 * simulator's truth. Everything binds free loopback ports.
 */
import type { NatsConnection } from 'nats';
import { expect } from 'vitest';
import { asBookMessage, closeBus, connectBus, decodeJson, subjects } from '../../libs/bus/index.js';
import type { LiquidationMessage, TradeMessage } from '../../libs/core/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import { loadCollectorConfig, venueEnvPrefix } from '../../services/collector/config.js';
import { Collector } from '../../services/collector/collector.js';
import { loadSimulatorConfig } from '../../services/simulator/config.js';
import { startSimulator } from '../../services/simulator/simulator.js';
import { BookMirror } from './book-mirror.js';
import { startNats, type TestNats } from './nats.js';
import { sleep } from './waits.js';

export interface CollectorOnSim {
  collector: Collector;
  mirrors: Map<string, BookMirror>;
  trades: TradeMessage[];
  liquidations: LiquidationMessage[];
  control(action: string, extra?: Record<string, unknown>): Promise<void>;
  truth(symbol: string, depth: number): Promise<{ bids: [string, string][]; asks: [string, string][] }>;
  /** silence the venue, let the last frames land, run `check`, resume */
  frozen<T>(check: () => Promise<T>): Promise<T>;
  /** every mirrored book equals the truth's top `depth`, with no seq gap seen (run it frozen) */
  expectAllMatch(depth: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startCollectorOnSim(opts: { venue: string; symbols: string[]; depth: number; sim?: Record<string, string>; collector?: Record<string, string> }): Promise<CollectorOnSim> {
  const nats: TestNats = await startNats();
  const nc: NatsConnection = await connectBus({ url: nats.url, name: 'test' });
  const sim = await startSimulator(loadSimulatorConfig({ SIM_PORT: '0', SIM_VENUES: opts.venue, SIM_SEED: '7', ...opts.sim }));
  const base = sim.server.url;
  const mirrors = new Map<string, BookMirror>();
  const trades: TradeMessage[] = [];
  const liquidations: LiquidationMessage[] = [];
  for (const s of opts.symbols) {
    const m = new BookMirror();
    mirrors.set(s, m);
    nc.subscribe(subjects.book(opts.venue, s), { callback: (_e, msg) => m.apply(asBookMessage(decodeJson(msg.data))) });
  }
  nc.subscribe(subjects.venueTrades(opts.venue), { callback: (_e, msg) => trades.push(decodeJson(msg.data) as TradeMessage) });
  nc.subscribe(subjects.venueLiqs(opts.venue), { callback: (_e, msg) => liquidations.push(decodeJson(msg.data) as LiquidationMessage) });
  const p = venueEnvPrefix(opts.venue);
  const config = loadCollectorConfig({
    NATS_URL: nats.url,
    COLLECTOR_VENUES: opts.venue,
    COLLECTOR_DEPTH: String(opts.depth),
    [`${p}_WS_URL`]: `${base.replace('http', 'ws')}/${opts.venue}`,
    [`${p}_REST_URL`]: `${base}/${opts.venue}`,
    COLLECTOR_PORT: '0',
    ...opts.collector,
  });
  const collector = new Collector(config, { nc, log: createLogger('collector', 'silent'), registry: createRegistry('collector') });
  await collector.start();
  const control = async (action: string, extra: Record<string, unknown> = {}) => {
    const r = await fetch(`${base}/control`, { method: 'POST', body: JSON.stringify({ venue: opts.venue, action, ...extra }) });
    if (!r.ok) throw new Error(`control ${action}: HTTP ${r.status}`);
  };
  const truth = async (symbol: string, depth: number) => {
    const r = await fetch(`${base}/truth/${opts.venue}/${symbol}?depth=${depth}`);
    const t = (await r.json()) as { bids: [string, string][]; asks: [string, string][] };
    return { bids: t.bids, asks: t.asks };
  };
  return {
    collector,
    mirrors,
    trades,
    liquidations,
    control,
    truth,
    async frozen(check) {
      // silent until the resume below, however long the check takes under load
      await control('silence', { ms: 60_000 });
      await sleep(300);
      try {
        return await check();
      } finally {
        await control('resume');
      }
    },
    async expectAllMatch(depth) {
      for (const [sym, m] of mirrors) {
        expect(m.top(depth), sym).toEqual(await truth(sym, depth));
        expect(m.gaps, sym).toBe(0);
      }
    },
    async stop() {
      await collector.stop();
      await closeBus(nc);
      sim.world.stop();
      await sim.server.close();
      await nats.dispose();
    },
  };
}
