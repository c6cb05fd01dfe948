/**
 * What one socket write costs on this machine, by size: the fact the firehose's pacing rests on
 * (docs/firehose.md "Fan-out, paced"). Writes `rounds` rounds of one buffer to each of `sockets`
 * loopback connections whose reader drains them between rounds, and times the write calls only.
 */
import { createServer, connect, type Socket } from 'node:net';

export async function socketWriteCostUs(sizes: number[], sockets = 200, rounds = 50): Promise<Record<number, number>> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const accepted: Socket[] = [];
  server.on('connection', (s) => {
    s.setNoDelay(true);
    accepted.push(s);
  });
  const readers = Array.from({ length: sockets }, () => connect(port, '127.0.0.1').on('data', () => undefined));
  while (accepted.length < sockets) await new Promise((r) => setTimeout(r, 5));
  const out: Record<number, number> = {};
  try {
    // the first pass warms the code paths up and is not kept
    for (const size of [sizes[0] ?? 1, ...sizes]) {
      const buf = Buffer.alloc(size, 0x61);
      let spent = 0;
      for (let k = 0; k < rounds; k++) {
        const t0 = performance.now();
        for (const s of accepted) s.write(buf);
        spent += performance.now() - t0;
        await new Promise((r) => setTimeout(r, 2)); // let the readers drain
      }
      out[size] = Math.round((spent * 1000 * 100) / (rounds * sockets)) / 100;
    }
  } finally {
    for (const s of [...readers, ...accepted]) s.destroy();
    server.close();
  }
  return out;
}
