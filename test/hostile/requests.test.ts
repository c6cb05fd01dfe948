/**
 * Hostile requests (issue 13 items 1, 2, 5) on real sockets against every HTTP server bookfuse
 * runs: a bad target, a reset or a half-close costs only that socket — the process answers the
 * next request — and no path spelling reaches a keyed route without a key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../integration/gateway-harness.js';
import { startTargets, type HostileTargets } from './targets.js';
import { halfCloseDuringUpgrade, rawExchange, rawRequest, resetDuringUpgrade } from './raw-http.js';

let t: HostileTargets;
const ports = () => ({ gateway: t.gw.gw.port, firehose: t.fh.firehose.port, simulator: t.sim.server.port, ops: t.ops.port });

beforeAll(async () => {
  t = await startTargets({}, 'hostile-test');
});
afterAll(async () => {
  await t?.stop();
});

async function allAlive(): Promise<void> {
  for (const [name, port] of Object.entries(ports())) {
    const r = await rawRequest(port, 'GET', '/healthz');
    expect(r.status, `${name} answers /healthz`).toBe(200);
  }
}

const HOSTILE_TARGETS = [
  '/ws/%ZZ/BTC-USD',
  '/ws/demo/%ZZ',
  '//x:99999/ws',
  'http://x:99999/ws',
  'http://x:99999/ws/v1/liquidation/feed',
  '///',
  '*',
  '/%',
  '/ws?token=%ZZ&symbols=%ZZ',
  '/ws/%C0%AF/BTC-USD',
  '/ws/demo/BTC-USD/../../..',
  '/ws/v1/liquidation/%2e%2e/feed',
  '/binance-usdm/%ZZ',
  `/${'a'.repeat(9000)}`,
  `/ws?symbols=${'B,'.repeat(4000)}`,
];

describe('no request line kills a service', () => {
  it.each(HOSTILE_TARGETS.map((t) => [t.length > 60 ? `${t.slice(0, 30)}… (${t.length} bytes)` : t, t]))('upgrade and GET of %s get a 4xx (or an ERROR + close) on every server', async (_label, target) => {
    for (const [name, port] of Object.entries(ports())) {
      for (const upgrade of [true, false]) {
        const r = await rawRequest(port, 'GET', target, { upgrade });
        expect(r.status === 101 || (r.status !== undefined && r.status >= 400 && r.status < 500), `${name} ${upgrade ? 'upgrade' : 'GET'} ${target.slice(0, 40)} → ${r.status}`).toBe(true);
      }
    }
    await allAlive();
  });

  it('odd and huge headers get a 4xx and the servers go on', async () => {
    for (const port of Object.values(ports())) {
      const answers = await Promise.all([
        rawRequest(port, 'GET', '/healthz', { headers: { 'X-Big': 'x'.repeat(70_000) } }),
        rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n'),
        rawExchange(port, 'GET /healthz HTTP/9.9\r\n\r\n'),
        rawExchange(port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'),
        rawRequest(port, 'GET', '/ws/v1/liquidation/feed', { upgrade: true, headers: { 'Sec-WebSocket-Key': '', 'Sec-WebSocket-Version': '99' } }),
        rawRequest(port, 'GET', '/ws?symbols=BTC-USD', { upgrade: true, headers: { 'Sec-WebSocket-Protocol': ',,, ,', Authorization: 'Bearer', 'X-API-KEY': 'k'.repeat(5000) } }),
      ]);
      for (const a of answers) expect(a.status === undefined || a.status === 101 || (a.status >= 400 && a.status < 500)).toBe(true);
    }
    await allAlive();
  });

  it('clients resetting or half-closing during the upgrade answer cost only their sockets', async () => {
    const targets = ['/nope', '/ws?token=demo&symbols=BTC-USD', '/ws/nope/BTC-USD', '/ws/v1/liquidation/feed?token=test-key-1', '/binance-usdm/ws/btcusdt@depth', '//x:99999/ws'];
    for (const port of Object.values(ports())) {
      const runs: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        for (const t of targets) runs.push(resetDuringUpgrade(port, t, i % 5));
        runs.push(halfCloseDuringUpgrade(port, targets[i % targets.length]!));
      }
      await Promise.all(runs);
    }
    await allAlive();
  });
});

describe('no path spelling reaches a keyed REST route without a key', () => {
  it.each(['/%761/books/BTC-USD', '/v%31/venues', 'http://x/v1/books/BTC-USD', 'HTTP://x/v1/venues', '/v1/books/BTC-USD', '/v1/venues', '/v1/venues/', '/v1/books/BTC%2DUSD'])(
    'GET %s without a key is refused',
    async (target) => {
      const r = await rawRequest(t.gw.gw.port, 'GET', target);
      expect(r.status, `${target} → ${r.status} ${r.body.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      const wrong = await rawRequest(t.gw.gw.port, 'GET', target, { headers: { 'X-API-KEY': 'nope' } });
      expect(wrong.status).toBeGreaterThanOrEqual(400);
    },
  );

  it('the same spellings answer with a key, so the refusal above is the key check', async () => {
    for (const target of ['/%761/books/BTC-USD', 'http://x/v1/books/BTC-USD', '/v%31/venues']) {
      const r = await rawRequest(t.gw.gw.port, 'GET', target, { headers: { 'X-API-KEY': 'demo' } });
      expect(r.status, target).toBe(200);
    }
  });
});

describe('the per-symbol path gives the real reason when the key is good', () => {
  it.each([
    ['/ws/demo/NOPE-USD', 'UNKNOWN_SYMBOL'],
    ['/ws/demo/BTC-USD?depth=abc', 'BAD_REQUEST'],
    ['/ws/demo/BTC-USD?mode=fast', 'BAD_REQUEST'],
  ])('%s → ERROR %s, close 4101', async (path, code) => {
    const c = new TestClient(`${t.gw.wsUrl}${path}`);
    const closed = await c.waitClosed();
    expect(c.of('ERROR')[0]?.payload.code).toBe(code);
    expect(closed.code).toBe(4101);
  });

  it('a bad key on the same path is still AUTH_FAILED / 4100', async () => {
    const c = new TestClient(`${t.gw.wsUrl}/ws/nope/NOPE-USD`);
    expect((await c.waitClosed()).code).toBe(4100);
    expect(c.of('ERROR')[0]?.payload.code).toBe('AUTH_FAILED');
  });
});
