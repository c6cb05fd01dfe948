/**
 * A local `nats-server` child with JetStream on a free loopback port and its own temp store, for
 * tests and benchmarks (test/helpers/nats.ts and bench/firehose.ts share it). It can be stopped and
 * started again on the same port and store, for fault tests. Never a mock of the bus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalNatsServer {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** stop and delete the store */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `bin` defaults to NATS_SERVER_BIN, else `nats-server` on PATH. */
export async function startNatsServer(opts: { bin?: string } = {}): Promise<LocalNatsServer> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'bookfuse-nats-'));
  const bin = opts.bin ?? process.env['NATS_SERVER_BIN'] ?? 'nats-server';
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const c = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    await new Promise<void>((resolve, reject) => {
      c.once('error', (e) => reject(new Error(`cannot start ${bin} (install it: apt-get install -y nats-server): ${e.message}`)));
      c.once('spawn', () => resolve());
    });
    c.once('exit', () => {
      if (child === c) child = undefined;
    });
    child = c;
    try {
      await waitForPort(port);
    } catch (e) {
      throw new Error(`${(e as Error).message}; nats-server said: ${stderr}`);
    }
  };
  const stop = async () => {
    const c = child;
    if (!c) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
