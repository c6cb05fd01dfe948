import { expectBadFrames } from '../../helpers/fuzz-frames.js';
import { describe, expect, it } from 'vitest';
import { BookfuseError, type Instrument } from '../../../libs/core/index.js';
import { createBybitLinearAdapter, MAX_ARGS_CHARS_PER_CONNECTION } from '../../../libs/venues/bybit-linear/adapter.js';
import { createReplayEngine } from '../../../libs/venues/replay.js';
import { fixtureLines } from '../../helpers/fixtures.js';

const adapter = createBybitLinearAdapter();
const SINGLE = fixtureLines('bybit', 'single-messages-v5-tardis.ndjson');
const byTopic = (t: string) => SINGLE.find((l) => (JSON.parse(l) as { topic: string }).topic === t)!;

describe('bybit-linear parses the recorded v5 single messages', () => {
  it('publicTrade: S is the taker side, i the id, T the time, sizes canonical', () => {
    expect(adapter.parse(byTopic('publicTrade.LTCUSDT'), 0)).toEqual({
      kind: 'trades',
      trades: [{ venueSymbol: 'LTCUSDT', id: '4c7b6bdc-b4a3-5716-9c7b-bbe01dc7072f', price: '94.53', qty: '0.4', side: 'buy', ts: 1680688979983 }],
    });
    const batch = adapter.parse(byTopic('publicTrade.BTCUSDT'), 0);
    expect(batch.kind === 'trades' && batch.trades.map((t) => [t.id, t.side, t.qty])).toEqual([
      ['2290000000050703789', 'sell', '0.041732'],
      ['2290000000050703790', 'sell', '0.008513'],
      ['2290000000050703791', 'sell', '0.042384'],
      ['2290000000050703792', 'sell', '0.055371'],
    ]);
  });

  it('allLiquidation: S is the position side, so Sell = a short liquidated by a buy; batched coverage; engine output with notional', () => {
    const raw = byTopic('allLiquidation.PIPPINUSDT');
    expect(adapter.parse(raw, 0)).toEqual({
      kind: 'liquidations',
      liquidations: [{ venueSymbol: 'PIPPINUSDT', side: 'buy', liquidated: 'short', price: '0.02456', qty: '2846', coverage: 'batched', ts: 1740480207110 }],
    });
    const engine = createReplayEngine(adapter as never, { depth: 50 });
    const [out] = engine.onFrame(raw, 1740480207600);
    expect(out).toMatchObject({
      type: 'liq',
      msg: { venue: 'bybit-linear', symbol: 'PIPPIN-USDT', side: 'buy', liquidated: 'short', price: '0.02456', qty: '2846', notional_usd: '69.89776', coverage: 'batched', ts: 1740480207110, recv_ts: 1740480207600 },
    });
    // Buy (a long) is closed by a sell
    const long = raw.replace('"S":"Sell"', '"S":"Buy"');
    expect(adapter.parse(long, 0)).toMatchObject({ liquidations: [{ side: 'sell', liquidated: 'long' }] });
  });

  it('tickers and the retired liquidation topic are recognised and ignored', () => {
    for (const l of SINGLE) {
      const topic = (JSON.parse(l) as { topic: string }).topic;
      if (topic.startsWith('tickers.') || topic.startsWith('liquidation.')) expect(adapter.parse(l, 0).kind, topic).toBe('ignored');
    }
  });

  it('acks, pongs and refusals', () => {
    expect(adapter.parse('{"success":true,"ret_msg":"","conn_id":"c1","req_id":"public-0-0","op":"subscribe"}', 0)).toEqual({ kind: 'control', note: 'subscribe ack' });
    expect(adapter.parse('{"success":true,"ret_msg":"pong","conn_id":"c1","req_id":"","op":"ping"}', 0)).toEqual({ kind: 'control', note: 'pong' });
    expect(adapter.parse('{"op":"pong","args":["1"],"conn_id":"c1"}', 0)).toEqual({ kind: 'control', note: 'pong' });
    expect(adapter.parse('{"success":false,"ret_msg":"error:handler not found,topic:orderbook.500.BTCUSDT","conn_id":"c1","req_id":"r","op":"subscribe"}', 0)).toEqual({
      kind: 'venue-error',
      code: 'subscribe',
      message: 'error:handler not found,topic:orderbook.500.BTCUSDT',
    });
  });

  it('malformed frames throw BookfuseError BAD_FRAME', () => {
    const book = (over: Record<string, unknown>, data: Record<string, unknown> = {}) =>
      JSON.stringify({ topic: 'orderbook.50.BTCUSDT', type: 'delta', ts: 1, cts: 1, ...over, data: { s: 'BTCUSDT', b: [], a: [], u: 2, seq: 3, ...data } });
    const bad = [
      'nope',
      '{"no":"topic"}',
      '{"topic":"mystery.BTCUSDT","data":[]}',
      book({ topic: 'orderbook.x.BTCUSDT' }),
      book({ topic: 'orderbook.50.ETHUSDT' }),
      book({ type: 'partial' }),
      book({ cts: '1' }),
      book({}, { u: 0 }),
      book({}, { b: [['1e2', '1']] }),
      book({}, { a: [['1', '']] }),
      book({}, { a: [['1']] }),
      '{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"buy","v":"1","p":"1","i":"x"}]}',
      '{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1","p":"1","i":""}]}',
      '{"topic":"allLiquidation.BTCUSDT","data":[{"T":1.5,"s":"BTCUSDT","S":"Buy","v":"1","p":"1"}]}',
    ];
    expectBadFrames((raw) => adapter.parse(raw, 0), bad);
  });
});

describe('bybit-linear connections, resubscription and metadata', () => {
  const inst = (s: string): Instrument => adapter.fallbackInstrument(s)!;

  it('subscribes book, trades and liquidations per symbol, with the JSON ping every 20 s', () => {
    const [c, ...rest] = adapter.connections([inst('BTCUSDT'), inst('ETHUSDT')], { depth: 50 });
    expect(rest).toEqual([]);
    expect(c!.path).toBe('/v5/public/linear');
    expect(c!.books).toBe(true);
    expect(c!.heartbeat).toEqual({ kind: 'client-message', intervalMs: 20_000, message: '{"req_id":"ping","op":"ping"}' });
    expect(c!.subscribe.map((f) => JSON.parse(f) as unknown)).toEqual([
      { req_id: 'public-0-0', op: 'subscribe', args: ['orderbook.200.BTCUSDT', 'publicTrade.BTCUSDT', 'allLiquidation.BTCUSDT', 'orderbook.200.ETHUSDT', 'publicTrade.ETHUSDT', 'allLiquidation.ETHUSDT'] },
    ]);
  });

  it('keeps the args of each connection within 21,000 characters', () => {
    const many = Array.from({ length: 800 }, (_, i) => inst(`COIN${i}USDT`));
    const conns = adapter.connections(many, { depth: 50 });
    expect(conns.length).toBeGreaterThan(1);
    const seen = conns.flatMap((c) => c.symbols);
    expect(seen).toEqual(many.map((m) => m.venueSymbol));
    for (const c of conns) {
      const args = c.subscribe.flatMap((f) => (JSON.parse(f) as { args: string[] }).args);
      expect(args.reduce((n, a) => n + a.length, 0)).toBeLessThanOrEqual(MAX_ARGS_CHARS_PER_CONNECTION);
      expect(args).toHaveLength(c.symbols.length * 3);
    }
  });

  it('resubscribe touches only the book topic of that symbol, at the configured depth', () => {
    const a = createBybitLinearAdapter({ depth: 1000 });
    const [c] = a.connections([inst('BTCUSDT'), inst('ETHUSDT')], { depth: 50 });
    expect(a.resubscribe(c!, 'ETHUSDT').map((f) => JSON.parse(f) as unknown)).toEqual([
      { req_id: 'unsub-ETHUSDT', op: 'unsubscribe', args: ['orderbook.1000.ETHUSDT'] },
      { req_id: 'resub-ETHUSDT', op: 'subscribe', args: ['orderbook.1000.ETHUSDT'] },
    ]);
    expect(a.resubscribe(c!, 'SOLUSDT')).toEqual([]);
  });

  it('instruments-info: pages follow nextPageCursor; LinearPerpetual + Trading only; coins from baseCoin/quoteCoin; multiplier coins converted', () => {
    const item = (symbol: string, baseCoin: string, extra: Record<string, unknown> = {}) => ({
      symbol,
      contractType: 'LinearPerpetual',
      status: 'Trading',
      baseCoin,
      quoteCoin: 'USDT',
      settleCoin: 'USDT',
      priceFilter: { minPrice: '0.10', maxPrice: '199999.80', tickSize: '0.10' },
      lotSizeFilter: { maxOrderQty: '100.000', minOrderQty: '0.001', qtyStep: '0.001' },
      ...extra,
    });
    const page1 = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [item('BTCUSDT', 'BTC'), item('ETHUSDT-26DEC25', 'ETH', { contractType: 'LinearFutures' })], nextPageCursor: 'abc=+/' } };
    const page2 = { retCode: 0, retMsg: 'OK', result: { category: 'linear', list: [item('1000PEPEUSDT', '1000PEPE'), item('NEWUSDT', 'NEW', { status: 'PreLaunch' })], nextPageCursor: '' } };
    expect(adapter.metadataRequests()).toEqual([{ method: 'GET', path: '/v5/market/instruments-info?category=linear&limit=1000', weight: 1 }]);
    expect(adapter.nextMetadataRequest(page1)).toEqual({ method: 'GET', path: '/v5/market/instruments-info?category=linear&limit=1000&cursor=abc%3D%2B%2F', weight: 1 });
    expect(adapter.nextMetadataRequest(page2)).toBeNull();
    const instruments = adapter.parseInstruments([page1, page2]);
    expect(instruments.map((i) => [i.venueSymbol, i.symbol, i.tickSize, i.lotSize])).toEqual([
      ['BTCUSDT', 'BTC-USDT', '0.10', '0.001'],
      ['1000PEPEUSDT', 'PEPE-USDT', '0.10', '0.001'],
    ]);
    expect(instruments[1]!.conversion).toEqual({ size: { mantissa: 1, exp: 3 }, price: { mantissa: 1, exp: -3 } });
    expect(() => adapter.parseInstruments([{ retCode: 10006, retMsg: 'Too many visits!' }])).toThrow(BookfuseError);
  });
});
