/**
 * Finding a NATS server for the demo: NATS_URL if set, else 127.0.0.1:4222 if something answers,
 * else a `nats-server` child (JetStream on, temp store). No nats-server ⇒ a clear how-to-install.
 * `demo --cluster` always starts its own three-node JetStream cluster (startDemoCluster).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster, waitForJetStream, type LocalNatsCluster } from '../../libs/bus/index.js';
import type { ClusterPorts } from './demo-plan.js';

export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

export interface DemoNats {
  url: string;
  origin: 'NATS_URL' | 'existing' | 'started';
  child?: ChildProcess;
}

export class NatsServerMissing extends Error {}

const INSTALL_HINT =
  'Install it (Debian/Ubuntu: `sudo apt-get install -y nats-server`; others: https://docs.nats.io/running-a-nats-service/introduction/installation)';

/**
 * Three nats-server nodes in one JetStream cluster on loopback, their stores under `dir` so a
 * node that is killed and started again finds its streams. Resolves once JetStream has a leader.
 */
export async function startDemoCluster(env: NodeJS.ProcessEnv, ports: ClusterPorts, dir: string): Promise<LocalNatsCluster> {
  for (const p of [...ports.client, ...ports.cluster, ...ports.monitor]) {
    if (await portAnswers('127.0.0.1', p)) throw new Error(`port ${p} is taken: demo --cluster runs its own NATS cluster on ${ports.client.join(', ')} (routes ${ports.cluster.join(', ')}, monitoring ${ports.monitor.join(', ')})`);
  }
  let cluster: LocalNatsCluster;
  try {
    cluster = await startNatsCluster({
      ...(env['NATS_SERVER_BIN'] ? { bin: env['NATS_SERVER_BIN'] } : {}),
      clientPorts: ports.client,
      clusterPorts: ports.cluster,
      monitorPorts: ports.monitor,
      storeDirs: ports.client.map((_, i) => join(dir, `nats-n${i + 1}`)),
    });
  } catch (e) {
    if (/cannot start/.test((e as Error).message)) throw new NatsServerMissing(`demo --cluster needs \`nats-server\` on PATH.\n${INSTALL_HINT}`);
    throw e;
  }
  try {
    await waitForJetStream(cluster.url, 30_000);
  } catch (e) {
    await Promise.all(cluster.nodes.map((n) => n.stop()));
    throw e;
  }
  return cluster;
}

export async function resolveNats(env: NodeJS.ProcessEnv): Promise<DemoNats> {
  if (env['NATS_URL']) return { url: env['NATS_URL'], origin: 'NATS_URL' };
  if (await portAnswers('127.0.0.1', 4222)) return { url: 'nats://127.0.0.1:4222', origin: 'existing' };
  const bin = env['NATS_SERVER_BIN'] ?? 'nats-server';
  const store = mkdtempSync(join(tmpdir(), 'bookfuse-demo-nats-'));
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', store], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new NatsServerMissing(
              'no NATS server: NATS_URL is not set, nothing answers on 127.0.0.1:4222, and `nats-server` is not on PATH.\n' +
                `${INSTALL_HINT}\n` +
                'or point NATS_URL at a server with JetStream enabled.',
            )
          : e,
      ),
    );
    child.once('spawn', () => resolve());
  });
  for (let i = 0; i < 100; i++) {
    if (await portAnswers('127.0.0.1', 4222)) return { url: 'nats://127.0.0.1:4222', origin: 'started', child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('nats-server started but did not open 127.0.0.1:4222 within 10 s');
}
