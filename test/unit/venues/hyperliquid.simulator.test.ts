import { describe, expect, it } from 'vitest';
import { Decimal, decString } from '../../../libs/core/index.js';
import { createHyperliquidAdapter, type HyperliquidOptions } from '../../../libs/venues/hyperliquid/adapter.js';
import { createHyperliquidSimulator } from '../../../libs/venues/hyperliquid/simulator.js';
import { hyperliquid } from '../../../libs/venues/hyperliquid/index.js';
import type { MarketRates } from '../../../libs/simulator/index.js';
import { collectingClient, engineOnSim, simHarness } from '../../helpers/sim-harness.js';

const specs = hyperliquid.simulator!.specs(['BTC', 'PEPE']);

/** The simulator, a session subscribed with the adapter's own frames, and an engine fed by both. */
function setup(opts: Partial<HyperliquidOptions> = {}, rates: Partial<MarketRates> = { bookUpdatesPerS: 100, tradesPerS: 10 }, beforeSubscribingMs = 0) {
  const adapter = createHyperliquidAdapter(opts);
  const h = simHarness(createHyperliquidSimulator, specs, rates);
  const early = beforeSubscribingMs > 0 ? h.step(beforeSubscribingMs) : [];
  const [meta] = adapter.metadataRequests();
  const instruments = adapter.parseInstruments([h.sim.handleRest(meta!.method, meta!.path, new URLSearchParams(), meta!.body)!.body]);
  const { client, session, engine, outs, drain } = engineOnSim(h, adapter as never, instruments, 20);
  const depth = opts.fast ? 5 : 20;
  const matchesTruth = () =>
    instruments.every((i) => {
      const b = engine.books.get(i.venueSymbol)!.sync.book;
      const t = h.truth(i.venueSymbol, depth);
      return JSON.stringify([b.levels(true, depth), b.levels(false, depth)]) === JSON.stringify([t.bids, t.asks]);
    });
  return { h, early, instruments, client, session, engine, outs, drain, matchesTruth };
}

describe('hyperliquid simulator speaks the Hyperliquid protocol to the hyperliquid adapter', () => {
  it('meta lists the coins as the collector reads them, with kPEPE as 1000 PEPE', () => {
    const { h, instruments } = setup();
    expect(instruments).toEqual(h.sim.instruments);
    expect(instruments.map((i) => [i.venueSymbol, i.symbol, i.lotSize])).toEqual([
      ['BTC', 'BTC-USDC', '0.001'],
      ['kPEPE', 'PEPE-USDC', '1'],
    ]);
    expect(h.sim.handleRest('POST', '/info', new URLSearchParams(), { type: 'nope' })!.status).toBe(422);
    expect(h.sim.handleRest('POST', '/info', new URLSearchParams(), { type: 'l2Book', coin: 'BTC' })!.body).toMatchObject({ coin: 'BTC', levels: [expect.any(Array), expect.any(Array)] });
  });

  it('a full top-20 push at subscribe and on every change: the book equals the truth after every step, published in canonical units', () => {
    const { h, engine, outs, drain, matchesTruth } = setup();
    for (let i = 0; i < 40; i++) {
      h.step(100);
      drain();
      expect(matchesTruth()).toBe(true);
    }
    expect(engine.stats).toMatchObject({ snapshots: 2, resyncs: 0, rejected: 0, crossed: 0 });
    expect(engine.stats.deltas).toBeGreaterThan(40);
    const pepe = engine.snapshotOf('kPEPE', 0)!;
    const truth = h.truth('kPEPE', 1);
    expect(pepe.symbol).toBe('PEPE-USDC');
    expect(pepe.bids[0]).toEqual([decString(new Decimal(truth.bids[0]![0]).div(1000)), decString(new Decimal(truth.bids[0]![1]).mul(1000))]);
    expect(outs.every((o) => o.type !== 'book' || o.msg.depth === 20)).toBe(true);
  });

  it('the first trades push on a (re)subscription is history and is dropped; live trades pass once; no liquidations', () => {
    // half a second of trading before anyone subscribed
    const { h, early, session, client, outs, drain } = setup({}, { bookUpdatesPerS: 10, tradesPerS: 20, liquidationsPerS: 5 }, 500);
    // the history push went out right after each trades ack
    expect(client.frames.filter((f) => f.startsWith('{"channel":"trades"'))).toHaveLength(2);
    const later: string[] = [];
    for (let i = 0; i < 10; i++) {
      later.push(...h.step(100).flatMap((e) => (e.type === 'trade' ? [String(e.id)] : [])));
      drain();
    }
    const published = outs.flatMap((o) => (o.type === 'trade' ? [o.msg.id] : []));
    expect(early.some((e) => e.type === 'trade')).toBe(true);
    expect(later.length).toBeGreaterThan(20);
    expect(published).toEqual(later);
    // resubscribe trades: the replayed history is dropped again, nothing is published twice
    session.onMessage('{"method":"unsubscribe","subscription":{"type":"trades","coin":"BTC"}}');
    session.onMessage('{"method":"subscribe","subscription":{"type":"trades","coin":"BTC"}}');
    drain();
    const ids = outs.flatMap((o) => (o.type === 'trade' ? [`${o.msg.symbol}-${o.msg.id}`] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(outs.some((o) => o.type === 'liq')).toBe(false);
    expect(client.frames.some((f) => f.includes('liquidation'))).toBe(false);
  });

  it('fast mode: 5 levels per push, flagged fast; skipSequence withholds one push that the next one repairs', () => {
    const { h, engine, drain, matchesTruth, client } = setup({ fast: true });
    h.step(100);
    drain();
    expect(client.frames.filter((f) => f.includes('"l2Book"') && f.includes('"data"')).every((f) => f.includes('"fast":true'))).toBe(true);
    h.sim.skipSequence();
    h.step(100);
    drain();
    h.step(100);
    drain();
    expect(matchesTruth()).toBe(true);
    expect(engine.books.get('BTC')!.sync.exactDepth).toBe(5);
    expect(engine.stats.resyncs).toBe(0);
  });

  it('answers the JSON ping with the pong channel; refuses unknown coins and duplicate subscriptions', () => {
    const h = simHarness(createHyperliquidSimulator, specs);
    const client = collectingClient();
    const session = h.sim.openSession('/ws', new URLSearchParams(), client);
    session.onMessage('{"method":"ping"}');
    session.onMessage('{"method":"subscribe","subscription":{"type":"l2Book","coin":"NOPE"}}');
    session.onMessage('{"method":"subscribe","subscription":{"type":"trades","coin":"BTC"}}');
    session.onMessage('{"method":"subscribe","subscription":{"type":"trades","coin":"BTC"}}');
    const frames = client.take().map((f) => JSON.parse(f) as { channel: string });
    expect(frames.map((f) => f.channel)).toEqual(['pong', 'error', 'subscriptionResponse', 'error']);
  });
});
