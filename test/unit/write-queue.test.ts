/**
 * WriteQueue as the firehose uses it (joined batches count as many messages against the cap) and
 * as the gateway does (frames of one task leave together when it ends).
 */
import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { textFrame, WriteQueue } from '../../libs/ws/index.js';
import { waitFor } from '../helpers/waits.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function socketPair(): Promise<{ server: Socket; client: Socket; received: () => Buffer }> {
  const chunks: Buffer[] = [];
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => srv.once('connection', r));
  const client = connect(port, '127.0.0.1');
  client.on('data', (d) => chunks.push(d));
  const server = await accepted;
  cleanup.push(() => {
    client.destroy();
    server.destroy();
    srv.close();
  });
  return { server, client, received: () => Buffer.concat(chunks) };
}

describe('WriteQueue with batched frames', () => {
  it('counts a joined batch as its messages and writes the bytes in order', async () => {
    const { server, received } = await socketPair();
    const overflows: string[] = [];
    const q = new WriteQueue(server, { maxMessages: 5, maxBytes: 1 << 20, socketHighWaterBytes: 1 << 16 }, (r) => overflows.push(r));
    const frames = ['a', 'b', 'c'].map((s) => textFrame(s));
    expect(q.push(Buffer.concat(frames), 3)).toBe(true);
    expect(q.push(textFrame('d'))).toBe(true);
    expect(q.depth).toBe(4);
    // two more would make 6 > 5
    expect(q.push(Buffer.concat([textFrame('e'), textFrame('f')]), 2)).toBe(false);
    expect(overflows).toEqual(['messages']);
    const expected = Buffer.concat([...frames, textFrame('d')]);
    await waitFor(() => received().length === expected.length, { what: 'bytes on the wire' });
    expect(received().equals(expected)).toBe(true);
    expect(q.depth).toBe(0);
  });

  it('clear() reports dropped messages, not buffers', async () => {
    const { server, client } = await socketPair();
    client.pause();
    const q = new WriteQueue(server, { maxMessages: 100, maxBytes: 1 << 20, socketHighWaterBytes: 1024 }, () => undefined);
    // fill the socket past its high-water mark so later frames stay queued
    q.push(Buffer.alloc(4096, 0x20), 1);
    await waitFor(() => q.depth === 0, { what: 'first frame handed to the socket' });
    while (server.writableLength < 1024) server.write(Buffer.alloc(65536));
    q.push(Buffer.concat([textFrame('x'), textFrame('y')]), 2);
    q.push(textFrame('z'));
    expect(q.clear()).toBe(3);
    expect(q.dropped).toBe(3);
    expect(q.depth).toBe(0);
  });
});

describe('WriteQueue.sendAtTaskEnd', () => {
  it('holds the frames of one task and hands them to the socket in one corked write when it ends', async () => {
    const { server, received } = await socketPair();
    const q = new WriteQueue(server, { maxMessages: 10, maxBytes: 1 << 20, socketHighWaterBytes: 1 << 16 }, () => undefined);
    let corks = 0;
    const cork = server.cork.bind(server);
    server.cork = () => {
      corks++;
      cork();
    };
    const frames = ['btc', 'eth', 'trade'].map((s) => textFrame(s));
    for (const f of frames) expect(q.sendAtTaskEnd(f)).toBe(true);
    expect(q.depth).toBe(3); // nothing written while the task runs
    await null;
    expect(q.depth).toBe(0);
    expect(corks).toBe(1);
    const expected = Buffer.concat(frames);
    await waitFor(() => received().length === expected.length, { what: 'bytes on the wire' });
    expect(received().equals(expected)).toBe(true);
  });
});
