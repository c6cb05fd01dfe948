import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorOnSim, type CollectorOnSim } from '../helpers/collector-on-sim.js';
import { waitFor } from '../helpers/waits.js';

const DEPTH = 50;

describe('collector → NATS with the binance-spot simulator over real sockets', () => {
  let env: CollectorOnSim;

  beforeAll(async () => {
    env = await startCollectorOnSim({ venue: 'binance-spot', symbols: ['BTC-USDT', 'ETH-USDT'], depth: DEPTH, sim: { SIM_BOOK_UPDATES_PER_S: '300', SIM_TRADES_PER_S: '10' } });
  });
  afterAll(async () => env?.stop());


  it('books on NATS equal the simulator truth; trades arrive with the taker side', async () => {
    await waitFor(() => [...env.mirrors.values()].every((m) => m.messages > 40), { timeoutMs: 20_000, what: '40 book messages per symbol' });
    await env.frozen(() => env.expectAllMatch(DEPTH));
    expect(env.trades.length).toBeGreaterThan(0);
    expect(env.trades.every((t) => t.venue === 'binance-spot' && (t.side === 'buy' || t.side === 'sell'))).toBe(true);
    expect(env.liquidations).toEqual([]);
    expect(env.collector.runners[0]!.status().capabilities).toMatchObject({ liquidations: false });
  });

  it('a skipped id is a gap on each book: REST resync, and NATS converges to the truth again', async () => {
    const before = [...env.mirrors.values()].map((m) => m.messages);
    await env.control('skip_seq');
    await waitFor(() => [...env.mirrors.values()].every((m, i) => m.messages > before[i]! + 30), { timeoutMs: 20_000, what: 'book messages after the gap' });
    await env.frozen(() => env.expectAllMatch(DEPTH));
    const status = env.collector.runners[0]!.status();
    expect(status.symbols['BTC-USDT']!.resyncs).toBeGreaterThanOrEqual(1);
    expect(status.symbols['ETH-USDT']!.resyncs).toBeGreaterThanOrEqual(1);
  });
});
