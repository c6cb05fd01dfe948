/**
 * Topology description in, per-fault figures out: start the processes, connect the clients, wait
 * for a steady state, then run each fault in turn and measure it (measure.ts). Consecutive faults
 * judge consecutive liquidation windows, so every liquidation sent during the run is judged once.
 */
import { startClients, measureFault, waitLive, type BookTruth, type FaultClients, type FaultReport } from './measure.js';
import type { Fault } from './faults.js';
import { startTopology, type Topology, type TopologySpec } from './topology.js';
import { consensusVenues, createAdapter, venueModule } from '../../../libs/venues/index.js';

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

/**
 * The venues a fault run judges, from the registry: the first two simulated perps carry one
 * consensus book each (so a book can be judged exactly against one venue's truth) and a third
 * simulated venue that reports liquidations adds more of them.
 */
function faultVenues(): { books: [VenueFacts, VenueFacts]; liqOnly: VenueFacts } {
  const simulated = consensusVenues().filter((v) => venueModule(v.id).simulator !== undefined && createAdapter(v.id).liquidations.supported);
  const perps = simulated.filter((v) => v.kind === 'perp');
  const [a, b] = perps;
  const extra = simulated.find((v) => v !== a && v !== b);
  if (!a || !b || !extra) throw new Error('fault runs need two simulated perps and a third simulated venue with liquidations in the registry');
  return { books: [a, b], liqOnly: extra };
}

type VenueFacts = ReturnType<typeof consensusVenues>[number];

/**
 * The demo's single-node topology with books that can be judged exactly: each consensus symbol
 * is one venue's book, a third venue adds liquidations only, and the simulator sends many
 * liquidations so short runs judge hundreds.
 */
export function singleNodeSpec(over: Partial<TopologySpec> = {}): TopologySpec {
  const { books, liqOnly } = faultVenues();
  const [btc, eth] = singleNodeBooks();
  return {
    natsNodes: 1,
    venues: [books[0].id, books[1].id, liqOnly.id],
    bases: ['BTC', 'ETH'],
    groups: `BTC-USD@0.1/25=${btc!.venue}:${btc!.venueSymbol};ETH-USD@0.01/25=${eth!.venue}:${eth!.venueSymbol}`,
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

/** BTC-USD is the first book venue's BTC perp, ETH-USD the second's ETH perp. */
export function singleNodeBooks(): BookTruth[] {
  const [a, b] = faultVenues().books;
  return [
    { symbol: 'BTC-USD', venue: a.id, venueSymbol: `BTC-${a.usdQuote}` },
    { symbol: 'ETH-USD', venue: b.id, venueSymbol: `ETH-${b.usdQuote}` },
  ];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type { Topology };
