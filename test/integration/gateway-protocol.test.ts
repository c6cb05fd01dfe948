/**
 * The consensus WebSocket protocol on real sockets, fed by a stand-in merger on real NATS:
 * handshake, snapshot, depth-limited deltas that keep a client book equal to the published one,
 * subscriptions, resync, trades and alerts, and the gateway's own resync on a merger gap.
 */
import { describe, expect, it } from 'vitest';
import { LocalBook, type BookPayload, type SnapshotPayload } from '../../libs/client/index.js';
import { waitFor } from '../helpers/waits.js';
import { useHarness, type TestClient } from './gateway-harness.js';

const rig = useHarness();
const client = (query: string, headers: Record<string, string> = {}) => rig.client(`/ws?${query}`, headers);

/** Replay what a client received for one symbol into a LocalBook; fails on any seq/epoch break. */
function rebuild(c: TestClient, symbol: string): LocalBook {
  const book = new LocalBook(symbol);
  for (const m of c.messages) {
    if (m.type === 'SNAPSHOT' && m.payload.symbol === symbol) book.applySnapshot(m.payload);
    if (m.type === 'BOOK' && m.payload.symbol === symbol) expect(book.applyDelta(m.payload)).toBe('applied');
  }
  return book;
}

function asTriples(book: LocalBook, side: 'bids' | 'asks') {
  return book[side].map((l) => [l.price, l.total]);
}

describe('consensus WebSocket protocol', () => {
  it('sends HANDSHAKE first, then a SNAPSHOT per symbol equal to the published book', async () => {
    const c = client('token=demo&symbols=BTC-USD,ETH-USD&depth=10');
    await c.next('SNAPSHOT', (m) => m.payload.symbol === 'ETH-USD');
    await c.next('SNAPSHOT', (m) => m.payload.symbol === 'BTC-USD');
    const hs = c.messages[0]!;
    expect(hs.type).toBe('HANDSHAKE');
    if (hs.type !== 'HANDSHAKE') return;
    expect(hs.payload.symbols).toEqual(['BTC-USD', 'ETH-USD']);
    expect(hs.payload.heartbeat_ms).toBe(30_000);
    expect(hs.payload.pong_timeout_ms).toBe(10_000);
    expect(hs.payload.limits.max_depth).toBe(100);
    expect(Math.abs(hs.payload.server_time - Date.now())).toBeLessThan(5000);
    const snap = (await c.next('SNAPSHOT', (m) => m.payload.symbol === 'BTC-USD')).payload as SnapshotPayload;
    const top = rig.h.btc.top(10);
    expect(snap.bids).toEqual(top.bids);
    expect(snap.asks).toEqual(top.asks);
    expect(snap.epoch).toBe(rig.h.btc.epoch);
    expect(Object.keys(snap.venues).sort()).toEqual(['binance-usdm', 'bybit-linear', 'okx-swap']);
    expect(snap.venues['okx-swap']!.stale).toBe(false);
  });

  it('streams depth-limited BOOK deltas (seq + 1) that keep the client book equal to the published top N', async () => {
    const c = client('token=demo&symbols=BTC-USD&depth=5');
    const full = client('token=demo&symbols=BTC-USD&depth=50&detail=venues');
    await c.next('SNAPSHOT');
    await full.next('SNAPSHOT');
    for (let i = 0; i < 200; i++) {
      rig.h.btc.randomStep(4);
      rig.h.btc.publishDelta();
    }
    const lastSeq = () => c.of('BOOK').at(-1)?.payload.seq ?? 0;
    const expected = rig.h.btc.top(5);
    await waitFor(() => {
      const b = rebuild(c, 'BTC-USD');
      return JSON.stringify(asTriples(b, 'bids')) === JSON.stringify(expected.bids.map((l) => [l[0], l[1]])) && JSON.stringify(asTriples(b, 'asks')) === JSON.stringify(expected.asks.map((l) => [l[0], l[1]]));
    }, { what: 'the depth-5 client book to equal the published top 5' });
    const seqs = c.of('BOOK').map((m) => m.payload.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(lastSeq()).toBeGreaterThan(10);
    // deltas never carry levels outside the 5-level window
    for (const m of c.of('BOOK')) expect(m.payload.bids.length + m.payload.asks.length).toBeLessThanOrEqual(20);
    // the full-depth client with per-venue detail holds the exact per-venue split too
    const fullTop = rig.h.btc.top(50);
    await waitFor(() => {
      const b = rebuild(full, 'BTC-USD');
      return JSON.stringify(b.bids.map((l) => [l.price, l.total, l.venues])) === JSON.stringify(fullTop.bids) && JSON.stringify(b.asks.map((l) => [l.price, l.total, l.venues])) === JSON.stringify(fullTop.asks);
    }, { what: 'the detail client book to equal the published book with per-venue sizes' });
  });

  it('confirms SUBSCRIBE with SUBSCRIBED and a SNAPSHOT, UNSUBSCRIBE with UNSUBSCRIBED, RESYNC with a fresh SNAPSHOT', async () => {
    const c = client('token=demo');
    await c.next('HANDSHAKE');
    c.send({ type: 'SUBSCRIBE', payload: { symbols: ['ETH-USD'], depth: 3 } });
    const sub = await c.next('SUBSCRIBED');
    expect(sub.payload).toEqual({ symbols: ['ETH-USD'], depth: 3, venues: null, events: ['BOOK', 'TRADE', 'ALERT'] });
    const snap = await c.next('SNAPSHOT', (m) => m.payload.symbol === 'ETH-USD');
    expect(snap.payload.bids).toHaveLength(3);
    c.send({ type: 'RESYNC', payload: { symbol: 'ETH-USD' } });
    await waitFor(() => c.of('SNAPSHOT').length === 2, { what: 'a second SNAPSHOT after RESYNC' });
    c.send({ type: 'UNSUBSCRIBE', payload: { symbols: ['ETH-USD'] } });
    expect((await c.next('UNSUBSCRIBED')).payload.symbols).toEqual(['ETH-USD']);
    const before = c.messages.length;
    rig.h.eth.randomStep(5);
    rig.h.eth.publishDelta();
    rig.h.eth.publishTrade('3000.5', '1');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.messages.slice(before).filter((m) => m.type === 'BOOK' || m.type === 'TRADE')).toEqual([]);
  });

  it('relays TRADE and ALERT to subscribers of the symbol only', async () => {
    const btc = client('token=demo&symbols=BTC-USD');
    const eth = client('token=demo&symbols=ETH-USD');
    await btc.next('SNAPSHOT');
    await eth.next('SNAPSHOT');
    const t = rig.h.btc.publishTrade('98500.1', '0.25');
    const a = rig.h.btc.publishAlert('STALE', 'okx-swap');
    expect((await btc.next('TRADE')).payload).toEqual(t);
    expect((await btc.next('ALERT')).payload).toEqual({ ...a, id: expect.any(Number) });
    await new Promise((r) => setTimeout(r, 100));
    expect(eth.of('TRADE')).toEqual([]);
    expect(eth.of('ALERT')).toEqual([]);
  });

  it('carries venue view changes on deltas (a venue turning stale)', async () => {
    const c = client('token=demo&symbols=BTC-USD&depth=5');
    await c.next('SNAPSHOT');
    rig.h.btc.setVenue('okx-swap', { stale: true, state: 'stale', age_ms: 5012 });
    rig.h.btc.publishDelta();
    const m = await c.next('BOOK', (b) => (b.payload as BookPayload).venues?.['okx-swap']?.stale === true);
    expect(m.payload.venues!['okx-swap']!.age_ms).toBe(5012);
    rig.h.btc.setVenue('okx-swap', { stale: false, state: 'live', age_ms: 3 });
    rig.h.btc.publishDelta();
  });

  it('asks the merger for a snapshot on a seq gap and on a new epoch without snapshot, and clients converge', async () => {
    const c = client('token=demo&symbols=BTC-USD&depth=8');
    await c.next('SNAPSHOT');
    const metric = async (reason: string) => {
      const text = await (await fetch(`${rig.h.httpUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('bookfuse_gateway_resyncs_total') && l.includes(`reason="${reason}"`) && l.includes('BTC-USD'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    rig.h.btc.randomStep(5);
    rig.h.btc.skipSeq();
    rig.h.btc.randomStep(5);
    rig.h.btc.publishDelta();
    await waitFor(async () => (await metric('gap')) >= 1, { what: 'a gap resync counted' });
    rig.h.btc.randomStep(5);
    rig.h.btc.newEpoch(false);
    await waitFor(async () => (await metric('epoch')) >= 1, { what: 'an epoch resync counted' });
    const snap = await c.next('SNAPSHOT', (m) => m.payload.epoch === rig.h.btc.epoch);
    expect(snap.payload.epoch).toBe(rig.h.btc.epoch);
    for (let i = 0; i < 30; i++) {
      rig.h.btc.randomStep(3);
      rig.h.btc.publishDelta();
    }
    const top = rig.h.btc.top(8);
    await waitFor(() => {
      const b = rebuild(c, 'BTC-USD');
      return b.epoch === rig.h.btc.epoch && JSON.stringify(asTriples(b, 'bids')) === JSON.stringify(top.bids.map((l) => [l[0], l[1]]));
    }, { what: 'the client book to converge after the merger resync' });
  });

  it('snapshot mode sends the full top N at most every interval, per-symbol path sends snapshots and trades only', async () => {
    const c = client('token=demo&symbols=BTC-USD&depth=4&mode=snapshot&interval_ms=100');
    await c.next('SNAPSHOT');
    const p = rig.client('/ws/demo/BTC-USD?depth=3&interval_ms=100');
    await p.next('SNAPSHOT');
    const start = Date.now();
    for (let i = 0; i < 50; i++) {
      rig.h.btc.randomStep(2);
      rig.h.btc.publishDelta();
      await new Promise((r) => setTimeout(r, 10));
    }
    rig.h.btc.publishTrade('98500.2', '0.01');
    rig.h.btc.publishAlert('DIVERGENCE', 'okx-swap');
    await p.next('TRADE');
    await new Promise((r) => setTimeout(r, 250));
    const elapsed = Date.now() - start;
    const snaps = c.of('SNAPSHOT');
    expect(c.of('BOOK')).toEqual([]);
    expect(snaps.length).toBeGreaterThan(2);
    expect(snaps.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(snaps.at(-1)!.payload.bids).toEqual(rig.h.btc.top(4).bids);
    expect(new Set(p.messages.map((m) => m.type))).toEqual(new Set(['SNAPSHOT', 'TRADE']));
    expect(p.of('SNAPSHOT').at(-1)!.payload.asks).toEqual(rig.h.btc.top(3).asks);
  });
});

describe('REST', () => {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${rig.h.httpUrl}${path}`, { headers });

  it('serves the consensus book, venue views, health, readiness, metrics and OpenAPI', async () => {
    const book = await get('/v1/books/BTC-USD?depth=3', { authorization: 'Bearer demo' });
    expect(book.status).toBe(200);
    type B = { bids: unknown[]; asks: unknown[]; epoch: number };
    expect(((await book.json()) as B).epoch).toBe(rig.h.btc.epoch);
    await waitFor(async () => {
      const again = (await (await get('/v1/books/BTC-USD?depth=3&token=demo')).json()) as B;
      return JSON.stringify(again.bids) === JSON.stringify(rig.h.btc.top(3).bids);
    }, { what: 'REST book equal to the published top 3' });
    const venues = (await (await get('/v1/venues', { 'x-api-key': 'demo' })).json()) as { symbols: Record<string, { venues: Record<string, { stale: boolean; age_ms: number }> }> };
    expect(Object.keys(venues.symbols)).toEqual(['BTC-USD', 'ETH-USD']);
    expect(venues.symbols['BTC-USD']!.venues['binance-usdm']!.age_ms).toBeGreaterThanOrEqual(5);
    expect((await get('/v1/books/NOPE-USD?token=demo')).status).toBe(404);
    expect((await get('/v1/books/BTC-USD?depth=abc&token=demo')).status).toBe(400);
    expect((await get('/v1/books/BTC-USD')).status).toBe(401);
    expect((await get('/v1/venues?token=wrong')).status).toBe(401);
    expect((await get('/healthz')).status).toBe(200);
    expect(((await (await get('/readyz')).json()) as { ready: boolean }).ready).toBe(true);
    const metrics = await (await get('/metrics')).text();
    for (const name of ['bookfuse_gateway_connections', 'bookfuse_gateway_queue_frames', 'bookfuse_gateway_conflations_total', 'bookfuse_gateway_messages_out_total', 'bookfuse_gateway_slow_closes_total']) {
      expect(metrics).toContain(name);
    }
    const openapi = (await (await get('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toContain('/v1/books/{symbol}');
  });
});
