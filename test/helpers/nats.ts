/**
 * The one NATS starter for tests. Where a Docker engine answers, testcontainers runs the official
 * NATS image; where none does (these machines), a `nats-server` child runs on a free loopback
 * port with JetStream and a temp store. Both can be stopped and restarted on the same port (and
 * the same JetStream store) for fault tests. Never a mock of the bus.
 *
 * BOOKFUSE_TEST_NATS=binary|container forces a path.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface TestNats {
  url: string;
  port: number;
  kind: 'container' | 'binary';
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
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

async function dockerAnswers(): Promise<boolean> {
  try {
    await promisify(execFile)('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

export async function startNats(): Promise<TestNats> {
  const forced = process.env['BOOKFUSE_TEST_NATS'];
  const useContainer = forced ? forced === 'container' : await dockerAnswers();
  return useContainer ? startContainer() : startBinary();
}

async function startBinary(): Promise<TestNats> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'bookfuse-nats-'));
  const bin = process.env['NATS_SERVER_BIN'] ?? 'nats-server';
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child) return;
    const c = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const spawned = new Promise<void>((resolve, reject) => {
      c.once('error', (e) => reject(new Error(`cannot start ${bin} (install it: apt-get install -y nats-server): ${e.message}`)));
      c.once('spawn', () => resolve());
    });
    await spawned;
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
    kind: 'binary',
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    dispose: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

async function startContainer(): Promise<TestNats> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const port = await freePort();
  const container = await new GenericContainer('nats:2.10-alpine')
    .withCommand(['-js', '-sd', '/data'])
    .withExposedPorts({ container: 4222, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  let running = true;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kind: 'container',
    start: async () => {
      if (running) return;
      await promisify(execFile)('docker', ['start', container.getId()]);
      running = true;
      await waitForPort(port);
    },
    stop: async () => {
      if (!running) return;
      await promisify(execFile)('docker', ['stop', '-t', '0', container.getId()]);
      running = false;
    },
    restart: async () => {
      await container.restart();
      running = true;
      await waitForPort(port);
    },
    dispose: async () => {
      await container.stop();
    },
  };
}
