import { describe, expect, it } from 'vitest';
import { createHyperliquidAdapter } from '../../../libs/venues/hyperliquid/adapter.js';
import { parseHyperliquidFrame, type HlBookFrame } from '../../../libs/venues/hyperliquid/parse.js';
import { HyperliquidBookSync } from '../../../libs/venues/hyperliquid/sync.js';
import { createReplayEngine } from '../../../libs/venues/replay.js';
import { fixtureJson, fixtureLines } from '../../helpers/fixtures.js';

const single = fixtureLines('hyperliquid', 'single-messages-tardis.ndjson');
const capture = fixtureLines('hyperliquid', 'btc-20250126-l2book-trades.capture.ndjson').map((l) => JSON.stringify((JSON.parse(l) as { msg: unknown }).msg));
const adapter = createHyperliquidAdapter();
const btc = adapter.fallbackInstrument('BTC')!;

function bookOf(raw: string): HlBookFrame {
  const p = parseHyperliquidFrame(raw);
  if (p.kind !== 'book') throw new Error(`not a book frame: ${raw.slice(0, 60)}`);
  return p.frame;
}

describe('hyperliquid parse: recorded single messages', () => {
  it('trades: A → sell, B → buy, id = tid, ts = time, one entry per fill', () => {
    expect(parseHyperliquidFrame(single[0]!)).toEqual({
      kind: 'trades',
      trades: [{ venueSymbol: 'FXS', id: '611279506717453', price: '1.9008', qty: '10.5', side: 'sell', ts: 1730160015113 }],
    });
    const multi = parseHyperliquidFrame(single[2]!);
    expect(multi.kind === 'trades' && multi.trades.map((t) => [t.side, t.qty])).toEqual([
      ['buy', '0.38111'],
      ['buy', '0.33458'],
      ['buy', '0.83613'],
    ]);
  });

  it('l2Book: levels[0] bids, levels[1] asks; an empty book is valid', () => {
    expect(bookOf(single[5]!)).toEqual({
      coin: 'BANANA',
      time: 1730160007687,
      bids: [
        ['59.8', '3.4'],
        ['59.778', '1.6'],
      ],
      asks: [
        ['59.811', '2.9'],
        ['59.832', '17.6'],
      ],
      fast: false,
    });
    expect(bookOf(single[4]!)).toMatchObject({ coin: 'SHIA', bids: [], asks: [] });
  });

  it('asset contexts and bbo are valid frames we do not use; pong and acks are control', () => {
    for (const l of single.slice(6)) expect(parseHyperliquidFrame(l).kind).toBe('ignored');
    expect(parseHyperliquidFrame('{"channel":"pong"}')).toEqual({ kind: 'control', note: 'pong' });
    expect(parseHyperliquidFrame('{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"trades","coin":"BTC"}}}')).toEqual({
      kind: 'subscribed',
      method: 'subscribe',
      type: 'trades',
      coin: 'BTC',
    });
    expect(parseHyperliquidFrame('{"channel":"error","data":"Invalid subscription"}')).toEqual({ kind: 'venue-error', code: 'error', message: 'Invalid subscription' });
  });

  it('malformed frames are BAD_FRAME errors', () => {
    expect(() => parseHyperliquidFrame('pong')).toThrow(/not JSON/);
    expect(() => parseHyperliquidFrame(single[0]!.replace('"side":"A"', '"side":"S"'))).toThrow(/side must be B or A/);
    expect(() => parseHyperliquidFrame(single[0]!.replace('"tid":611279506717453', '"tid":"x"'))).toThrow(/tid/);
    expect(() => parseHyperliquidFrame(single[5]!.replace('"levels":[[', '"levels":[[[]],[['))).toThrow();
    expect(() => parseHyperliquidFrame('{"channel":"l2Book","data":{"coin":"X","time":1,"levels":[[]]}}')).toThrow(/\[bids, asks\]/);
    expect(() => parseHyperliquidFrame('{"channel":"surprise"}')).toThrow(/unknown channel/);
  });
});

describe('hyperliquid trades: the first push after subscribing is history', () => {
  const push = (tid: number, time: number) => `{"channel":"trades","data":[{"coin":"BTC","side":"B","px":"100.0","sz":"1","time":${time},"hash":"0x0","tid":${tid}}]}`;
  const ack = '{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"trades","coin":"BTC"}}}';

  it('drops the first push per coin, again after every (re)subscription, and never repeats a (coin, time, tid)', () => {
    const a = createHyperliquidAdapter();
    expect(a.parse(push(1, 10), 0)).toEqual({ kind: 'ignored', note: 'trade history sent on subscribe' });
    expect(a.parse(push(2, 11), 0)).toMatchObject({ kind: 'trades', trades: [{ id: '2' }] });
    expect(a.parse(push(2, 11), 0)).toEqual({ kind: 'trades', trades: [] });
    expect(a.parse(ack, 0)).toEqual({ kind: 'control', note: 'subscribe trades' });
    expect(a.parse(push(3, 12), 0)).toEqual({ kind: 'ignored', note: 'trade history sent on subscribe' });
    expect(a.parse(push(4, 13), 0)).toMatchObject({ kind: 'trades', trades: [{ id: '4' }] });
  });
});

describe('hyperliquid book sync: full pushes become a snapshot, then deltas', () => {
  const books = capture.filter((l) => l.includes('"channel":"l2Book"')).map(bookOf);

  it('reports only the levels whose size changed or that vanished', () => {
    const s = new HyperliquidBookSync(btc);
    expect(s.onFrame(books[0]!, 0)).toMatchObject({ action: 'applied', kind: 'snapshot' });
    // the first two recorded pushes are identical: nothing changed
    expect(s.onFrame(books[1]!, 0)).toEqual({ action: 'applied', kind: 'delta', changes: { bids: [], asks: [] }, ts: books[1]!.time });
    for (let i = 2; i < books.length; i++) {
      const prev = { bids: new Map(books[i - 1]!.bids.map(([p, q]) => [Number(p), Number(q)])), asks: new Map(books[i - 1]!.asks.map(([p, q]) => [Number(p), Number(q)])) };
      const cur = { bids: new Map(books[i]!.bids.map(([p, q]) => [Number(p), Number(q)])), asks: new Map(books[i]!.asks.map(([p, q]) => [Number(p), Number(q)])) };
      const r = s.onFrame(books[i]!, 0);
      if (r.action !== 'applied') throw new Error('expected applied');
      for (const side of ['bids', 'asks'] as const) {
        const want = [...new Set([...prev[side].keys(), ...cur[side].keys()])].filter((p) => prev[side].get(p) !== cur[side].get(p)).sort();
        expect(r.changes[side].map((p) => Number(s.book.formatPrice(p))).sort()).toEqual(want);
      }
      expect(s.book.levels(true, 20).map(([p, q]) => [Number(p), Number(q)])).toEqual([...cur.bids]);
    }
  });

  it('ignores a push older than the book, keeps a repeated price out, and rescales for finer prices', () => {
    const s = new HyperliquidBookSync(btc);
    s.onFrame(books[5]!, 0);
    expect(s.onFrame(books[4]!, 0)).toEqual({ action: 'none' });
    const dup: HlBookFrame = { ...books[6]!, bids: [books[6]!.bids[0]!, books[6]!.bids[0]!] };
    expect(() => s.onFrame(dup, 0)).toThrow(/twice on one side/);
    const s2 = new HyperliquidBookSync(btc);
    s2.onFrame(books[0]!, 0);
    const finer: HlBookFrame = { ...books[1]!, bids: [['105055.5', '1'], ...books[1]!.bids] };
    const r = s2.onFrame(finer, 0);
    expect(r.action === 'applied' && r.changes.bids.map((p) => s2.book.formatPrice(p))).toEqual(['105055.5']);
  });

  it('fast mode keeps 5 exact levels; the default 20', () => {
    expect(createHyperliquidAdapter({ fast: true }).createSync(btc, { depth: 20 }).exactDepth).toBe(5);
    expect(adapter.createSync(btc, { depth: 20 }).exactDepth).toBe(20);
    expect(adapter.createSync(btc, { depth: 20 }).recovery).toBe('resubscribe');
  });
});

describe('hyperliquid metadata and units', () => {
  const instruments = adapter.parseInstruments([fixtureJson('hyperliquid', 'info-meta-20230717.json')]);

  it('universe[].name is the base, USDC the quote; lot = 10^-szDecimals; no fixed tick', () => {
    expect(instruments).toHaveLength(28);
    expect(instruments.find((i) => i.venueSymbol === 'BTC')).toMatchObject({ symbol: 'BTC-USDC', base: 'BTC', quote: 'USDC', kind: 'perp', lotSize: '0.00001', tickSize: '0' });
    expect(instruments.find((i) => i.venueSymbol === 'DOGE')).toMatchObject({ lotSize: '1' });
  });

  it('kPEPE is 1000 PEPE: sizes × 1000, prices ÷ 1000, exactly, through the engine', () => {
    const kpepe = instruments.find((i) => i.venueSymbol === 'kPEPE')!;
    expect(kpepe).toMatchObject({ symbol: 'PEPE-USDC', base: 'PEPE' });
    const engine = createReplayEngine(adapter as never, { depth: 20, instruments });
    const outs = engine.onFrame('{"channel":"l2Book","data":{"coin":"kPEPE","time":1,"levels":[[{"px":"0.012345","sz":"1500","n":2}],[{"px":"0.01235","sz":"7","n":1}]]}}', 2);
    const book = outs.find((o) => o.type === 'book');
    expect(book?.type === 'book' && [book.msg.bids, book.msg.asks]).toEqual([[['0.000012345', '1500000']], [['0.00001235', '7000']]]);
  });

  it('excludes delisted coins and builder-deployed dex:COIN perps', () => {
    const body = { universe: [{ name: 'BTC', szDecimals: 5 }, { name: 'OLD', szDecimals: 1, isDelisted: true }, { name: 'xyz:XYZ100', szDecimals: 2 }] };
    expect(adapter.parseInstruments([body]).map((i) => i.venueSymbol)).toEqual(['BTC']);
    expect(adapter.fallbackInstrument('xyz:XYZ100')).toBeNull();
    expect(adapter.fallbackInstrument('@107')).toBeNull();
  });

  it('reports liquidations as unsupported and asks for meta with a POST', () => {
    expect(adapter.liquidations.supported).toBe(false);
    expect(adapter.metadataRequests()).toEqual([{ method: 'POST', path: '/info', body: { type: 'meta' }, weight: 20 }]);
  });
});

describe('hyperliquid connections', () => {
  it('subscribes l2Book at full precision (fast only when configured) and trades per coin, pings with JSON', () => {
    const [c] = adapter.connections([btc], { depth: 20 });
    expect(c!.subscribe.map((f) => JSON.parse(f))).toEqual([
      { method: 'subscribe', subscription: { type: 'l2Book', coin: 'BTC', nSigFigs: null } },
      { method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } },
    ]);
    expect(c!.heartbeat).toEqual({ kind: 'client-message', intervalMs: 30_000, message: '{"method":"ping"}' });
    const fast = createHyperliquidAdapter({ fast: true });
    const [f] = fast.connections([btc], { depth: 5 });
    expect(JSON.parse(f!.subscribe[0]!)).toEqual({ method: 'subscribe', subscription: { type: 'l2Book', coin: 'BTC', nSigFigs: null, fast: true } });
    // unsubscribe repeats the identical subscription object
    expect(fast.resubscribe(f!, 'BTC').map((x) => JSON.parse(x))).toEqual([
      { method: 'unsubscribe', subscription: { type: 'l2Book', coin: 'BTC', nSigFigs: null, fast: true } },
      { method: 'subscribe', subscription: { type: 'l2Book', coin: 'BTC', nSigFigs: null, fast: true } },
    ]);
  });

  it('spreads many coins over connections', () => {
    const coins = Array.from({ length: 120 }, (_, i) => adapter.fallbackInstrument(`C${i}`)!);
    expect(adapter.connections(coins, { depth: 20 }).map((c) => c.symbols.length)).toEqual([50, 50, 20]);
  });
});
