import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorOnSim, type CollectorOnSim } from '../helpers/collector-on-sim.js';
import { waitFor } from '../helpers/waits.js';

const DEPTH = 50;

describe('collector → NATS with the bybit-linear simulator over real sockets', () => {
  let env: CollectorOnSim;

  beforeAll(async () => {
    env = await startCollectorOnSim({
      venue: 'bybit-linear',
      symbols: ['BTC-USDT', 'ETH-USDT'],
      depth: DEPTH,
      sim: { SIM_BOOK_UPDATES_PER_S: '300', SIM_TRADES_PER_S: '10', SIM_LIQUIDATIONS_PER_S: '5' },
      collector: { BYBIT_LINEAR_OPTIONS: JSON.stringify({ depth: DEPTH }) },
    });
  });
  afterAll(async () => env?.stop());


  it('orderbook.50 books on NATS equal the top 50 of the truth; trades and batched liquidations arrive', async () => {
    await waitFor(() => [...env.mirrors.values()].every((m) => m.messages > 40), { timeoutMs: 20_000, what: '40 book messages per symbol' });
    await waitFor(() => env.liquidations.length > 2, { timeoutMs: 10_000, what: 'liquidations' });
    await env.frozen(() => env.expectAllMatch(DEPTH));
    expect(env.trades.length).toBeGreaterThan(0);
    for (const l of env.liquidations) expect(l).toMatchObject({ venue: 'bybit-linear', coverage: 'batched', liquidated: l.side === 'sell' ? 'long' : 'short' });
  });

  it('a withheld frame shows as a u jump, yet the next delta brings NATS back to the truth without a resync', async () => {
    const before = [...env.mirrors.values()].map((m) => m.messages);
    await env.control('skip_seq');
    await waitFor(() => [...env.mirrors.values()].every((m, i) => m.messages > before[i]! + 30), { timeoutMs: 20_000, what: 'book messages after the skip' });
    await env.frozen(() => env.expectAllMatch(DEPTH));
    const status = env.collector.runners[0]!.status();
    expect(status.symbols['BTC-USDT']!.resyncs).toBe(0);
    expect(status.state).toBe('live');
  });
});
