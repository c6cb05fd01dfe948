import { describe, expect, it } from 'vitest';
import { createBinanceSpotAdapter } from '../../../libs/venues/binance-spot/adapter.js';
import { createBinanceSpotSimulator } from '../../../libs/venues/binance-spot/simulator.js';
import { binanceSpot } from '../../../libs/venues/binance-spot/index.js';
import { VenueEngine, type EngineOutput } from '../../../libs/venues/engine.js';
import type { SpotBookSync } from '../../../libs/venues/binance-spot/sync.js';
import type { MarketRates } from '../../../libs/simulator/index.js';
import { collectingClient, simHarness } from '../../helpers/sim-harness.js';

const adapter = createBinanceSpotAdapter();
const specs = binanceSpot.simulator!.specs(['BTC', 'ETH']);
const DEPTH = 100;

/** The simulator, a client on the adapter's own stream URL, and an engine fed by both. */
function setup(rates: Partial<MarketRates> = { bookUpdatesPerS: 300, tradesPerS: 20 }) {
  const h = simHarness(createBinanceSpotSimulator, specs, rates);
  const info = h.sim.handleRest('GET', '/api/v3/exchangeInfo', new URLSearchParams(), undefined)!;
  const instruments = adapter.parseInstruments([info.body]);
  const [conn] = adapter.connections(instruments, { depth: DEPTH });
  const url = new URL(conn!.path, 'http://sim');
  const client = collectingClient();
  h.sim.openSession(url.pathname, url.searchParams, client);
  const engine = new VenueEngine(adapter as never, instruments, { depth: DEPTH });
  engine.onConnect(conn!.symbols);
  const outs: EngineOutput[] = [];
  const handle = (o: EngineOutput[]) => {
    for (const x of o) {
      outs.push(x);
      if (x.type !== 'fetch-snapshot') continue;
      // the REST call the collector would make, answered at this instant
      const req = new URL(adapter.snapshotRequest!(x.venueSymbol, DEPTH).path, 'http://sim');
      const r = h.sim.handleRest('GET', req.pathname, req.searchParams, undefined)!;
      handle(engine.onSnapshot(x.venueSymbol, r.body, h.now()));
    }
  };
  const run = (ms: number) => {
    const events = h.step(ms);
    for (const f of client.take()) handle(engine.onFrame(f, h.now()));
    return events;
  };
  const matchesTruth = () =>
    instruments.every((i) => {
      const mine = engine.snapshotOf(i.venueSymbol, 0);
      const t = h.truth(i.venueSymbol, DEPTH);
      return mine !== null && JSON.stringify([mine.bids, mine.asks]) === JSON.stringify([t.bids, t.asks]);
    });
  return { h, instruments, client, engine, outs, run, matchesTruth };
}

describe('binance-spot simulator speaks the spot protocol to the spot adapter', () => {
  it('lists its instruments through exchangeInfo as the collector reads them', () => {
    const { h, instruments } = setup();
    expect(instruments).toEqual(h.sim.instruments);
    expect(instruments.map((i) => [i.venueSymbol, i.symbol, i.kind])).toEqual([
      ['BTCUSDT', 'BTC-USDT', 'spot'],
      ['ETHUSDT', 'ETH-USDT', 'spot'],
    ]);
    expect(h.sim.handleRest('GET', '/api/v3/depth', new URLSearchParams({ symbol: 'NOPE' }), undefined)).toEqual({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
  });

  it('depth events chain U == previous u + 1; the REST lastUpdateId joins the stream; the book equals the truth after every step', () => {
    const { client, engine, run, matchesTruth } = setup();
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

  it('trades: ids, prices and taker sides as the market made them (m:true = taker sold); no liquidations on spot', () => {
    const { run, outs } = setup({ bookUpdatesPerS: 50, tradesPerS: 30, liquidationsPerS: 5 });
    const events = Array.from({ length: 20 }, () => run(100)).flat();
    const made = events.filter((e) => e.type === 'trade').map((e) => [String(e.id), e.price, e.qty, e.side, e.ts]);
    const got = outs.flatMap((o) => (o.type === 'trade' ? [[o.msg.id, o.msg.price, o.msg.qty, o.msg.side, o.msg.ts]] : []));
    expect(made.length).toBeGreaterThan(20);
    expect(got).toEqual(made);
    expect(events.some((e) => e.type === 'liq')).toBe(true);
    expect(outs.some((o) => o.type === 'liq')).toBe(false);
  });

  it('skipSequence withholds one depth event per symbol: each book sees the gap, refetches, and equals the truth again', () => {
    const { h, engine, outs, run, matchesTruth } = setup();
    for (let i = 0; i < 10; i++) run(50);
    const before = outs.length;
    const uBefore = [...engine.books.values()].map((b) => (b.sync as SpotBookSync).lastUpdateId);
    h.sim.skipSequence();
    for (let i = 0; i < 10; i++) run(50);
    expect(engine.stats.gaps).toBe(2);
    expect(outs.filter((o) => o.type === 'problem').map((o) => o.type === 'problem' && [o.code, o.venueSymbol])).toEqual([
      ['SEQUENCE_GAP', 'BTCUSDT'],
      ['SEQUENCE_GAP', 'ETHUSDT'],
    ]);
    const refetched = outs.slice(before).flatMap((o) => (o.type === 'fetch-snapshot' ? [o.venueSymbol] : []));
    expect(refetched).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(matchesTruth()).toBe(true);
    const uAfter = [...engine.books.values()].map((b) => (b.sync as SpotBookSync).lastUpdateId);
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
