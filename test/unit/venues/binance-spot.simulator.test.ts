import { describe, expect, it } from 'vitest';
import { createBinanceSpotSimulator } from '../../../libs/venues/binance-spot/simulator.js';
import { binanceSpot } from '../../../libs/venues/binance-spot/index.js';
import type { SpotBookSync } from '../../../libs/venues/binance-spot/sync.js';
import type { MarketRates } from '../../../libs/simulator/index.js';
import { collectingClient, problemsOf, simHarness, symbolsOf, venueOnSim, withheldOnce } from '../../helpers/sim-harness.js';

const specs = binanceSpot.simulator!.specs(['BTC', 'ETH']);

/** The simulator, a client on the adapter's own stream URL, and an engine fed by both. */
const setup = (rates: Partial<MarketRates> = { bookUpdatesPerS: 300, tradesPerS: 20 }) => venueOnSim(binanceSpot, { depth: 100, rates });

describe('binance-spot simulator speaks the spot protocol to the spot adapter', () => {
  it('refuses a depth snapshot of an unknown symbol as the venue does', async () => {
    const { rest } = await setup();
    expect(rest('/api/v3/depth?symbol=NOPE')).toEqual({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
  });

  it('depth events chain U == previous u + 1; the REST lastUpdateId joins the stream; the book equals the truth after every step', async () => {
    const { client, engine, run, matchesTruth } = await setup();
    const lastU = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      run(50);
      if (i > 0) expect(matchesTruth()).toBe(true);
    }
    for (const f of client.frames) {
      const d = (JSON.parse(f) as { stream: string; data: { e: string; s: string; U: number; u: number } }).data;
      if (d.e !== 'depthUpdate') continue;
      const prev = lastU.get(d.s);
      if (prev !== undefined) expect(d.U).toBe(prev + 1);
      lastU.set(d.s, d.u);
    }
    expect(engine.stats).toMatchObject({ gaps: 0, resyncs: 0, rejected: 0, crossed: 0, snapshots: 2 });
    expect(engine.stats.deltas).toBeGreaterThan(100);
  });

  it('trades: ids, prices and taker sides as the market made them (m:true = taker sold); no liquidations on spot', async () => {
    const { run, outs } = await setup({ bookUpdatesPerS: 50, tradesPerS: 30, liquidationsPerS: 5 });
    const events = Array.from({ length: 20 }, () => run(100)).flat();
    const made = events.filter((e) => e.type === 'trade').map((e) => [String(e.id), e.price, e.qty, e.side, e.ts]);
    const got = outs.flatMap((o) => (o.type === 'trade' ? [[o.msg.id, o.msg.price, o.msg.qty, o.msg.side, o.msg.ts]] : []));
    expect(made.length).toBeGreaterThan(20);
    expect(got).toEqual(made);
    expect(events.some((e) => e.type === 'liq')).toBe(true);
    expect(outs.some((o) => o.type === 'liq')).toBe(false);
  });

  it('skipSequence withholds one depth event per symbol: each book sees the gap, refetches, and equals the truth again', async () => {
    const v = await setup();
    const { engine, outs, matchesTruth } = v;
    const lastIds = () => [...engine.books.values()].map((b) => (b.sync as SpotBookSync).lastUpdateId);
    let uBefore: number[] = [];
    const after = withheldOnce(v, () => (uBefore = lastIds()));
    expect(engine.stats.gaps).toBe(2);
    expect(problemsOf(outs)).toEqual([
      ['SEQUENCE_GAP', 'BTCUSDT'],
      ['SEQUENCE_GAP', 'ETHUSDT'],
    ]);
    expect(symbolsOf(after, 'fetch-snapshot')).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(matchesTruth()).toBe(true);
    const uAfter = lastIds();
    uAfter.forEach((u, i) => expect(u).toBeGreaterThan(uBefore[i]!));
  });

  it('raw /ws streams send bare events; live SUBSCRIBE is acknowledged and takes effect', () => {
    const h = simHarness(createBinanceSpotSimulator, specs, { bookUpdatesPerS: 100 });
    const raw = collectingClient();
    h.sim.openSession('/ws/btcusdt@depth', new URLSearchParams(), raw);
    const live = collectingClient();
    const s = h.sim.openSession('/stream', new URLSearchParams(), live);
    s.onMessage('{"method":"SUBSCRIBE","params":["ethusdt@trade","ethusdt@depth@100ms"],"id":7}');
    expect(live.take()).toEqual(['{"result":null,"id":7}']);
    h.step(500);
    expect(raw.frames.length).toBeGreaterThan(0);
    expect(raw.frames.every((f) => (JSON.parse(f) as { e: string; s: string }).e === 'depthUpdate' && f.includes('"s":"BTCUSDT"'))).toBe(true);
    const streams = new Set(live.take().map((f) => (JSON.parse(f) as { stream: string }).stream));
    expect([...streams].sort()).toEqual(['ethusdt@depth@100ms', 'ethusdt@trade']);
    s.onMessage('not json');
    expect(live.take()).toEqual(['{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}']);
  });
});
