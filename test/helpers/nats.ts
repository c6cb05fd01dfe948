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
import type { NatsConnection } from 'nats';
import { decodeJson, freePort, startNatsCluster as startLocalCluster, startNatsServer, waitForJetStream, waitForPort } from '../../libs/bus/index.js';

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

/** Every message on `subject` from now on, decoded, in arrival order (for as long as `nc` is open). */
export function recordJson<T>(nc: NatsConnection, subject: string): T[] {
  const out: T[] = [];
  nc.subscribe(subject, { callback: (_e, m) => out.push(decodeJson(m.data) as T) });
  return out;
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

export interface TestNatsCluster {
  /** all three client URLs, comma-separated (NATS_URL form) */
  url: string;
  urls: string[];
  /** kill -9 node i (0-based) / start it again on its ports and store */
  kill(i: number): Promise<void>;
  start(i: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A three-node JetStream cluster with routes on loopback: `nats-server` processes here (no Docker
 * engine on these machines). Resolves once JetStream has a meta leader.
 */
export async function startNatsCluster(size = 3): Promise<TestNatsCluster> {
  const cluster = await startLocalCluster({ size });
  await waitForJetStream(cluster.url);
  return {
    url: cluster.url,
    urls: cluster.nodes.map((n) => n.url),
    kill: (i) => cluster.nodes[i]!.stop(),
    start: (i) => cluster.nodes[i]!.start(),
    dispose: () => cluster.dispose(),
  };
}
