/**
 * The one NATS starter for tests. Where a Docker engine answers, testcontainers runs the official
 * NATS image; where none does (these machines), a `nats-server` child runs on a free loopback
 * port with JetStream and a temp store (libs/bus/nats-server.ts, shared with the benchmarks).
 * Both can be stopped and restarted on the same port (and the same JetStream store) for fault
 * tests. Never a mock of the bus.
 *
 * BOOKFUSE_TEST_NATS=binary|container forces a path.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, startNatsServer, waitForPort } from '../../libs/bus/nats-server.js';

export interface TestNats {
  url: string;
  port: number;
  kind: 'container' | 'binary';
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export { freePort, waitForPort };

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
  const server = await startNatsServer();
  return {
    ...server,
    kind: 'binary',
    restart: async () => {
      await server.stop();
      await server.start();
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
