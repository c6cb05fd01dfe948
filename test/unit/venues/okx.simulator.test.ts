import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../libs/core/index.js';
import { createOkxAdapter, type OkxOptions } from '../../../libs/venues/okx/adapter.js';
import { createOkxSimulator, type OkxSimOptions } from '../../../libs/venues/okx/simulator.js';
import { okxSpot, okxSwap } from '../../../libs/venues/okx/index.js';
import type { OkxVenue } from '../../../libs/venues/okx/metadata.js';
import type { MarketRates, SimInstrumentSpec } from '../../../libs/simulator/index.js';
import { collectingClient, engineOnSim, problemsOf, simHarness, symbolsOf, withheldOnce } from '../../helpers/sim-harness.js';

const DEPTH = 400;

interface Setup {
  venue?: OkxVenue;
  sim?: Partial<OkxSimOptions>;
  adapter?: Partial<OkxOptions>;
  rates?: Partial<MarketRates>;
}

/** The simulator, a session subscribed with the adapter's own frames, and an engine fed by both. */
function setup({ venue = 'okx-swap', sim = {}, adapter: adapterOpts = {}, rates = { bookUpdatesPerS: 300, tradesPerS: 20 } }: Setup = {}) {
  const adapter = createOkxAdapter(venue, adapterOpts);
  const specs: SimInstrumentSpec[] = (venue === 'okx-swap' ? okxSwap : okxSpot).simulator!.specs(['BTC', 'ETH']);
  const h = simHarness((s, w) => createOkxSimulator(venue, s, w, sim), specs, rates);
  const rest = (path: string) => {
    const u = new URL(path, 'http://sim');
    return h.sim.handleRest('GET', u.pathname, u.searchParams, undefined)!;
  };
  const instruments = adapter.parseInstruments(adapter.metadataRequests().map((r) => rest(r.path).body));
  const { client, session, engine, outs, run, drain } = engineOnSim(h, adapter as never, instruments, DEPTH);
  const matchesTruth = () =>
    instruments.every((i) => {
      const entry = engine.books.get(i.venueSymbol);
      const t = h.truth(i.venueSymbol, DEPTH);
      return entry?.state === 'live' && JSON.stringify([entry.sync.book.levels(true, DEPTH), entry.sync.book.levels(false, DEPTH)]) === JSON.stringify([t.bids, t.asks]);
    });
  return { h, adapter, instruments, client, session, engine, outs, run, drain, matchesTruth, rest };
}

describe('okx-swap simulator speaks OKX v5 to the okx adapter', () => {
  it('lists linear USDT swaps whose ctVal converts contracts to base units', () => {
    const { h, instruments, rest } = setup();
    expect(instruments).toEqual(h.sim.instruments);
    expect(instruments.map((i) => [i.venueSymbol, i.symbol, i.kind])).toEqual([
      ['BTC-USDT-SWAP', 'BTC-USDT', 'perp'],
      ['ETH-USDT-SWAP', 'ETH-USDT', 'perp'],
    ]);
    expect(instruments[0]!.conversion!.size).toEqual({ mantissa: 1, exp: -2 });
    expect(rest('/api/v5/market/books?instId=NOPE-USDT-SWAP&sz=400').body).toMatchObject({ code: '51001' });
    expect(rest('/api/v5/public/instruments').status).toBe(400);
  });

  it('snapshot then updates chained by seqId/prevSeqId with a correct checksum; the book equals the truth after every step', () => {
    const { client, engine, run, matchesTruth } = setup();
    for (let i = 0; i < 60; i++) {
      run(50);
      expect(matchesTruth()).toBe(true);
    }
    const last = new Map<string, number>();
    for (const f of client.frames) {
      const m = JSON.parse(f) as { arg?: { channel: string; instId: string }; action?: string; data?: { prevSeqId: number; seqId: number }[] };
      if (m.arg?.channel !== 'books' || !m.data) continue;
      const d = m.data[0]!;
      if (m.action === 'snapshot') expect(d.prevSeqId).toBe(-1);
      else expect(d.prevSeqId).toBe(last.get(m.arg.instId));
      last.set(m.arg.instId, d.seqId);
    }
    expect(engine.stats).toMatchObject({ gaps: 0, resyncs: 0, rejected: 0, crossed: 0, checksum_failed: 0, snapshots: 2 });
    expect(engine.stats.deltas).toBeGreaterThan(100);
    expect(engine.stats.checksum_ok).toBe(engine.stats.snapshots + engine.stats.deltas);
  });

  it('trades and liquidations arrive in contracts and are published in base units, exactly', () => {
    const { run, outs } = setup({ rates: { bookUpdatesPerS: 50, tradesPerS: 30, liquidationsPerS: 5 } });
    const events = Array.from({ length: 20 }, () => run(100)).flat();
    const base = (contracts: string, venueSymbol: string) => new Decimal(contracts).mul(venueSymbol.startsWith('BTC') ? '0.01' : '0.1');
    const made = events.filter((e) => e.type === 'trade');
    const got = outs.flatMap((o) => (o.type === 'trade' ? [o.msg] : []));
    expect(made.length).toBeGreaterThan(20);
    expect(got.map((t) => [t.id, t.side, t.ts])).toEqual(made.map((e) => [String(e.id), e.side, e.ts]));
    got.forEach((t, i) => expect(new Decimal(t.qty).equals(base(made[i]!.qty, made[i]!.venueSymbol))).toBe(true));
    const liqs = events.filter((e) => e.type === 'liq');
    const gotLiqs = outs.flatMap((o) => (o.type === 'liq' ? [o.msg] : []));
    expect(liqs.length).toBeGreaterThan(3);
    expect(gotLiqs.map((l) => [l.side, l.liquidated, l.coverage])).toEqual(liqs.map((e) => [e.side, e.side === 'buy' ? 'short' : 'long', 'partial']));
    gotLiqs.forEach((l, i) => expect(new Decimal(l.qty).equals(base(liqs[i]!.qty, liqs[i]!.venueSymbol))).toBe(true));
  });

  it('skipSequence withholds one update per symbol: each book sees the prevSeqId gap, resubscribes and equals the truth again', () => {
    const v = setup();
    const { outs, engine, matchesTruth } = v;
    withheldOnce(v);
    expect(engine.stats.gaps).toBe(2);
    expect(problemsOf(outs)).toEqual([
      ['SEQUENCE_GAP', 'BTC-USDT-SWAP'],
      ['SEQUENCE_GAP', 'ETH-USDT-SWAP'],
    ]);
    expect(symbolsOf(outs, 'resubscribe')).toEqual(['BTC-USDT-SWAP', 'ETH-USDT-SWAP']);
    expect(engine.stats.snapshots).toBe(4);
    expect(matchesTruth()).toBe(true);
  });

  it('without WS snapshots (OKX after 2026) the default mode bootstraps over REST; so does rest mode', () => {
    for (const bootstrap of ['ws-snapshot', 'rest'] as const) {
      const { engine, outs, run, matchesTruth } = setup({ sim: { wsSnapshot: false, checksum: false }, adapter: { bootstrap } });
      for (let i = 0; i < 40; i++) run(50);
      expect(outs.filter((o) => o.type === 'fetch-snapshot').map((o) => o.type === 'fetch-snapshot' && o.venueSymbol)).toEqual(['BTC-USDT-SWAP', 'ETH-USDT-SWAP']);
      expect(engine.stats).toMatchObject({ gaps: 0, resyncs: 0, rejected: 0, snapshots: 2, checksum_ok: 0 });
      expect(matchesTruth()).toBe(true);
    }
  });

  it('answers the text ping; rejects bad requests and unknown channels the way OKX does', () => {
    const h = simHarness((s, w) => createOkxSimulator('okx-swap', s, w), okxSwap.simulator!.specs(['BTC']));
    const c = collectingClient();
    const s = h.sim.openSession('/ws/v5/public', new URLSearchParams(), c);
    s.onMessage('ping');
    s.onMessage('{nope');
    s.onMessage('{"op":"subscribe","args":[{"channel":"books","instId":"DOGE-USDT-SWAP"},{"channel":"trades","instId":"BTC-USDT-SWAP"}]}');
    const [pong, bad, unknown, ack] = c.take();
    expect(pong).toBe('pong');
    expect(JSON.parse(bad!)).toMatchObject({ event: 'error', code: '60012' });
    expect(JSON.parse(unknown!)).toMatchObject({ event: 'error', code: '60018' });
    expect(JSON.parse(ack!)).toMatchObject({ event: 'subscribe', arg: { channel: 'trades', instId: 'BTC-USDT-SWAP' } });
  });
});

describe('okx-spot simulator', () => {
  it('lists spot pairs in base units, syncs them exactly and publishes no liquidations', () => {
    const { instruments, engine, outs, run, matchesTruth } = setup({ venue: 'okx-spot', rates: { bookUpdatesPerS: 200, tradesPerS: 10, liquidationsPerS: 5 } });
    expect(instruments.map((i) => [i.venueSymbol, i.symbol, i.kind])).toEqual([
      ['BTC-USDT', 'BTC-USDT', 'spot'],
      ['ETH-USDT', 'ETH-USDT', 'spot'],
    ]);
    for (let i = 0; i < 20; i++) run(50);
    expect(matchesTruth()).toBe(true);
    expect(engine.stats).toMatchObject({ resyncs: 0, rejected: 0, checksum_failed: 0 });
    expect(outs.some((o) => o.type === 'trade')).toBe(true);
    expect(outs.some((o) => o.type === 'liq')).toBe(false);
  });
});
