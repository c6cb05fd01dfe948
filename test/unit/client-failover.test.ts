/**
 * libs/client with several gateway URLs (#14.4): it opens the first, and every reconnect moves to
 * the next one round robin, waiting the same backoff as with one URL (1 s, 2 s, … reset by a
 * HANDSHAKE). A terminal close (>= 4100) still stops it. Sockets and clock are fakes driven by
 * the test: the client takes both as parameters, so no timing is involved.
 */
import { describe, expect, it } from 'vitest';
import { BookfuseClient, type Clock, type WebSocketLike } from '../../libs/client/index.js';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(): void {}
  close(): void {}
  drop(code = 1006): void {
    this.onclose?.({ code, reason: '' });
  }
  handshake(): void {
    this.readyState = 1;
    this.onopen?.({});
    this.onmessage?.({ data: JSON.stringify({ type: 'HANDSHAKE', payload: { heartbeat_ms: 30_000, pong_timeout_ms: 10_000 } }) });
  }
}

class FakeClock implements Clock {
  t = 0;
  timers: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const h = { at: this.t + ms, fn };
    this.timers.push(h);
    return h;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((x) => x !== h);
  };
  advance(ms: number): void {
    this.t += ms;
    for (const h of this.timers.filter((x) => x.at <= this.t)) {
      this.clearTimeout(h);
      h.fn();
    }
  }
}

function setup(urls: string[]) {
  const sockets: FakeSocket[] = [];
  const clock = new FakeClock();
  const delays: (number | null)[] = [];
  const c = new BookfuseClient({ url: urls, apiKey: 'k', symbols: ['BTC-USD'], clock, random: () => 0.5, webSocket: (u) => sockets[sockets.push(new FakeSocket(u)) - 1]! });
  c.on('close', (i) => delays.push(i.retryInMs));
  c.start();
  return { c, sockets, clock, delays, host: (i: number) => new URL(sockets[i]!.url).host };
}

describe('BookfuseClient with several gateways', () => {
  it('opens the first URL and moves to the next on every reconnect, round robin, with the usual backoff', () => {
    const { sockets, clock, delays, host } = setup(['ws://a:1', 'ws://b:2', 'ws://c:3']);
    expect(host(0)).toBe('a:1');
    sockets[0]!.drop();
    clock.advance(1000);
    expect(host(1)).toBe('b:2');
    sockets[1]!.drop();
    clock.advance(2000);
    expect(host(2)).toBe('c:3');
    sockets[2]!.drop();
    clock.advance(4000);
    expect(host(3)).toBe('a:1');
    expect(delays).toEqual([1000, 2000, 4000]);
  });

  it('resets the backoff after a HANDSHAKE, and a live connection that drops goes to the next gateway', () => {
    const { c, sockets, clock, delays, host } = setup(['ws://a:1', 'ws://b:2']);
    sockets[0]!.drop();
    clock.advance(1000);
    sockets[1]!.handshake();
    expect(c.state).toBe('open');
    expect(c.currentUrl).toBe('ws://b:2');
    sockets[1]!.drop();
    clock.advance(1000);
    expect(host(2)).toBe('a:1');
    expect(delays).toEqual([1000, 1000]);
  });

  it('stops on a terminal close code whatever URLs remain', () => {
    const { c, sockets, delays } = setup(['ws://a:1', 'ws://b:2']);
    sockets[0]!.drop(4100);
    expect(c.state).toBe('closed');
    expect(delays).toEqual([null]);
    expect(sockets.length).toBe(1);
  });

  it('with one URL reconnects to that URL, and refuses an empty list', () => {
    const { sockets, clock, host } = setup(['ws://a:1']);
    sockets[0]!.drop();
    clock.advance(1000);
    expect(host(1)).toBe('a:1');
    expect(() => new BookfuseClient({ url: [], apiKey: 'k', symbols: [] })).toThrow(/at least one/);
  });
});
