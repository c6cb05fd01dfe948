/**
 * Window prices (#16.5) end to end on real NATS and real sockets: venue books (stand-in
 * collectors) → merger (decides each window's price, publishes it on
 * bookfuse.v1.consensus.window.<ASSET>.<type>) → gateway → `ws://…/ws/windows`. Over a minute of
 * 5 s windows no boundary is missed, and every price is the mid of the first consensus update at
 * or after its boundary over the live, non-divergent venues (one venue is kept divergent, so
 * consensus totals and the window mid disagree about it). Also: every protocol message and error,
 * the snapshot on subscribe, the ping, and LARGE_LIQUIDATION alerts from the merger.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { closeBus, connectBus, decodeJson, subjects } from '../../libs/bus/index.js';
import { Decimal, decString, type ConsensusBookMessage, type Level, type VenueView } from '../../libs/core/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import { WindowsClient, type WebSocketLike, type WindowOpenMessage, type WindowsServerMessage } from '../../libs/client/index.js';
import { loadMergerConfig } from '../../services/merger/config.js';
import { createMerger, type Merger } from '../../services/merger/merger.js';
import { loadGatewayConfig } from '../../services/gateway/config.js';
import { createGateway, type Gateway } from '../../services/gateway/gateway.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { JsonSocket } from '../helpers/ws-json.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { FakeCollector } from './merger-collector.js';
import { TestClient } from './gateway-harness.js';

const WINDOW_MS = 5_000;
const RUN_MS = 60_000;

let nats: TestNats;
let nc: NatsConnection;
let mergerNc: NatsConnection;
let gwNc: NatsConnection;
let merger: Merger;
let gw: Gateway;
let wsBase: string;
const collectors: FakeCollector[] = [];
const sockets: { close(): void }[] = [];
let driving = true;
let driver: Promise<void> | undefined;
/** every consensus message the merger published, in order */
const published: ConsensusBookMessage[] = [];

/** Random walks near 100 on a 0.01 grid; hyperliquid sits 60 bps above (divergent). */
function startDriver(): void {
  const venues: [FakeCollector, string, number][] = [
    [collectors[0]!, 'BTC-USDT', 0],
    [collectors[1]!, 'BTC-USDT', 0],
    [collectors[2]!, 'BTC-USDC', 0.6],
  ];
  let center = 10_000; // in cents
  let i = 0;
  driver = (async () => {
    while (driving) {
      const [c, sym, offset] = venues[i++ % 3]!;
      if (i % 3 === 0) center += Math.round((Math.random() - 0.5) * 6);
      const base = new Decimal(center).div(100).plus(offset);
      const bids: Level[] = [];
      const asks: Level[] = [];
      for (let k = 0; k < 5; k++) {
        const jitter = Math.floor(Math.random() * 4);
        bids.push([decString(base.minus(new Decimal(1 + k * 3 + jitter).div(100))), String(1 + Math.floor(Math.random() * 9))]);
        asks.push([decString(base.plus(new Decimal(1 + k * 3 + jitter).div(100))), String(1 + Math.floor(Math.random() * 9))]);
      }
      c.replaceBook(sym, bids, asks);
      await sleep(15);
    }
  })();
}

/** The window price the published stream implies for the boundary `b`. */
function expectedMid(b: number): { price: string; venues: string[] } | null {
  const bids = new Map<string, Record<string, string>>();
  const asks = new Map<string, Record<string, string>>();
  let views: Record<string, VenueView> = {};
  for (const m of published) {
    if (m.kind === 'snapshot') {
      bids.clear();
      asks.clear();
      views = {};
    }
    for (const [side, ls] of [[bids, m.bids], [asks, m.asks]] as const) {
      for (const [p, q, per] of ls) {
        if (q === '0') side.delete(p);
        else side.set(p, per);
      }
    }
    if (m.venues) views = { ...views, ...m.venues };
    if (m.merge_ts < b) continue;
    const ok = Object.keys(views).filter((v) => views[v]!.member !== false && !views[v]!.stale && !views[v]!.divergent);
    const best = (side: Map<string, Record<string, string>>, isBid: boolean) =>
      [...side.entries()]
        .filter(([, per]) => ok.some((v) => per[v] !== undefined && !new Decimal(per[v]!).isZero()))
        .map(([p]) => new Decimal(p))
        .sort((x, y) => (isBid ? y.cmp(x) : x.cmp(y)))[0];
    const bid = best(bids, true);
    const ask = best(asks, false);
    if (!bid || !ask) return null;
    return { price: decString(bid.plus(ask).div(2)), venues: ok };
  }
  return null;
}

beforeAll(async () => {
  nats = await startNats();
  nc = await connectBus({ url: nats.url, name: 'windows-test' });
  for (const v of ['binance-usdm', 'okx-swap', 'hyperliquid']) collectors.push(new FakeCollector(nc, v));
  collectors[0]!.serve('BTC-USDT', [['99.9', '1']], [['100.1', '1']]);
  collectors[1]!.serve('BTC-USDT', [['99.9', '1']], [['100.1', '1']]);
  collectors[2]!.serve('BTC-USDC', [['100.5', '1']], [['100.7', '1']]);
  nc.subscribe(subjects.consensusBook('BTC-USD'), { callback: (_e, m) => published.push(decodeJson(m.data) as ConsensusBookMessage) });
  await nc.flush();
  mergerNc = await connectBus({ url: nats.url, name: 'merger' });
  const mcfg = loadMergerConfig({
    NATS_URL: nats.url,
    CONSENSUS_GROUPS: 'BTC-USD@0.1/20=binance-usdm,okx-swap,hyperliquid',
    MERGER_PORT: '0',
    SNAPSHOT_TIMEOUT_MS: '300',
    MERGER_TICK_MS: '50',
    DIVERGENCE_MIN_MS: '100',
    WINDOW_TYPES: '5s,1m',
    LARGE_LIQUIDATION_USD: '500000',
  });
  merger = createMerger(mcfg, { nc: mergerNc, log: createLogger('merger', 'silent'), registry: createRegistry('merger') });
  await merger.start();
  startDriver();
  gwNc = await connectBus({ url: nats.url, name: 'gateway' });
  gw = createGateway(loadGatewayConfig({ NATS_URL: nats.url, GATEWAY_PORT: '0', GATEWAY_SYMBOLS: 'BTC-USD', GATEWAY_API_KEYS: 'demo', WINDOW_TYPES: '5s,1m', GATEWAY_HEARTBEAT_MS: '300', LOG_LEVEL: 'silent' }), {
    nc: gwNc,
    log: createLogger('gateway', 'silent'),
  });
  await gw.start();
  wsBase = gw.url.replace('http', 'ws');
  await waitFor(async () => (await fetch(`${gw.url}/readyz`)).status === 200, { what: 'gateway ready' });
});

afterAll(async () => {
  driving = false;
  await driver;
  for (const s of sockets) s.close();
  await gw?.stop();
  await merger?.stop();
  for (const c of collectors) c.close();
  for (const c of [gwNc, mergerNc, nc]) if (c) await closeBus(c);
  await nats?.dispose();
});

function windows(query = 'token=demo'): JsonSocket {
  const s = new JsonSocket(`${wsBase}/ws/windows?${query}`);
  sockets.push(s);
  return s;
}

const of = <T extends WindowsServerMessage['type']>(s: JsonSocket, type: T) => (s.messages as WindowsServerMessage[]).filter((m) => m.type === type) as Extract<WindowsServerMessage, { type: T }>[];

describe('window prices', () => {
  it('speaks the protocol: connected, subscribe/subscribed with a snapshot, unsubscribe, and errors that keep the connection', async () => {
    const s = windows();
    await s.open();
    const hello = await s.next<WindowsServerMessage>((m) => m.type === 'connected');
    expect(hello).toEqual({ type: 'connected', server_time: expect.any(Number), assets: ['BTC'], marketTypes: ['5s', '1m'] });
    expect(Math.abs((hello as { server_time: number }).server_time - Date.now())).toBeLessThan(2000);
    s.ws.send('{not json');
    s.send({ type: 'subscribe', asset: 'DOGE' });
    s.send({ type: 'subscribe', asset: 'BTC', marketTypes: ['5s', '7m'] });
    s.send({ type: 'hello' });
    s.send({ type: 'subscribe' });
    await waitFor(() => of(s, 'error').length === 5, { what: 'five errors' });
    expect(of(s, 'error').map((e) => e.code)).toEqual(['INVALID_JSON', 'UNKNOWN_ASSET', 'UNKNOWN_MARKET_TYPE', 'UNKNOWN_TYPE', 'BAD_REQUEST']);
    expect(of(s, 'error')[2]!.message).toContain('"7m"');
    // marketTypes omitted = all; the current window of each comes at once (once the merger has priced one)
    await waitFor(() => Date.now() % WINDOW_MS > 500 && Date.now() % WINDOW_MS < 4000, { intervalMs: 10, what: 'mid-window' });
    await sleep(6000); // the merger started mid-window: let it price one full 5 s window
    s.send({ type: 'subscribe', asset: 'BTC' });
    const sub = await s.next<WindowsServerMessage>((m) => m.type === 'subscribed');
    expect(sub).toEqual({ type: 'subscribed', asset: 'BTC', marketTypes: ['5s', '1m'] });
    const snap = await s.next<WindowOpenMessage>((m) => m.type === 'window_open' && m.marketType === '5s');
    expect(snap).toMatchObject({ asset: 'BTC', window_start: Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS, window_end: snap.window_start + WINDOW_MS, source: 'consensus_mid', snapshot: true });
    expect(Object.keys(snap).sort()).toEqual(['asset', 'marketType', 'price', 'snapshot', 'source', 'type', 'venues', 'window_end', 'window_start']);
    expect(snap.price).toBe(expectedMid(snap.window_start)!.price);
    s.send({ type: 'unsubscribe' });
    await s.next<WindowsServerMessage>((m) => m.type === 'unsubscribed');
    const n = s.messages.length;
    await sleep(WINDOW_MS + 500);
    expect(s.messages.slice(n)).toEqual([]);
    expect(s.closed).toBeUndefined();
  });

  it('refuses a missing key, and closes a client that does not answer pings', async () => {
    const noKey = windows('');
    const e = await noKey.next<WindowsServerMessage>((m) => m.type === 'error');
    expect(e).toMatchObject({ type: 'error', code: 'AUTH_FAILED' });
    await waitFor(() => noKey.closed, { what: 'close' });
    expect(noKey.closed!.code).toBe(4100);
    const silent = new WebSocket(`${wsBase}/ws/windows?token=demo`, { autoPong: false });
    sockets.push(silent);
    let closedAt = 0;
    silent.on('close', () => (closedAt = Date.now()));
    await new Promise((r) => silent.once('open', r));
    const polite = windows();
    await waitFor(() => closedAt > 0, { timeoutMs: 3000, what: 'the silent client closed' });
    expect(polite.closed).toBeUndefined();
  });

  it(`pushes window_open at every 5 s boundary for a minute, none missed, each price the consensus mid over live non-divergent venues`, async () => {
    const s = windows();
    await s.open();
    s.send({ type: 'subscribe', asset: 'BTC', marketTypes: ['5s'] });
    await s.next<WindowsServerMessage>((m) => m.type === 'subscribed');
    // libs/client's typed window client sees the same pushes
    const client = new WindowsClient({ url: wsBase, apiKey: 'demo', webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
    const viaClient: WindowOpenMessage[] = [];
    client.on('window', (w) => !w.snapshot && viaClient.push(w));
    client.subscribe('BTC', ['5s']);
    client.start();
    const t0 = Date.now();
    await sleep(RUN_MS);
    const t1 = Date.now();
    client.stop();
    const pushed = of(s, 'window_open').filter((m) => !m.snapshot);
    expect(of(s, 'window_open_error')).toEqual([]);
    const boundaries: number[] = [];
    for (let b = Math.ceil((t0 + 1) / WINDOW_MS) * WINDOW_MS; b <= t1 - 1000; b += WINDOW_MS) boundaries.push(b);
    expect(boundaries.length).toBeGreaterThanOrEqual(11);
    expect(pushed.map((m) => m.window_start).filter((w) => w <= t1 - 1000)).toEqual(boundaries);
    let divergentSeen = false;
    for (const m of pushed) {
      const want = expectedMid(m.window_start);
      expect(want, `a consensus update after ${m.window_start}`).not.toBeNull();
      expect({ at: m.window_start, price: m.price, venues: [...m.venues].sort() }).toEqual({ at: m.window_start, price: want!.price, venues: [...want!.venues].sort() });
      if (!m.venues.includes('hyperliquid')) divergentSeen = true;
    }
    // hyperliquid was divergent yet counted in the totals: the window mid left it out
    expect(divergentSeen).toBe(true);
    expect(viaClient.map((w) => w.window_start)).toEqual(pushed.map((w) => w.window_start).filter((w) => w <= viaClient.at(-1)!.window_start));
    expect(viaClient.length).toBeGreaterThanOrEqual(11);
  }, RUN_MS + 30_000);

  it('raises LARGE_LIQUIDATION from the merger, relayed with an id', async () => {
    const c = new TestClient(`${wsBase}/ws?token=demo&symbols=BTC-USD&events=ALERT`);
    sockets.push({ close: () => c.ws.terminate() });
    await c.next('HANDSHAKE');
    collectors[0]!.liquidation('BTC-USDT', 'small', '100', '10', '1000');
    collectors[0]!.liquidation('BTC-USDT', 'big', '100', '6000', '600000');
    const a = await c.next('ALERT', (m) => m.payload.kind === 'LARGE_LIQUIDATION');
    expect(a.payload).toMatchObject({ symbol: 'BTC-USD', venue: 'binance-usdm', priority: 'P2', id: expect.any(Number) });
    expect(a.payload.detail).toMatchObject({ id: 'binance-usdm:big', side: 'sell', price: '100', size: '6000', notional_usd: '600000' });
    await sleep(200);
    expect(c.of('ALERT').filter((m) => m.payload.kind === 'LARGE_LIQUIDATION')).toHaveLength(1);
  });
});
