/**
 * Backpressure: a client that stops reading costs a bounded amount of memory, has its book deltas
 * conflated, and, once it reads again, receives a SNAPSHOT equal to what the merger published; one
 * that stays blocked is closed as SLOW_CONSUMER; a healthy client beside them is never touched.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LocalBook } from '../../libs/client/index.js';
import { waitFor } from '../helpers/waits.js';
import { useHarness, type TestClient } from './gateway-harness.js';

const QUEUE_MAX_BYTES = 128 * 1024;
const HIGH_WATER = 64 * 1024;
const SLOW_CLOSE_MS = 2500;

const rig = useHarness({
  GATEWAY_QUEUE_MAX_BYTES: String(QUEUE_MAX_BYTES),
  GATEWAY_QUEUE_MAX_MESSAGES: '200',
  GATEWAY_SOCKET_HIGH_WATER_BYTES: String(HIGH_WATER),
  GATEWAY_SLOW_CLOSE_MS: String(SLOW_CLOSE_MS),
});
const rawSocket = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket;

/** Two readers of the whole book with venues, holding their SNAPSHOT; the second stops reading. */
async function healthyAndPaused(): Promise<[TestClient, TestClient]> {
  const query = '/ws?token=demo&symbols=BTC-USD&depth=50&detail=venues';
  const [healthy, paused] = await rig.synced(query, query);
  rawSocket(paused).pause();
  return [healthy, paused];
}

/**
 * A reader's book, rebuilt incrementally from what it has received so far. A delta that does not
 * apply (a gap) stops it there, and the wait reading it fails with that reason.
 */
class Follower {
  readonly book = new LocalBook('BTC-USD');
  private read = 0;
  constructor(readonly c: TestClient) {}
  levels(): string {
    for (; this.read < this.c.messages.length; this.read++) {
      const m = this.c.messages[this.read]!;
      if (m.type === 'SNAPSHOT') this.book.applySnapshot(m.payload);
      if (m.type === 'BOOK') expect(this.book.applyDelta(m.payload)).toBe('applied');
    }
    return levels(this.book);
  }
}

/**
 * Publish big deltas in batches, each one once the healthy reader holds the previous, until
 * `overwhelmed()` says the stalled reader has been pushed past its caps, then `extra` batches
 * more; samples the largest per-connection memory meanwhile. Pacing on the healthy reader keeps
 * the test about the stalled one: with the small caps used here, a batch arriving while a busy
 * CI machine held the event loop could otherwise overflow the healthy client's queue too (as it
 * would in production, at its real caps, for a reader that late).
 */
async function pump(healthy: Follower, overwhelmed: () => Promise<boolean>, extra = 30): Promise<number> {
  let maxHeld = 0;
  let batches = 0;
  const batch = async () => {
    for (let i = 0; i < 25; i++) {
      rig.h.btc.randomStep(20);
      rig.h.btc.publishDelta();
    }
    const want = published();
    await waitFor(() => healthy.levels() === want, { intervalMs: 1, what: `the healthy client to hold batch ${batches}` });
    maxHeld = Math.max(maxHeld, rig.h.gw.hub.queueStats().maxBytes);
    batches++;
  };
  do {
    if (batches >= 1000) throw new Error('the stalled client was never pushed past its caps');
    for (let i = 0; i < 10; i++) await batch();
  } while (!(await overwhelmed()));
  for (let i = 0; i < extra; i++) await batch();
  return maxHeld;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${rig.h.httpUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
}

const levels = (b: LocalBook) => JSON.stringify([b.bids.map((l) => [l.price, l.total, l.venues]), b.asks.map((l) => [l.price, l.total, l.venues])]);
const published = () => JSON.stringify([rig.h.btc.top(50).bids, rig.h.btc.top(50).asks]);

describe('slow consumers', () => {
  it('bounds a stalled client, conflates its deltas, and gives it the published book once it reads again; a healthy client is unaffected', async () => {
    const [healthy, stalled] = await healthyAndPaused();
    const conflationsBefore = await metric('bookfuse_gateway_conflations_total');

    const conflated = async () => (await metric('bookfuse_gateway_conflations_total')) > conflationsBefore;
    const maxHeld = await pump(new Follower(healthy), conflated);
    expect(await conflated()).toBe(true);
    // queue cap + socket high-water + one frame in flight
    expect(maxHeld).toBeLessThanOrEqual(QUEUE_MAX_BYTES + HIGH_WATER + 16 * 1024);

    // the healthy client got every delta in order (the pump checked it batch by batch)
    expect(healthy.of('SNAPSHOT')).toHaveLength(1);

    // reading again: the backlog drains, then a SNAPSHOT of the current book arrives
    const before = stalled.of('SNAPSHOT').length;
    const resumed = new Follower(stalled);
    rawSocket(stalled).resume();
    await waitFor(() => stalled.of('SNAPSHOT').length > before, { what: 'a SNAPSHOT after the stalled client drained' });
    await waitFor(() => resumed.levels() === published(), { what: 'resumed client equal to the published book' });
    expect(stalled.closed).toBeUndefined();
    // and it follows deltas again
    rig.h.btc.randomStep(5);
    rig.h.btc.publishDelta();
    await waitFor(() => resumed.levels() === published(), { what: 'resumed client following deltas' });
  });

  it('closes a client blocked past GATEWAY_SLOW_CLOSE_MS with SLOW_CONSUMER and counts it', async () => {
    const [healthy, stuck] = await healthyAndPaused();
    const slowBefore = await metric('bookfuse_gateway_slow_closes_total');
    const conns = rig.h.gw.hub.conns.size;
    const reader = new Follower(healthy);
    await pump(reader, async () => rig.h.gw.hub.queueStats().maxBytes >= HIGH_WATER);
    await waitFor(() => rig.h.gw.hub.conns.size === conns - 1, { timeoutMs: SLOW_CLOSE_MS + 5000, what: 'the stuck client to be closed' });
    expect(await metric('bookfuse_gateway_slow_closes_total')).toBe(slowBefore + 1);
    rawSocket(stuck).resume();
    const closed = await stuck.waitClosed(5000);
    expect([4000, 1006]).toContain(closed.code);
    if (closed.code === 4000) expect(stuck.of('ERROR').at(-1)!.payload.code).toBe('SLOW_CONSUMER');
    expect(healthy.closed).toBeUndefined();
    await waitFor(() => reader.levels() === published(), { what: 'healthy client equal to the published book' });
  });
});
