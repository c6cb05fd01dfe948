/** Binding and closing the HTTP servers bookfuse runs (ops endpoints, the simulator, the firehose). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listen on `host:port` (0: a free port); resolves with the port bound, rejects on a bind error. */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Stop accepting connections; resolves once the server has closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
