/**
 * The collector against a venue's simulator over real sockets and real NATS: books on NATS equal
 * the simulator's truth, trades (and liquidations where the venue has them) arrive, and after a
 * withheld frame NATS comes back to the truth the way that venue recovers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorOnSim, type CollectorOnSim } from '../helpers/collector-on-sim.js';
import { waitFor } from '../helpers/waits.js';

const DEPTH = 50;
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];

interface VenueCase {
  venue: string;
  sim: Record<string, string>;
  collector?: Record<string, string>;
  /** what the venue's liquidations look like; undefined: the venue has none */
  liquidations?: (env: CollectorOnSim) => void;
  /** how the venue shows a withheld frame once NATS is back at the truth */
  afterSkip: (env: CollectorOnSim) => void;
}

const CASES: VenueCase[] = [
  {
    venue: 'binance-spot',
    sim: { SIM_BOOK_UPDATES_PER_S: '300', SIM_TRADES_PER_S: '10' },
    // a skipped id is a gap on each book: a REST resync
    afterSkip: (env) => {
      const status = env.collector.runners[0]!.status();
      for (const s of SYMBOLS) expect(status.symbols[s]!.resyncs, s).toBeGreaterThanOrEqual(1);
    },
  },
  {
    venue: 'bybit-linear',
    sim: { SIM_BOOK_UPDATES_PER_S: '300', SIM_TRADES_PER_S: '10', SIM_LIQUIDATIONS_PER_S: '5' },
    collector: { BYBIT_LINEAR_OPTIONS: JSON.stringify({ depth: DEPTH }) },
    liquidations: (env) => {
      for (const l of env.liquidations) expect(l).toMatchObject({ venue: 'bybit-linear', coverage: 'batched', liquidated: l.side === 'sell' ? 'long' : 'short' });
    },
    // a withheld frame shows as a u jump, yet the next delta brings the book back without a resync
    afterSkip: (env) => {
      const status = env.collector.runners[0]!.status();
      expect(status.symbols['BTC-USDT']!.resyncs).toBe(0);
      expect(status.state).toBe('live');
    },
  },
];

describe.each(CASES)('collector → NATS with the $venue simulator over real sockets', (c) => {
  let env: CollectorOnSim;

  beforeAll(async () => {
    env = await startCollectorOnSim({ venue: c.venue, symbols: SYMBOLS, depth: DEPTH, sim: c.sim, ...(c.collector ? { collector: c.collector } : {}) });
  });
  afterAll(async () => env?.stop());

  it('books on NATS equal the truth; trades arrive with the taker side; liquidations as the venue has them', async () => {
    await waitFor(() => [...env.mirrors.values()].every((m) => m.messages > 40), { timeoutMs: 20_000, what: '40 book messages per symbol' });
    if (c.liquidations) await waitFor(() => env.liquidations.length > 2, { timeoutMs: 10_000, what: 'liquidations' });
    await env.frozen(() => env.expectAllMatch(DEPTH));
    expect(env.trades.length).toBeGreaterThan(0);
    expect(env.trades.every((t) => t.venue === c.venue && (t.side === 'buy' || t.side === 'sell'))).toBe(true);
    if (c.liquidations) c.liquidations(env);
    else {
      expect(env.liquidations).toEqual([]);
      expect(env.collector.runners[0]!.status().capabilities).toMatchObject({ liquidations: false });
    }
  });

  it('after a withheld frame NATS converges to the truth again', async () => {
    const before = [...env.mirrors.values()].map((m) => m.messages);
    await env.control('skip_seq');
    await waitFor(() => [...env.mirrors.values()].every((m, i) => m.messages > before[i]! + 30), { timeoutMs: 20_000, what: 'book messages after the skip' });
    await env.frozen(() => env.expectAllMatch(DEPTH));
    c.afterSkip(env);
  });
});
