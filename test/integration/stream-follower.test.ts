/**
 * StreamFollower (libs/bus/stream-follower.ts), which the gateway's alert and window logs ride
 * on, against a real NATS server that is stopped and started under it: every entry reaches the
 * reader once and in order across the outage, and a connection drained while the server is gone
 * ends the follower without a stray rejection (nats.js's own ordered consumer, used before, left
 * one behind: CONNECTION_DRAINING from its background re-creation failed a whole CI run).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliverPolicy, type NatsConnection } from 'nats';
import { closeBus, connectBus, StreamFollower } from '../../libs/bus/index.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { sleep, waitFor } from '../helpers/waits.js';

const STREAM = 'FOLLOW_TEST';
let nats: TestNats;
const open: NatsConnection[] = [];
const rejections: unknown[] = [];
const onRejection = (e: unknown) => void rejections.push(e);

async function connect(): Promise<NatsConnection> {
  const nc = await connectBus({ url: nats.url, name: 'follower-test' });
  open.push(nc);
  return nc;
}

async function publish(nc: NatsConnection, from: number, to: number): Promise<void> {
  const js = nc.jetstream();
  for (let i = from; i <= to; i++) await js.publish(`follow.${i % 3}`, new TextEncoder().encode(String(i)));
}

beforeAll(async () => {
  nats = await startNats();
  const nc = await connect();
  await (await nc.jetstreamManager()).streams.add({ name: STREAM, subjects: ['follow.>'] });
  process.on('unhandledRejection', onRejection);
});

afterEach(() => {
  expect(rejections).toEqual([]);
});

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  for (const nc of open) await closeBus(nc);
  await nats?.dispose();
});

describe('StreamFollower', () => {
  it('delivers every entry once and in order across a NATS restart', async () => {
    const writer = await connect();
    const reader = await connect();
    const seen: number[] = [];
    const errors: Error[] = [];
    const follower = new StreamFollower(reader, {
      stream: STREAM,
      start: () => ({ opt_start_seq: (seen.at(-1) ?? 0) + 1 }),
      onEntry: (m) => seen.push(m.seq),
      onError: (e) => errors.push(e),
    });
    follower.start();
    await publish(writer, 1, 40);
    await waitFor(() => seen.length === 40, { what: 'the first 40 entries' });
    await nats.stop();
    await sleep(1_500);
    await nats.start();
    await waitFor(async () => {
      await publish(writer, seen.length + 1, seen.length + 1);
      return true;
    }, { timeoutMs: 20_000, what: 'a publish after the restart' });
    await publish(writer, 42, 80);
    await waitFor(() => seen.length >= 80, { timeoutMs: 20_000, what: 'all 80 entries' });
    await follower.stop();
    expect(seen).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    // its consumer goes with it (an abandoned one would also expire, after 10 s)
    const jsm = await writer.jetstreamManager();
    await waitFor(async () => (await jsm.consumers.list(STREAM).next()).length === 0, { what: 'no consumer left on the stream' });
  });

  it('starts from the last entry per subject when asked to', async () => {
    const reader = await connect();
    const seen: string[] = [];
    const follower = new StreamFollower(reader, {
      stream: STREAM,
      start: () => ({ deliver_policy: DeliverPolicy.LastPerSubject }),
      onEntry: (m) => seen.push(m.subject),
      onError: () => undefined,
    });
    follower.start();
    await waitFor(() => seen.length === 3, { what: 'one entry per subject' });
    await follower.stop();
    expect([...seen].sort()).toEqual(['follow.0', 'follow.1', 'follow.2']);
  });

  /** A follower reading from the start; after `outage` its connection drains and it stops. */
  async function drainAfter(outage: (reader: NatsConnection) => Promise<void>): Promise<void> {
    const reader = await connect();
    const follower = new StreamFollower(reader, {
      stream: STREAM,
      start: () => ({ opt_start_seq: 1 }),
      onEntry: () => undefined,
      onError: () => undefined,
    });
    follower.start();
    await sleep(300);
    await outage(reader);
    await Promise.all([reader.drain().catch(() => undefined), follower.stop()]);
    await nats.start(); // (a no-op when it is running)
    // time for anything left running in the background to fail
    await sleep(1_000);
  }

  it('ends without a stray rejection when its connection drains while NATS is down', async () => {
    await drainAfter(async () => {
      await nats.stop();
      // past two missed heartbeats of the 5 s pull, so any consumer reset is under way
      await sleep(6_000);
    });
  }, 30_000);

  for (const delay of [0, 200]) {
    it(`ends without a stray rejection when its connection drains ${delay} ms after a reconnect`, async () => {
      await drainAfter(async (reader) => {
        await nats.stop();
        await sleep(300);
        const back = (async () => {
          for await (const s of reader.status()) if (s.type === 'reconnect') return;
        })();
        await nats.start();
        await back;
        await sleep(delay);
      });
    }, 30_000);
  }
});
