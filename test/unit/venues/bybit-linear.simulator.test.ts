import { describe, expect, it } from 'vitest';
import { createBybitLinearAdapter } from '../../../libs/venues/bybit-linear/adapter.js';
import { createBybitLinearSimulator } from '../../../libs/venues/bybit-linear/simulator.js';
import { bybitLinear } from '../../../libs/venues/bybit-linear/index.js';
import type { BybitBookSync } from '../../../libs/venues/bybit-linear/sync.js';
import type { RestRequest } from '../../../libs/venues/adapter.js';
import type { MarketRates } from '../../../libs/simulator/index.js';
import { simHarness, venueOnSim } from '../../helpers/sim-harness.js';

const DEPTH = 50;
const adapter = createBybitLinearAdapter({ depth: DEPTH });
const specs = bybitLinear.simulator!.specs(['BTC', 'ETH', 'SOL']);

function rest(h: ReturnType<typeof simHarness>, r: RestRequest): unknown {
  const u = new URL(r.path, 'http://sim');
  return h.sim.handleRest(r.method, u.pathname, u.searchParams, undefined)!.body;
}

/** Every instruments-info page, following nextPageCursor as a collector must. */
function loadInstruments(h: ReturnType<typeof simHarness>, pageSize: number) {
  const bodies: unknown[] = [];
  let req: RestRequest | null = adapter.metadataRequests()[0]!;
  req = { ...req, path: req.path.replace('limit=1000', `limit=${pageSize}`) };
  while (req) {
    const body = rest(h, req);
    bodies.push(body);
    req = adapter.nextMetadataRequest(body);
    if (req) req = { ...req, path: req.path.replace('limit=1000', `limit=${pageSize}`) };
  }
  return { bodies, instruments: adapter.parseInstruments(bodies) };
}

/** The simulator, a session subscribed with the adapter's own frames, and an engine fed by both. */
const setup = (rates: Partial<MarketRates> = { bookUpdatesPerS: 300, tradesPerS: 20, liquidationsPerS: 10 }) =>
  venueOnSim(bybitLinear, { bases: ['BTC', 'ETH', 'SOL'], depth: DEPTH, rates, adapter: adapter as never });

describe('bybit-linear simulator speaks v5 public linear to the bybit adapter', () => {
  it('instruments-info pages by cursor; the collector reads every page into the simulated instruments', () => {
    const h = simHarness(createBybitLinearSimulator, specs);
    const { bodies, instruments } = loadInstruments(h, 2);
    expect(bodies).toHaveLength(2);
    expect(instruments).toEqual(h.sim.instruments);
    expect(instruments.map((i) => [i.venueSymbol, i.symbol, i.tickSize, i.lotSize])).toEqual([
      ['BTCUSDT', 'BTC-USDT', '0.1', '0.001'],
      ['ETHUSDT', 'ETH-USDT', '0.01', '0.01'],
      ['SOLUSDT', 'SOL-USDT', '0.01', '0.1'],
    ]);
  });

  it('acks the subscription, sends a snapshot per book topic, then deltas with rising u and seq; the book equals the top N of the truth after every step', async () => {
    const { client, engine, run, matchesTruth } = await setup();
    const first = client.frames.slice(0, 4).map((f) => JSON.parse(f) as { op?: string; success?: boolean; type?: string; topic?: string });
    expect(first[0]).toMatchObject({ op: 'subscribe', success: true, req_id: 'public-0-0' });
    expect(first.slice(1).map((f) => [f.type, f.topic])).toEqual([
      ['snapshot', 'orderbook.50.BTCUSDT'],
      ['snapshot', 'orderbook.50.ETHUSDT'],
      ['snapshot', 'orderbook.50.SOLUSDT'],
    ]);
    expect(matchesTruth()).toBe(true);
    for (let i = 0; i < 60; i++) {
      run(50);
      expect(matchesTruth()).toBe(true);
    }
    let seq = 0;
    for (const f of client.frames.slice(1)) {
      const m = JSON.parse(f) as { topic: string; data: { seq?: number } };
      if (!m.topic.startsWith('orderbook')) continue;
      expect(m.data.seq).toBeGreaterThan(seq);
      seq = m.data.seq!;
    }
    expect(engine.stats).toMatchObject({ snapshots: 3, resyncs: 0, rejected: 0, crossed: 0 });
    expect(engine.stats.deltas).toBeGreaterThan(100);
    for (const b of engine.books.values()) expect((b.sync as BybitBookSync).uJumps).toBe(0);
  });

  it('trades carry the taker side; allLiquidation batches every 500 ms report the position side, which the adapter turns back into the closing side', async () => {
    const { h, run, outs, client } = await setup({ bookUpdatesPerS: 20, tradesPerS: 20, liquidationsPerS: 10 });
    const events = Array.from({ length: 40 }, () => run(100)).flat();
    const trades = events.filter((e) => e.type === 'trade').map((e) => [`sim-${e.venueSymbol}-${e.id}`, e.price, e.qty, e.side, e.ts]);
    const got = outs.flatMap((o) => (o.type === 'trade' ? [[o.msg.id, o.msg.price, o.msg.qty, o.msg.side, o.msg.ts]] : []));
    expect(got).toEqual(trades);
    const liqs = events.filter((e) => e.type === 'liq');
    const key = (x: { price: string; qty: string; side: string; ts: number }) => `${x.ts}/${x.side}/${x.price}/${x.qty}`;
    const published = outs.flatMap((o) => (o.type === 'liq' ? [o.msg] : []));
    // batches go out 500 ms after they open: all but the youngest liquidations are published, none twice, none invented
    const made = new Set(liqs.map((l) => key(l)));
    expect(published.map(key).filter((k) => !made.has(k))).toEqual([]);
    expect(new Set(published.map(key)).size).toBe(published.length);
    const due = liqs.filter((l) => l.ts <= h.now() - 600).map((l) => key(l));
    expect(due.length).toBeGreaterThan(10);
    for (const k of due) expect(published.map(key)).toContain(k);
    const frames = client.frames.filter((f) => f.includes('"allLiquidation.'));
    expect(frames.some((f) => (JSON.parse(f) as { data: unknown[] }).data.length > 1)).toBe(true);
    for (const p of published) expect(p).toMatchObject({ coverage: 'batched', liquidated: p.side === 'sell' ? 'long' : 'short' });
  });

  it('answers the JSON ping with the linear pong, and refuses unknown topics and the retired depth 500', async () => {
    const { session, client, conn, engine } = await setup();
    client.take();
    session.onMessage(JSON.parse(JSON.stringify(conn.heartbeat)).message as string);
    const [pong] = client.take();
    expect(JSON.parse(pong!)).toMatchObject({ success: true, ret_msg: 'pong', op: 'ping' });
    expect(engine.onFrame(pong!, 0)).toEqual([]);
    session.onMessage('{"req_id":"x","op":"subscribe","args":["orderbook.500.BTCUSDT","publicTrade.NOPEUSDT"]}');
    const [refusal] = client.take();
    const out = engine.onFrame(refusal!, 0);
    expect(out).toEqual([expect.objectContaining({ type: 'problem', code: 'BAD_FRAME' })]);
    expect(JSON.parse(refusal!)).toMatchObject({ success: false, req_id: 'x', op: 'subscribe' });
  });

  it('skipSequence withholds one book frame per symbol: the u jump is counted and the next delta still brings the book to the truth', async () => {
    const { h, engine, run, matchesTruth } = await setup();
    for (let i = 0; i < 10; i++) run(50);
    h.sim.skipSequence();
    for (let i = 0; i < 10; i++) run(50);
    for (const b of engine.books.values()) expect((b.sync as BybitBookSync).uJumps).toBe(1);
    expect(engine.stats.resyncs).toBe(0);
    expect(matchesTruth()).toBe(true);
  });

  it('a resubscription (after a backwards u) brings a fresh snapshot for that symbol only', async () => {
    const { engine, outs, run, client, session, matchesTruth, conn } = await setup();
    for (let i = 0; i < 5; i++) run(50);
    // replay an old ETH delta: u goes backwards
    const old = client.frames.find((f) => f.includes('"orderbook.50.ETHUSDT","type":"delta"'))!;
    const before = outs.length;
    for (const o of engine.onFrame(old, 0)) {
      outs.push(o);
      if (o.type === 'resubscribe') for (const frame of adapter.resubscribe(conn, o.venueSymbol)) session.onMessage(frame);
    }
    expect(outs.slice(before).map((o) => o.type)).toEqual(['problem', 'state', 'resubscribe']);
    const answers = client.take().map((f) => JSON.parse(f) as { op?: string; type?: string; topic?: string });
    expect(answers.map((a) => a.op ?? `${a.type} ${a.topic}`)).toEqual(['unsubscribe', 'subscribe', 'snapshot orderbook.50.ETHUSDT']);
    for (const a of answers) engine.onFrame(JSON.stringify(a), 0);
    expect(engine.books.get('ETHUSDT')!.state).toBe('live');
    run(50);
    expect(matchesTruth()).toBe(true);
    expect(engine.stats.resyncs).toBe(1);
  });
});
