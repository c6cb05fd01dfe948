/**
 * Topology description in, per-fault figures out: start the processes, connect the clients, wait
 * for a steady state, then run each fault in turn and measure it (measure.ts). Consecutive faults
 * judge consecutive liquidation windows, so every liquidation sent during the run is judged once.
 */
import { startClients, measureFault, waitLive, type BookTruth, type FaultClients, type FaultReport } from './measure.js';
import type { Fault } from './faults.js';
import { startTopology, type Topology, type TopologySpec } from './topology.js';
import { createAdapter, venueIds, venueModule } from '../../../libs/venues/index.js';

export interface FaultRunOptions {
  spec: TopologySpec;
  faults: Fault[];
  /** consensus symbols whose books must equal one venue's truth */
  books: BookTruth[];
  depth?: number;
  followers?: number;
  readers?: number;
  /** steady running before the first fault (ms) */
  warmupMs?: number;
  /** pause between faults (ms) */
  betweenMs?: number;
  /** called after each fault (progress output) */
  onFault?: (r: FaultReport) => void;
}

export interface FaultRun {
  reports: FaultReport[];
  /** where the processes logged */
  logDir: string;
}

export async function runFaults(o: FaultRunOptions): Promise<FaultRun> {
  const t = await startTopology(o.spec);
  let clients: FaultClients | undefined;
  try {
    const depth = o.depth ?? 25;
    clients = await startClients(t, { followers: o.followers ?? 2, readers: o.readers ?? 2, symbols: o.spec.symbols, depth, token: o.spec.apiKey });
    if (!(await waitLive(clients, 60_000))) throw new Error(`clients not live within 60 s; logs in ${t.logDir}`);
    await sleep(o.warmupMs ?? 2000);
    const reports: FaultReport[] = [];
    let since = Date.now() - 1000;
    for (const fault of o.faults) {
      const r = await measureFault(t, clients, fault, { books: o.books, depth, since });
      since = r.window.until + 1;
      reports.push(r);
      o.onFault?.(r);
      await sleep(o.betweenMs ?? 1000);
    }
    return { reports, logDir: t.logDir };
  } finally {
    clients?.stop();
    await t.stop();
  }
}

/** The simulated venues that publish liquidations, in registry order (binance-usdm, bybit-linear, okx-swap). */
export function liquidationVenues(): string[] {
  return venueIds().filter((v) => venueModule(v).simulator !== undefined && createAdapter(v).liquidations.supported);
}

/**
 * The books a fault run can judge exactly: each consensus symbol is one venue's book (BTC-USD =
 * the first liquidation venue's BTC-USDT, ETH-USD = the second's ETH-USDT; ticks 0.1 and 0.01
 * as those venues list them, so no level is bucketed).
 */
export function singleVenueBooks(venues = liquidationVenues()): BookTruth[] {
  const [a, b = a] = venues;
  if (!a) throw new Error('no simulated venue publishes liquidations');
  return [
    { symbol: 'BTC-USD', venue: a, venueSymbol: 'BTC-USDT' },
    { symbol: 'ETH-USD', venue: b!, venueSymbol: 'ETH-USDT' },
  ];
}

/**
 * The demo's single-node topology with books that can be judged exactly (singleVenueBooks); the
 * other liquidation venues add liquidations only, and the simulator sends many (5 per second per
 * instrument) so short runs judge hundreds.
 */
export function singleNodeSpec(over: Partial<TopologySpec> = {}): TopologySpec {
  const venues = liquidationVenues();
  const [btc, eth] = singleVenueBooks(venues);
  return {
    natsNodes: 1,
    venues,
    bases: ['BTC', 'ETH'],
    groups: `BTC-USD@0.1/25=${btc!.venue}:BTC-USDT;ETH-USD@0.01/25=${eth!.venue}:ETH-USDT`,
    symbols: ['BTC-USD', 'ETH-USD'],
    collectors: 1,
    mergers: 1,
    gateways: 1,
    firehoses: 1,
    apiKey: 'faults',
    sim: { SIM_SEED: '7', SIM_BOOK_UPDATES_PER_S: '40', SIM_LIQUIDATIONS_PER_S: '5' },
    ...over,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type { Topology };
