/**
 * libs/client against a real gateway: it follows the book exactly, answers PINGs, resyncs on a
 * gap, and reconnects with backoff when the gateway restarts, converging to the published book.
 */
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { BookfuseClient, type WebSocketLike } from '../../libs/client/index.js';
import { waitFor } from '../helpers/waits.js';
import { useHarness } from './gateway-harness.js';

const rig = useHarness({ GATEWAY_HEARTBEAT_MS: '200', GATEWAY_PONG_TIMEOUT_MS: '150' });

const same = (c: BookfuseClient, depth: number) => {
  const b = c.books.get('BTC-USD');
  const top = rig.h.btc.top(depth);
  return !!b?.synced && JSON.stringify(b.bids.map((l) => [l.price, l.total, l.venues])) === JSON.stringify(top.bids) && JSON.stringify(b.asks.map((l) => [l.price, l.total, l.venues])) === JSON.stringify(top.asks);
};

describe('BookfuseClient', () => {
  it('keeps an exact local book, answers PINGs, and reconnects and resyncs after a gateway restart', async () => {
    const delays: number[] = [];
    const c = new BookfuseClient({
      url: rig.h.wsUrl,
      apiKey: 'demo',
      symbols: ['BTC-USD'],
      depth: 10,
      detail: 'venues',
      webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      random: () => 0, // 1 s - 500 ms = 500 ms first retry
    });
    c.on('close', (i) => i.retryInMs !== null && delays.push(i.retryInMs));
    c.start();
    await waitFor(() => same(c, 10), { what: 'client book equal to the published top 10' });
    for (let i = 0; i < 100; i++) {
      rig.h.btc.randomStep(4);
      rig.h.btc.publishDelta();
    }
    await waitFor(() => same(c, 10), { what: 'client following deltas' });
    // several heartbeats pass: the client PONGs, so it stays connected
    await new Promise((r) => setTimeout(r, 800));
    expect(c.state).toBe('open');

    await rig.h.restartGateway();
    for (let i = 0; i < 20; i++) {
      rig.h.btc.randomStep(4);
      rig.h.btc.publishDelta();
    }
    await waitFor(() => c.state === 'open' && same(c, 10), { timeoutMs: 10_000, what: 'reconnected client equal to the published book' });
    expect(delays[0]).toBe(500);
    c.stop();
    expect(c.state).toBe('closed');
  });

  it('sends RESYNC when its book breaks and recovers with a fresh snapshot', async () => {
    const c = new BookfuseClient({ url: rig.h.wsUrl, apiKey: 'demo', symbols: ['BTC-USD'], depth: 10, detail: 'venues', webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
    const resyncs: string[] = [];
    c.on('resync', (s) => resyncs.push(s));
    c.start();
    await waitFor(() => same(c, 10), { what: 'client synced' });
    // corrupt the local view on purpose: the next delta no longer continues it
    c.books.get('BTC-USD')!.seq -= 1;
    rig.h.btc.randomStep(10);
    rig.h.btc.publishDelta();
    await waitFor(() => resyncs.length === 1, { what: 'a RESYNC' });
    await waitFor(() => same(c, 10), { what: 'client equal to the published book after RESYNC' });
    c.stop();
  });

  it('stops on a terminal close (bad key) instead of retrying', async () => {
    const c = new BookfuseClient({ url: rig.h.wsUrl, apiKey: 'wrong', symbols: ['BTC-USD'], webSocket: (url) => new WebSocket(url) as unknown as WebSocketLike });
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    const closed = new Promise<{ code: number; retryInMs: number | null }>((r) => c.on('close', r));
    c.start();
    expect(await closed).toMatchObject({ code: 4100, retryInMs: null });
    expect(errors).toEqual(['AUTH_FAILED']);
    expect(c.state).toBe('closed');
  });
});
