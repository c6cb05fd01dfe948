/**
 * LocalRoute (libs/bus/local-route.ts), the shared connection of `bookfuse colocated`, on a real
 * NATS server: a venue subject of a local venue reaches the in-process subscriber synchronously and
 * still reaches NATS subscribers elsewhere, exactly once each; other venues and other subjects go
 * through NATS as usual; a throwing subscriber harms neither the publish nor the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Msg, NatsConnection } from 'nats';
import { closeBus, connectBus, LocalRoute, subjects } from '../../libs/bus/index.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';

let nats: TestNats;
let shared: NatsConnection;
let other: NatsConnection;
const errors: string[] = [];
let route: LocalRoute;

beforeAll(async () => {
  nats = await startNats();
  shared = await connectBus({ url: nats.url, name: 'colocated-test' });
  other = await connectBus({ url: nats.url, name: 'elsewhere' });
  route = new LocalRoute(shared, new Set(['okx-swap']), { onSubscriberError: (subject) => errors.push(subject) });
});

afterAll(async () => {
  await closeBus(shared);
  await closeBus(other);
  await nats?.dispose();
});

const text = (m: Msg) => new TextDecoder().decode(m.data);

describe('LocalRoute', () => {
  it('serves a local venue book in process, synchronously, and still publishes it on NATS', async () => {
    const subject = subjects.book('okx-swap', 'BTC-USDT');
    const local: string[] = [];
    const remote: string[] = [];
    route.nc.subscribe(subject, { callback: (_e, m) => local.push(text(m)) });
    other.subscribe(subject, { callback: (_e, m) => remote.push(text(m)) });
    await other.flush();
    route.nc.publish(subject, new TextEncoder().encode('one'));
    expect(local).toEqual(['one']); // before the publish returned
    route.nc.publish(subject, new TextEncoder().encode('two'));
    await waitFor(() => remote.length === 2, { what: 'both on NATS' });
    await route.nc.flush();
    expect(local).toEqual(['one', 'two']);
    expect(remote).toEqual(['one', 'two']);
    expect(route.localDeliveries).toBe(2);
  });

  it('leaves other venues, consensus subjects and wildcards to NATS', async () => {
    expect(route.servesLocally(subjects.book('okx-swap', 'ETH-USDT'))).toBe(true);
    expect(route.servesLocally(subjects.trade('okx-swap', 'ETH-USDT'))).toBe(true);
    expect(route.servesLocally(subjects.status('okx-swap'))).toBe(true);
    expect(route.servesLocally(subjects.book('bybit-linear', 'BTC-USDT'))).toBe(false);
    expect(route.servesLocally(subjects.consensusBook('BTC-USD'))).toBe(false);
    expect(route.servesLocally(subjects.allBooks())).toBe(false);
    const subject = subjects.book('bybit-linear', 'BTC-USDT');
    const got: string[] = [];
    route.nc.subscribe(subject, { callback: (_e, m) => got.push(text(m)) });
    await route.nc.flush();
    other.publish(subject, new TextEncoder().encode('from elsewhere'));
    await waitFor(() => got.length === 1, { what: 'a NATS delivery' });
    expect(got).toEqual(['from elsewhere']);
  });

  it('keeps publishing when a local subscriber throws, and stops delivering after unsubscribe', () => {
    const subject = subjects.trade('okx-swap', 'BTC-USDT');
    const got: string[] = [];
    route.nc.subscribe(subject, {
      callback: () => {
        throw new Error('bug');
      },
    });
    const sub = route.nc.subscribe(subject, { callback: (_e, m) => got.push(text(m)) });
    route.nc.publish(subject, new TextEncoder().encode('a'));
    expect(errors).toEqual([subject]);
    expect(got).toEqual(['a']);
    sub.unsubscribe();
    route.nc.publish(subject, new TextEncoder().encode('b'));
    expect(got).toEqual(['a']);
    expect(sub.isClosed()).toBe(true);
  });
});
