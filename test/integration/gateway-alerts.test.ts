/**
 * Alerts with ids and history (#16.3) on real NATS (JetStream alert log) and real sockets: every
 * ALERT carries the log's sequence as `id` (the same on two gateways), `events=` filters what a
 * connection gets, GET /v1/alerts pages through the history and says when `after` is past the
 * retention, and libs/client fills the alerts it missed while reconnecting.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookfuseClient, type WebSocketLike } from '../../libs/client/index.js';
import type { AlertMessage } from '../../libs/core/index.js';
import { closeBus, connectBus } from '../../libs/bus/index.js';
import { createLogger } from '../../libs/obs/index.js';
import { loadGatewayConfig } from '../../services/gateway/config.js';
import { createGateway, type Gateway } from '../../services/gateway/gateway.js';
import { waitFor } from '../helpers/waits.js';
import { startHarness, TestClient, type Harness } from './gateway-harness.js';

let h: Harness;
const open: TestClient[] = [];
const HISTORY = 100;

function client(base: string, query: string): TestClient {
  const c = new TestClient(`${base}/ws?${query}`);
  open.push(c);
  return c;
}

const get = (path: string, key = 'demo') => fetch(`${h.httpUrl}${path}`, { headers: key ? { 'x-api-key': key } : {} });

beforeAll(async () => {
  h = await startHarness({ GATEWAY_ALERT_HISTORY_MAX: String(HISTORY) });
  await waitFor(async () => (await get('/v1/alerts')).status === 200, { what: 'the alert log read' });
});

afterAll(async () => {
  for (const c of open) c.ws.terminate();
  await h?.stop();
});

describe('alert ids, events filter and history', () => {
  it('gives each ALERT the alert log id, increasing and the same on a second gateway', async () => {
    const nc2 = await connectBus({ url: h.nats.url, name: 'gateway-2' });
    const gw2: Gateway = createGateway(loadGatewayConfig({ ...h.env, GATEWAY_PORT: '0' }), { nc: nc2, log: createLogger('gw2', 'silent') });
    await gw2.start();
    try {
      await waitFor(async () => (await fetch(`${gw2.url}/v1/alerts?token=demo`)).status === 200, { what: 'gateway 2 ready' });
      const a = client(h.wsUrl, 'token=demo&symbols=BTC-USD');
      const b = client(gw2.url.replace('http', 'ws'), 'token=demo&symbols=BTC-USD');
      await a.next('SNAPSHOT');
      await b.next('SNAPSHOT');
      const sent = [h.btc.publishAlert('STALE', 'okx-swap'), h.btc.publishAlert('RECOVERED', 'okx-swap'), h.btc.publishAlert('DIVERGENCE', 'bybit-linear')];
      await waitFor(() => a.of('ALERT').length === 3 && b.of('ALERT').length === 3, { what: 'three ALERTs on both gateways' });
      const ids = a.of('ALERT').map((m) => m.payload.id!);
      expect(ids).toEqual(b.of('ALERT').map((m) => m.payload.id));
      expect(ids[1]).toBe(ids[0]! + 1);
      expect(ids[2]).toBe(ids[0]! + 2);
      expect(a.of('ALERT').map((m) => m.payload)).toEqual(sent.map((s, i) => ({ ...s, id: ids[i] })));
    } finally {
      await gw2.stop();
      await closeBus(nc2);
    }
  });

  it('events= on connect and in SUBSCRIBE filters what the connection gets', async () => {
    const trades = client(h.wsUrl, 'token=demo&symbols=BTC-USD&events=TRADE');
    const alerts = client(h.wsUrl, 'token=demo&symbols=BTC-USD&events=alert');
    await trades.next('HANDSHAKE');
    const hs = (await alerts.next('HANDSHAKE')).payload;
    expect(hs.events).toEqual(['ALERT']);
    await new Promise((r) => setTimeout(r, 100));
    h.btc.randomStep(3);
    h.btc.publishDelta();
    h.btc.publishTrade('98500.3', '0.1');
    h.btc.publishAlert('STALE', 'okx-swap');
    await trades.next('TRADE');
    await alerts.next('ALERT');
    await new Promise((r) => setTimeout(r, 200));
    expect(new Set(trades.messages.map((m) => m.type))).toEqual(new Set(['HANDSHAKE', 'TRADE']));
    expect(new Set(alerts.messages.map((m) => m.type))).toEqual(new Set(['HANDSHAKE', 'ALERT']));
    // turning BOOK on later starts the book with a SNAPSHOT
    trades.send({ type: 'SUBSCRIBE', payload: { symbols: ['BTC-USD'], events: ['BOOK', 'TRADE'] } });
    expect((await trades.next('SUBSCRIBED')).payload.events).toEqual(['BOOK', 'TRADE']);
    await trades.next('SNAPSHOT');
    const bad = client(h.wsUrl, 'token=demo&symbols=BTC-USD&events=BOOK,NEWS');
    expect((await bad.next('ERROR')).payload.message).toContain('"NEWS"');
  });

  it('GET /v1/alerts returns the alerts after an id in order, by symbol, paged with next_after', async () => {
    const first = (await (await get('/v1/alerts?limit=1000')).json()) as { alerts: AlertMessage[]; next_after: number };
    const start = first.next_after;
    const sent: AlertMessage[] = [];
    for (let i = 0; i < 6; i++) sent.push(i % 2 ? h.eth.publishAlert('RESYNC', 'okx-swap') : h.btc.publishAlert('CONVERGED', 'bybit-linear'));
    await waitFor(async () => ((await (await get(`/v1/alerts?after=${start}`)).json()) as { alerts: unknown[] }).alerts.length === 6, { what: 'six new alerts in the history' });
    const all = (await (await get(`/v1/alerts?after=${start}`)).json()) as { alerts: AlertMessage[]; next_after: number };
    expect(all.alerts.map((a) => a.id)).toEqual([1, 2, 3, 4, 5, 6].map((i) => start + i));
    expect(all.alerts.map(({ id: _id, ...a }) => a)).toEqual(sent);
    expect(all.next_after).toBe(start + 6);
    const eth = (await (await get(`/v1/alerts?after=${start}&symbol=ETH-USD&limit=2`)).json()) as { alerts: AlertMessage[]; next_after: number };
    expect(eth.alerts.map((a) => a.id)).toEqual([start + 2, start + 4]);
    expect(eth.next_after).toBe(start + 4);
    const rest = (await (await get(`/v1/alerts?after=${eth.next_after}&symbol=ETH-USD&limit=2`)).json()) as { alerts: AlertMessage[]; next_after: number };
    expect(rest.alerts.map((a) => a.id)).toEqual([start + 6]);
    expect((await get('/v1/alerts', '')).status).toBe(401);
    expect((await get('/v1/alerts?after=-1')).status).toBe(400);
    expect((await get('/v1/alerts?symbol=NOPE-USD')).status).toBe(404);
  });

  it('answers 410 HISTORY_EXPIRED for an after older than what is kept', async () => {
    for (let i = 0; i < HISTORY + 10; i++) h.btc.publishAlert('STALE', 'okx-swap');
    await waitFor(async () => (await get('/v1/alerts?after=0')).status === 410, { what: 'the oldest alerts to fall out of the history' });
    const r = await get('/v1/alerts?after=0');
    const body = (await r.json()) as { code: string; message: string };
    expect(body.code).toBe('HISTORY_EXPIRED');
    expect(body.message).toMatch(/no longer kept.*oldest kept is \d+/);
    // without after: the oldest kept onward
    const kept = (await (await get('/v1/alerts?limit=1000')).json()) as { alerts: AlertMessage[] };
    expect(kept.alerts).toHaveLength(HISTORY);
  });

  it('libs/client fills the alerts it missed while reconnecting, each once and in order', async () => {
    const got: AlertMessage[] = [];
    const c = new BookfuseClient({ url: h.wsUrl, apiKey: 'demo', symbols: ['BTC-USD'], webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike, random: () => 0 });
    c.on('alert', (a) => got.push(a));
    c.start();
    try {
      await waitFor(() => c.state === 'open' && c.books.get('BTC-USD')?.synced, { what: 'client open' });
      h.btc.publishAlert('STALE', 'okx-swap');
      await waitFor(() => got.length === 1, { what: 'a live alert' });
      await h.gw.stop();
      // while no gateway runs, the log keeps them
      const missed = [h.btc.publishAlert('RECOVERED', 'okx-swap'), h.eth.publishAlert('STALE', 'okx-swap'), h.btc.publishAlert('DIVERGENCE', 'binance-usdm')];
      await h.nc.flush();
      await h.restartGateway();
      await waitFor(() => got.length === 3, { timeoutMs: 10_000, what: 'the two missed BTC alerts recovered' });
      h.btc.publishAlert('CONVERGED', 'binance-usdm');
      await waitFor(() => got.length === 4, { what: 'live again' });
      const ids = got.map((a) => a.id!);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(4);
      expect(got.slice(1, 3).map(({ id: _id, ...a }) => a)).toEqual([missed[0], missed[2]]);
    } finally {
      c.stop();
    }
  });
});
